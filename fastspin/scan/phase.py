"""Phase diagrams: the zero phi_c of the torque, critical currents (linear stability and dynamic).

* :func:`find_phi_c`: where the in-plane torque ``tau_phi = a(phi) sin(phi)`` of a stack vanishes
  inside (0, pi) (Barnas et al. 2005, Sec. V, Fig. 5 and its inset), for a whole batch of stacks:
  ``a`` is evaluated on a coarse grid of angles in one batched solve, sign changes bracket the
  zeros, and a batched Illinois (modified regula falsi) iteration refines the first one.
* :func:`critical_currents_linear`: the current densities at which the P and AP states of a
  macrospin driven by the transport torque lose stability (Sun, Phys. Rev. B 62, 570 (2000), with
  the slopes ``a(0)``, ``a(pi)`` of ``tau_phi`` at 0 and pi and the field-like ``b``).
* :func:`critical_currents_dynamic`: the same thresholds read off a dynamic state map.
* :func:`dynamic_state_map`, :func:`phi_c_map`: the two maps as one call each (scans underneath).
"""
import math

import numpy as np
import pandas as pd

from ..constants import MU0
from ..conventions import stt_field_tesla

GPU_CHUNK_POINTS = 1 << 20  #: points per chunk of a state map on a GPU when not given


def _prefactor_a(stack, params):
    """``a(phi)`` (normalised by hbar I0/|e|, Eq. 39) of ``stack`` for flat ``params`` incl. ``phi``."""
    from ..transport import decompose, solve

    return decompose(solve(stack, params))["a"]


def find_phi_c(stack, params=None, *, n_coarse=64, xtol=1e-10, max_iter=60):
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
    from ..transport import decompose, solve

    params = {k: np.atleast_1d(np.asarray(v)) for k, v in (params or {}).items()}
    if "phi" in params:
        raise ValueError("find_phi_c: 'phi' is what is searched, it cannot be a parameter")
    lengths = {len(v) for v in params.values()}
    if len(lengths) > 1:
        raise ValueError(f"find_phi_c: parameters must have one length, got {sorted(lengths)}")
    n = lengths.pop() if lengths else 1
    if not isinstance(n_coarse, int) or n_coarse < 2:
        raise ValueError(f"find_phi_c: n_coarse must be an integer >= 2, got {n_coarse!r}")
    if not xtol > 0:
        raise ValueError(f"find_phi_c: xtol must be > 0, got {xtol!r}")
    angles = np.linspace(0.0, math.pi, n_coarse + 1)
    grid = {k: np.repeat(v, len(angles)) for k, v in params.items()}
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
        sub = {k: v[bracketed] for k, v in params.items()}
        k = first[bracketed]
        phi_c[bracketed] = _illinois(
            lambda idx, phi: _prefactor_a(stack, {**{q: v[idx] for q, v in sub.items()}, "phi": phi}),
            angles[k], a[bracketed, k], angles[k + 1], a[bracketed, k + 1], xtol, max_iter,
        )
    return pd.DataFrame({"phi_c": phi_c, "n_zeros": n_zeros, "a_0": a[:, 0], "a_pi": a[:, -1],
                         "b_0": b[:, 0], "b_pi": b[:, -1]})


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
        l, h, fl, fh = lo[active], hi[active], f_lo[active], f_hi[active]
        x = 0.5 * (l + h) if step % 4 == 3 else (l * fh - h * fl) / (fh - fl)
        x = np.clip(x, l, h)
        fx = f(active, x)
        zero = fx == 0
        root[active[zero]] = x[zero]
        towards_hi = (fx * fh > 0) & ~zero  # x replaces hi
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


def collinear_prefactors(torque):
    """``a`` and ``b`` at phi = 0 and pi (normalised by hbar I0/|e|) of a stack or torque table.

    ``torque`` is a :class:`~fastspin.stack.Stack` (exact limits from the transport engine) or a
    :class:`~fastspin.dynamics.TabulatedTorque` (its spline, i.e. what the dynamics integrates).
    """
    if hasattr(torque, "efficiency") and hasattr(torque, "field_like_efficiency"):
        ends = np.array([0.0, math.pi])
        a, b = torque.efficiency(ends) / 2.0, torque.field_like_efficiency(ends) / 2.0
    else:
        from ..transport import decompose, solve

        parts = decompose(solve(torque, {"phi": np.array([0.0, math.pi])}))
        a, b = parts["a"], parts["b"]
    return {"a_0": float(a[0]), "a_pi": float(a[1]), "b_0": float(b[0]), "b_pi": float(b[1])}


def _scalar(layer, name):
    value = np.asarray(getattr(layer, name), dtype=float)
    if value.size != 1:
        raise ValueError(f"critical currents: layer.{name} must be a single value, got shape {value.shape}")
    return float(value.reshape(-1)[0])


