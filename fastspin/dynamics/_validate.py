"""Input checks shared by the dynamics API: every failure is a ``ValueError`` naming the parameter.

They run in Python, before any kernel, and return float64 NumPy arrays broadcast to what the
kernels expect.
"""
import numpy as np

from ..numeric import unit_rows


def _where(owner):
    return f"{owner}: " if owner else ""


def real_array(value, name, owner=None):
    """``value`` as a finite float64 array (any shape); ``ValueError`` naming ``name`` otherwise."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{_where(owner)}{name} must be real numbers, got {value!r}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{_where(owner)}{name} must be finite, got {value!r}")
    return arr


def per_trajectory(value, name, owner=None, positive=False, non_negative=False):
    """A scalar or 1-D array of finite values (one per trajectory)."""
    arr = real_array(value, name, owner)
    if arr.ndim > 1:
        raise ValueError(f"{_where(owner)}{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{_where(owner)}{name} must be > 0, got {value!r}")
    if non_negative and np.any(arr < 0):
        raise ValueError(f"{_where(owner)}{name} must be >= 0, got {value!r}")
    return arr


def integer(value, name, minimum=1, maximum=None, owner=None):
    """An integer (a Python or NumPy integer; bool refused) in ``[minimum, maximum]``, as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum or (
            maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum:.3g}]"
        raise ValueError(f"{_where(owner)}{name} must be an integer {bound}, got {value!r}")
    return int(value)


def seed(value):
    """A seed of the random streams: an integer in [0, 2^64), or a fresh one drawn from the OS when None."""
    if value is None:
        return int(np.random.SeedSequence().entropy % (2**63))
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2^64) or None, got {value!r}")
    return int(value)


def vectors(value, name, owner=None, unit=False):
    """Shape (3,) or (n, 3) real vectors; with ``unit=True`` normalised (zero length is an error)."""
    arr = real_array(value, name, owner)
    if arr.ndim not in (1, 2) or arr.shape[-1] != 3:
        raise ValueError(f"{_where(owner)}{name} must have shape (3,) or (n, 3), got shape {arr.shape}")
    if unit:
        arr, zero = unit_rows(arr)  # scaled first: no overflow or underflow of the norm
        if np.any(zero):
            raise ValueError(f"{_where(owner)}{name} must not contain zero-length vectors")
    return arr


def positive_scalar(value, name, owner=None):
    arr = real_array(value, name, owner)
    if arr.ndim != 0 or arr <= 0:
        raise ValueError(f"{_where(owner)}{name} must be a positive scalar, got {value!r}")
    return float(arr)


def batch_size(named_arrays):
    """Common trajectory count of per-trajectory inputs ``{name: (array, ndim_of_one_item)}``."""
    n = 1
    owner = None
    for name, (arr, item_ndim) in named_arrays.items():
        if arr.ndim > item_ndim:
            length = arr.shape[0]
            if n != 1 and length != 1 and length != n:
                raise ValueError(
                    f"{name} has {length} trajectories but {owner} has {n}: per-trajectory inputs must agree"
                )
            if length != 1:
                n, owner = length, name
    return n


def broadcast_rows(arr, n, item_ndim):
    """Broadcast a per-trajectory input to ``n`` trajectories (scalars / single vectors repeat)."""
    if arr.ndim == item_ndim:
        arr = arr[np.newaxis]
    # a fresh, writeable C array: the kernels are compiled for exactly this array type
    return np.array(np.broadcast_to(arr, (n,) + arr.shape[1:]), dtype=np.float64, order="C")
