"""Input checks of the whole package: every failure is a ``ValueError`` naming the parameter (and its owner:
the layer, interface, magnet or term) and the accepted range.

They run in Python, before any kernel, and return float64 NumPy arrays broadcast to what the kernels expect.
Numbers are real numbers: ``bool``, strings, ``None`` and complex values are refused, not converted (``True``
is not a current density, ``"5e-8"`` not a resistivity).

:data:`TRANSPORT_RANGES` is the supported range of every transport parameter (SI).  Inside it the transport
kernels return finite values for any combination (tested corner by corner in ``tests/test_bad_input.py``);
outside it a value is refused rather than computed into an overflow.
"""

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .numeric import unit_rows

#: field -> (smallest, largest, unit) accepted by the transport engine; beta and gamma lie in (-1, 1) and
#: g_mix's real part is >= 0 (checked separately).  Lengths span a femtometre to a kilometre, resistivities
#: and interface resistances 30 orders of magnitude around the metals' values: wide enough for any device,
#: narrow enough that products of three of them neither overflow nor underflow.
TRANSPORT_RANGES: dict[str, tuple[float, float, str]] = {
    "thickness": (1e-15, 1e3, "m"),
    "l_sf": (1e-15, 1e3, "m"),
    "lambda_j": (1e-15, 1e3, "m"),
    "lambda_phi": (1e-15, 1e3, "m"),
    "rho_star": (1e-20, 1e10, "Ohm m"),
    "r_star": (1e-30, 1e0, "Ohm m^2"),
    "g_mix": (0.0, 1e25, "S/m^2"),
    "spin_current": (-1e100, 1e100, ""),
}


class StabilityWarning(UserWarning):
    """A fixed-step integration whose step is beyond the stable range of its method (``gamma B_max dt``)."""


class FixedPointWarning(UserWarning):
    """A deterministic run whose every trajectory starts at a fixed point of its drive, so that none moves."""


#: steps of one trajectory at most (duration / dt, and duration / max_step for an adaptive integrator), for the
#: LLGS integrators and the charge-flux circuit alike: no run goes on for ever.
MAX_STEPS = 10**10


def _where(owner):
    return f"{owner}: " if owner else ""


def _not_a_number(value):
    """Why ``value`` is not real numbers (a phrase), or ``None`` when it is: ``None``, bools, strings and complex
    values, alone or inside a sequence or an array, are refused rather than converted."""
    if value is None:
        return "got None"
    if isinstance(value, (bool, np.bool_)):
        return f"got the bool {value!r}"
    if isinstance(value, (str, bytes)):
        return f"got the string {value!r}"
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        return f"got the complex number {value!r}"
    if isinstance(value, (list, tuple, np.ndarray)):
        try:
            kind = np.asarray(value).dtype.kind
        except (TypeError, ValueError):  # ragged
            return f"got {value!r}"
        if kind == "b":
            return "got booleans"
        if kind == "c":
            return "got complex numbers"
        if kind in "USO":
            reasons = (_not_a_number(x) for x in np.asarray(value, dtype=object).ravel())
            return next((reason for reason in reasons if reason), None)
    return None


#: the units an angle input may be given in (``angle_unit=``): factor to radians
ANGLE_UNITS = {"rad": 1.0, "deg": math.pi / 180.0}


def warn_if_degrees(radians: npt.NDArray[np.float64], name: str) -> None:
    """``UserWarning`` when an angle given in radians exceeds a full turn in magnitude: most likely degrees."""
    finite = radians[np.isfinite(radians)]
    if finite.size and np.max(np.abs(finite)) > 2.0 * math.pi * (1.0 + 1e-12):
        warnings.warn(
            f"{name}: angles are in radians, and {float(np.max(np.abs(finite))):g} rad is more than a full turn "
            "(2 pi); if these are degrees, give angle_unit='deg'",
            UserWarning,
            stacklevel=4,
        )


def angles(value: object, name: str, unit: str = "rad", owner: str | None = None) -> npt.NDArray[np.float64]:
    """Angles in radians from ``value`` given in ``unit`` (a key of :data:`ANGLE_UNITS`)."""
    if unit not in ANGLE_UNITS:
        raise ValueError(f"angle_unit must be one of {sorted(ANGLE_UNITS)}, got {unit!r}")
    return real_array(value, name, owner) * ANGLE_UNITS[unit]


def real_array(value: object, name: str, owner: str | None = None, finite: bool = True) -> npt.NDArray[np.float64]:
    """``value`` as a float64 array (any shape; finite unless ``finite=False``); ``ValueError`` naming ``name``
    otherwise."""
    reason = _not_a_number(value)
    if reason is not None:
        raise ValueError(f"{_where(owner)}{name} must be real numbers, {reason}")
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{_where(owner)}{name} must be real numbers, got {value!r}") from exc
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{_where(owner)}{name} must be finite, got {value!r}")
    return arr


def per_trajectory(
    value: object, name: str, owner: str | None = None, positive: bool = False, non_negative: bool = False
) -> npt.NDArray[np.float64]:
    """A scalar or 1-D array of finite values (one per trajectory)."""
    arr = real_array(value, name, owner)
    if arr.ndim > 1:
        raise ValueError(f"{_where(owner)}{name} must be a scalar or a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{_where(owner)}{name} is empty: give one value, or one per trajectory")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{_where(owner)}{name} must be > 0, got {value!r}")
    if non_negative and np.any(arr < 0):
        raise ValueError(f"{_where(owner)}{name} must be >= 0, got {value!r}")
    return arr


