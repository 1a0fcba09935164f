"""The zero phi_c of the in-plane torque, for a whole batch of stacks at once.

:func:`~fastspin.analysis.find_phi_c`: where the in-plane torque ``tau_phi = a(phi) sin(phi)`` of a stack vanishes
inside (0, pi) (Barnas et al. 2005, Sec. V, Fig. 5 and its inset; ``a`` normalised by ``hbar I0/|e|``, Eq. 39):
``a`` is evaluated on a coarse grid of angles in one batched solve, sign changes bracket the zeros, and a batched
Illinois (modified regula falsi) iteration refines the first one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..columns import attach_units
from ..transport import decompose, solve

if TYPE_CHECKING:
    from ..stack import Stack


def _prefactor_a(stack, params):
    """``a(phi)`` (normalised by hbar I0/|e|, Eq. 39) of ``stack`` for flat ``params`` incl. ``phi``."""
    return decompose(solve(stack, params))["a"]


def find_phi_c(
    stack: Stack,
    params: Mapping[str, npt.ArrayLike] | None = None,
    *,
    n_coarse: int = 64,
    xtol: float = 1e-10,
    max_iter: int = 60,
) -> pd.DataFrame:
    """Zero ``phi_c`` of ``tau_phi`` inside (0, pi) for each point of ``params``.

    Parameters
    ----------
    stack : fastspin.stack.Stack
    params : dict name -> 1-D array (all the same length ``n``), transport parameters as in
        :func:`fastspin.transport.evaluate` (not ``phi``); ``None`` for the stack itself (``n = 1``).
    n_coarse : int
        Intervals of the bracketing grid on [0, pi]; two zeros closer than ``pi / n_coarse`` may be
        missed (then ``n_zeros`` counts neither).
    xtol : float
        Width (rad) of the final bracket.

    Returns
    -------
    DataFrame, one row per point: ``phi_c`` (rad; the smallest zero; NaN where ``tau_phi`` has no
    zero inside (0, pi)), ``n_zeros`` (sign changes of ``a`` on the coarse grid), ``a_0`` and
    ``a_pi`` (``a`` at 0 and pi: the slopes ``d tau_phi / d phi`` at 0 and ``-d tau_phi/d phi``
    at pi) and ``b_0``, ``b_pi`` (field-like prefactor at 0 and pi).
    """
    arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in (params or {}).items()}
    if "phi" in arrays:
        raise ValueError("find_phi_c: 'phi' is what is searched, it cannot be a parameter")
    lengths = {len(v) for v in arrays.values()}
    if len(lengths) > 1:
        raise ValueError(f"find_phi_c: parameters must have one length, got {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    if not isinstance(n_coarse, int) or n_coarse < 2:
        raise ValueError(f"find_phi_c: n_coarse must be an integer >= 2, got {n_coarse!r}")
    if not xtol > 0:
        raise ValueError(f"find_phi_c: xtol must be > 0, got {xtol!r}")
    angles = np.linspace(0.0, math.pi, n_coarse + 1)
    grid = {k: np.repeat(v, len(angles)) for k, v in arrays.items()}
    grid["phi"] = np.tile(angles, n)
    parts = decompose(solve(stack, grid))
    a = parts["a"].reshape(n, len(angles))
    b = parts["b"].reshape(n, len(angles))

    change = a[:, :-1] * a[:, 1:] < 0
    exact = np.zeros_like(change)
    exact[:, 1:] = a[:, 1:-1] == 0  # a zero exactly on an interior grid angle
    n_zeros = change.sum(axis=1) + exact[:, 1:].sum(axis=1)
    first = np.argmax(change | exact, axis=1)
    has = (change | exact).any(axis=1)
    phi_c = np.full(n, np.nan)
    on_grid = has & exact[np.arange(n), first]
    phi_c[on_grid] = angles[first[on_grid]]
    bracketed = np.flatnonzero(has & ~on_grid)
    if bracketed.size:
        sub = {k: v[bracketed] for k, v in arrays.items()}
        k = first[bracketed]
        phi_c[bracketed] = _illinois(
            lambda idx, phi: _prefactor_a(stack, {**{q: v[idx] for q, v in sub.items()}, "phi": phi}),
            angles[k],
            a[bracketed, k],
            angles[k + 1],
            a[bracketed, k + 1],
            xtol,
            max_iter,
        )
    return attach_units(
        pd.DataFrame(
            {"phi_c": phi_c, "n_zeros": n_zeros, "a_0": a[:, 0], "a_pi": a[:, -1], "b_0": b[:, 0], "b_pi": b[:, -1]}
        )
    )


def _illinois(f, lo, f_lo, hi, f_hi, xtol, max_iter):
    """Batched Illinois iteration for brackets ``f_lo * f_hi < 0``; ``f(indices, x)`` is batched.

    Every fourth step is a bisection, so the bracket shrinks geometrically whatever the function.
    Returns the midpoints of the final brackets (width < ``xtol``); raises if ``max_iter`` is hit.
    """
    lo, hi, f_lo, f_hi = (np.array(x, dtype=float) for x in (lo, hi, f_lo, f_hi))
    side = np.zeros(lo.shape, dtype=np.int8)
    root = np.full(lo.shape, np.nan)
    active = np.arange(lo.size)
    for step in range(max_iter + 1):
        done = (hi[active] - lo[active]) < xtol
        root[active[done]] = 0.5 * (lo[active[done]] + hi[active[done]])
        active = active[~done]
        if not active.size:
            return root
        if step == max_iter:
            break
        low, high, f_low, f_high = lo[active], hi[active], f_lo[active], f_hi[active]
        x = 0.5 * (low + high) if step % 4 == 3 else (low * f_high - high * f_low) / (f_high - f_low)
        x = np.clip(x, low, high)
        fx = f(active, x)
        zero = fx == 0
        root[active[zero]] = x[zero]
        towards_hi = (fx * f_high > 0) & ~zero  # x replaces hi
        towards_lo = ~towards_hi & ~zero  # x replaces lo
        i_hi, i_lo = active[towards_hi], active[towards_lo]
        hi[i_hi], f_hi[i_hi] = x[towards_hi], fx[towards_hi]
        f_lo[i_hi] = np.where(side[i_hi] == -1, 0.5 * f_lo[i_hi], f_lo[i_hi])
        side[i_hi] = -1
        lo[i_lo], f_lo[i_lo] = x[towards_lo], fx[towards_lo]
        f_hi[i_lo] = np.where(side[i_lo] == 1, 0.5 * f_hi[i_lo], f_hi[i_lo])
        side[i_lo] = 1
        active = active[~zero]
    raise RuntimeError(f"find_phi_c: no convergence to {xtol} rad in {max_iter} iterations")