def critical_currents_linear(torque, layer, field):
    """Current densities (A/m^2) at which the P and AP states lose stability (linear stability).

    Model (the macrospin of :mod:`fastspin.dynamics`, conventions of :mod:`fastspin.conventions`):
    free layer ``layer`` with easy axis and fixed-layer magnetization ``p`` along x, diagonal demag
    ``N``, applied field ``B`` (``field``, T, along x), spin torque
    ``gamma a_J(theta) m x (m x p) - gamma b_J(theta) m x p`` with ``a_J = stt_field_tesla(J, Ms, d,
    2 a_n(theta))`` and ``b_J`` likewise from ``b_n``, where ``a_n, b_n`` are the transport
    prefactors of ``torque`` (:func:`collinear_prefactors`).  Linearising the LLG equation about
    ``m = s x`` (``s = +1`` for P, ``-1`` for AP) with stiffness fields
    ``H_1 = s (B + b_J) + B_k + mu0 Ms (N_y - N_x)`` (in plane) and
    ``H_2 = s (B + b_J) + B_k + mu0 Ms (N_z - N_x)`` (out of plane) gives the 2x2 matrix
    ``gamma/(1+alpha^2) [[A - alpha H_1, -H_2 - alpha A], [H_1 + alpha A, A - alpha H_2]]`` with
    ``A = s a_J``; the state becomes unstable when its trace changes sign,
    ``s a_J = alpha (H_1 + H_2) / 2`` (Sun, Phys. Rev. B 62, 570 (2000), Eq. 11, with the slope
    ``a(0)`` or ``a(pi)`` of ``tau_phi`` in place of a constant efficiency), that is

        J_c = alpha (s B + B_k + mu0 Ms ((N_y + N_z)/2 - N_x)) / (s k (a_n - alpha b_n)),
        k = hbar / (|e| Ms d).

    Returns a DataFrame with ``field`` and ``j_c_p``, ``j_c_ap`` (signed: the sign is the current
    direction that destabilises).  NaN means "no threshold": the state is not an energy minimum without
    current (``H_1 <= 0`` or ``H_2 <= 0`` at J = 0, e.g. at ``|B| >= B_k`` against it, where there is
    nothing to destabilise), or it is already statically unstable at threshold (the determinant of the
    matrix is not positive), or the torque cannot destabilise it (``a_n = alpha b_n``).
    """
    field = np.atleast_1d(np.asarray(field, dtype=float))
    easy = np.asarray(layer.easy_axis, dtype=float).reshape(-1, 3)
    if easy.shape[0] != 1 or not np.allclose(easy[0], (1.0, 0.0, 0.0)):
        raise ValueError("critical currents: the layer's easy_axis must be (1, 0, 0) (along p)")
    ms, thickness, alpha = _scalar(layer, "ms"), _scalar(layer, "thickness"), _scalar(layer, "alpha")
    b_k = _scalar(layer, "anisotropy_field")
    demag = np.asarray(layer.demag, dtype=float).reshape(-1, 3)
    if demag.shape[0] != 1:
        raise ValueError("critical currents: layer.demag must be one (N_x, N_y, N_z) triple")
    n_x, n_y, n_z = MU0 * ms * demag[0]
    pre = collinear_prefactors(torque)
    frame = {"field": field}
    for label, s, a_n, b_n in (("p", 1.0, pre["a_0"], pre["b_0"]), ("ap", -1.0, pre["a_pi"], pre["b_pi"])):
        k_a = stt_field_tesla(1.0, ms, thickness, 2.0 * a_n)  # a_J per unit J, T m^2/A
        k_b = stt_field_tesla(1.0, ms, thickness, 2.0 * b_n)
        with np.errstate(divide="ignore", invalid="ignore"):
            j_c = alpha * (s * field + b_k + 0.5 * (n_y + n_z) - n_x) / (s * (k_a - alpha * k_b))
        h1 = s * (field + k_b * j_c) + b_k + n_y - n_x
        h2 = s * (field + k_b * j_c) + b_k + n_z - n_x
        big_a = s * k_a * j_c
        det = (big_a - alpha * h1) * (big_a - alpha * h2) + (h2 + alpha * big_a) * (h1 + alpha * big_a)
        stable_at_rest = (s * field + b_k + n_y - n_x > 0) & (s * field + b_k + n_z - n_x > 0)
        frame[f"j_c_{label}"] = np.where(np.isfinite(j_c) & (det > 0) & stable_at_rest, j_c, np.nan)
    return pd.DataFrame(frame)


_START_STATE = {"P": "parallel", "AP": "antiparallel"}