def integer(value: object, name: str, minimum: int = 1, maximum: int | None = None, owner: str | None = None) -> int:
    """An integer (a Python or NumPy integer; bool refused) in ``[minimum, maximum]``, as an int."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum:.3g}]"
        raise ValueError(f"{_where(owner)}{name} must be an integer {bound}, got {value!r}")
    return int(value)


def seed(value: object) -> int:
    """A seed of the random streams: an integer in [0, 2^64), or a fresh one drawn from the OS when None."""
    if value is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)  # drawn from the OS: an int (a sequence only when one is given)
        return int(entropy % (2**63))
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or not 0 <= value < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2^64) or None, got {value!r}")
    return int(value)


def vectors(value: object, name: str, owner: str | None = None, unit: bool = False) -> npt.NDArray[np.float64]:
    """Shape (3,) or (n, 3) real vectors; with ``unit=True`` normalised (zero length is an error)."""
    arr = real_array(value, name, owner)
    if arr.ndim not in (1, 2) or arr.shape[-1] != 3 or arr.size == 0:
        raise ValueError(f"{_where(owner)}{name} must have shape (3,) or (n, 3) with n >= 1, got shape {arr.shape}")
    if unit:
        arr, zero = unit_rows(arr)  # scaled first: no overflow or underflow of the norm
        if np.any(zero):
            raise ValueError(f"{_where(owner)}{name} must not contain zero-length vectors")
    return arr


def positive_scalar(value: object, name: str, owner: str | None = None) -> float:
    arr = real_array(value, name, owner)
    if arr.ndim != 0 or arr <= 0:
        raise ValueError(f"{_where(owner)}{name} must be a positive scalar, got {value!r}")
    return float(arr)


def batch_size(named_arrays: Mapping[str, tuple[npt.NDArray[Any], int]]) -> int:
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


def broadcast_rows(arr: npt.NDArray[np.float64], n: int, item_ndim: int) -> npt.NDArray[np.float64]:
    """Broadcast a per-trajectory input to ``n`` trajectories (scalars / single vectors repeat)."""
    if arr.ndim == item_ndim:
        arr = arr[np.newaxis]
    # a fresh, writeable C array: the kernels are compiled for exactly this array type
    return np.array(np.broadcast_to(arr, (n,) + arr.shape[1:]), dtype=np.float64, order="C")


def number(
    value: object,
    name: str,
    owner: str | None = None,
    low: float = -math.inf,
    high: float = math.inf,
    unit: str = "",
    low_open: bool = False,
) -> float:
    """One finite real number in ``[low, high]`` (``(low, high]`` with ``low_open``), as a float."""
    arr = real_array(value, name, owner)
    if arr.ndim != 0:
        raise ValueError(f"{_where(owner)}{name} must be a single number, got shape {arr.shape}")
    in_range(arr, name, low, high, unit, owner, low_open)
    return float(arr)


def in_range(
    arr: npt.ArrayLike,
    name: str,
    low: float,
    high: float,
    unit: str = "",
    owner: str | None = None,
    low_open: bool = False,
) -> None:
    """``ValueError`` naming ``name``, the first offending value and the range unless every value of ``arr``
    lies in ``[low, high]`` (``(low, high]`` with ``low_open``)."""
    arr = np.asarray(arr)
    bad = ~((arr > low) if low_open else (arr >= low)) | ~(arr <= high)
    if np.any(bad):
        shown = np.ravel(arr)[np.flatnonzero(np.ravel(bad))[0]].item()
        raise ValueError(
            f"{_where(owner)}{name} must be in {'(' if low_open else '['}{low:.3g}, {high:.3g}]"
            f"{' ' + unit if unit else ''}, got {shown!r}"
        )


def transport_value(value: object, field: str, owner: str | None = None) -> float:
    """A transport parameter (see :data:`TRANSPORT_RANGES`) as a float, refused outside its supported range."""
    low, high, unit = TRANSPORT_RANGES[field]
    return number(value, field, owner, low, high, unit)


def time_steps(duration: object, dt: object) -> tuple[float, float, int]:
    """``(duration, dt, n_steps)`` of a fixed-step integration; ValueError naming ``duration`` or ``dt`` unless
    both are positive numbers, ``duration`` a whole number of steps and ``n_steps <= MAX_STEPS``."""
    duration = number(duration, "duration", low=0.0, low_open=True, unit="s")
    dt = number(dt, "dt", low=0.0, low_open=True, unit="s")
    ratio = duration / dt
    if not ratio <= MAX_STEPS:  # also catches an overflow to inf
        raise ValueError(
            f"duration / dt = {ratio:.3g} steps: more than MAX_STEPS = {MAX_STEPS:.0e} steps a trajectory "
            "(fastspin.validation); take a larger dt or a shorter duration"
        )
    n_steps = int(round(ratio))
    if n_steps < 1 or abs(n_steps * dt - duration) > 1e-9 * duration:
        raise ValueError(f"duration ({duration}) must be a whole number of steps dt ({dt}), at least one")
    return duration, dt, n_steps