def critical_currents_dynamic(frame, current="current_density", field="field", criterion="start_stable"):
    """Critical currents of P and AP read off a dynamic map (rows from both starts).

    For each field and start, the runs are ordered by current; the stable run containing the
    smallest ``|J|`` is followed outwards to the first current at which the start state is lost.
    A run is stable when column ``criterion`` is true (``"start_stable"``: the deviation from the
    start state shrank during the run, see :class:`~fastspin.scan.models.DynamicsModel`) or, with
    ``criterion="state"``, when it ends in the start state.  The critical current is the midpoint
    between the last stable and the first unstable current (uncertainty: half a grid step); when
    both directions lose the state, the smaller ``|J|`` is reported; NaN when the state is not
    stable at any current of the grid or not lost in it.
    """
    rows = []
    for value, group in frame.groupby(field, sort=True):
        row = {field: value}
        for start in ("P", "AP"):
            part = group[group["start"] == start].sort_values(current)
            if criterion == "state":
                stable = (part["state"].astype(str) == _START_STATE[start]).to_numpy()
            else:
                stable = part[criterion].to_numpy(dtype=bool)
            row[f"j_c_{start.lower()}"] = _boundary(part[current].to_numpy(), stable)
        rows.append(row)
    return pd.DataFrame(rows, columns=[field, "j_c_p", "j_c_ap"])


def _boundary(currents, stable):
    """Signed current midway between the stable run around J ~ 0 and the first instability."""
    if not stable.any():
        return np.nan
    start = int(np.argmin(np.where(stable, np.abs(currents), np.inf)))
    candidates = []
    up = start
    while up + 1 < len(currents) and stable[up + 1]:
        up += 1
    if up + 1 < len(currents):
        candidates.append(0.5 * (currents[up] + currents[up + 1]))
    down = start
    while down - 1 >= 0 and stable[down - 1]:
        down -= 1
    if down - 1 >= 0:
        candidates.append(0.5 * (currents[down] + currents[down - 1]))
    return min(candidates, key=abs) if candidates else np.nan


def dynamic_state_map(current_density, field, *, preset="barnas2005:fig5", starts=("P", "AP"), out=None,
                      executor="local", progress=True, chunk_size=None, executor_options=None, backend="cpu",
                      **model_parameters):
    """Macrospin states over current density x applied field from both P and AP starts.

    ``current_density`` (A/m^2) and ``field`` (T, along the easy axis and p) are 1-D grids; the free
    layer is the thin magnet of ``preset`` driven by its tabulated transport torque; further keywords
    are parameters of :class:`~fastspin.scan.dynamics_model.DynamicsModel` (``alpha``, ``ms``,
    ``anisotropy_field``, ``duration``, ``dt``, ...).  Returns the tidy frame of
    :func:`~fastspin.scan.run.run_scan` (columns ``start, field, current_density, state, phase,
    start_stable, ...``); with ``out`` it is also stored (and resumable) as Parquet.  ``backend``: ``"cpu"``,
    ``"cuda"`` or ``"auto"`` (fastspin.dynamics.backends); on a GPU the chunks default to ``GPU_CHUNK_POINTS``
    points (a GPU needs some 10^5 threads to be busy).
    """
    from ..dynamics.backends import resolve
    from .dynamics_model import DynamicsModel
    from .run import run_scan
    from .spec import Axis, ScanSpec

    if chunk_size is None and resolve(backend) == "cuda":
        chunk_size = GPU_CHUNK_POINTS
    model = DynamicsModel(preset=preset, **model_parameters)
    spec = ScanSpec(model, [Axis("start", list(starts)), Axis("field", np.atleast_1d(field)),
                            Axis("current_density", np.atleast_1d(current_density))], chunk_size=chunk_size)
    return run_scan(spec, out, executor=executor, progress=progress, backend=backend, **(executor_options or {}))


def phi_c_map(axes, *, preset="barnas2005:fig5", overrides=None, out=None, executor="local", progress=True,
              chunk_size=None, executor_options=None):
    """phi_c over a grid of transport parameters (``axes``: dict name -> 1-D values, SI).

    ``{"F1.beta": ..., "F1|N.gamma": ...}`` gives the inset of Barnas et al. 2005, Fig. 5;
    ``{"N.thickness": ..., "F2.thickness": ...}`` the dependence on thicknesses.  Returns the frame
    of :func:`~fastspin.scan.run.run_scan` with the columns of :func:`find_phi_c`.
    """
    from .models import PhiCModel
    from .run import run_scan
    from .spec import ScanSpec

    spec = ScanSpec(PhiCModel(preset, overrides), axes, chunk_size=chunk_size)
    return run_scan(spec, out, executor=executor, progress=progress, **(executor_options or {}))
