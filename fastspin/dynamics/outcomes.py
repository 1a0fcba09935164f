"""Outcomes of each trajectory and free magnet, tracked on the fly inside the kernels and labelled at the edge.

Tracked at every (accepted) step from the state ``m`` at time ``t``, ``dm/dt``, and the magnet's axes: its
reference ``p`` (against which it is parallel or antiparallel), the frequency axis ``e`` (perpendicular
to ``p``), ``f = p x e``, the film normal ``n`` and an in-plane axis ``a`` (``n``, ``a``, ``n x a``
right-handed):

* crossings of ``m . p`` through ``threshold`` (linear interpolation between steps): the first one, the
  last one and their number; the side of ``p`` the run starts and ends on (``switched``: ends on the
  other side; ``switching_time``: the last crossing, into the final side);
* over the analysis window (the last ``window`` fraction of the run), split into two halves: the ranges
  of ``m . e`` and ``m . p`` in each half (static or precessing; settled or still growing or decaying),
  the range of ``m . n`` (does the orbit keep the sign of ``m_n``?), the winding of the in-plane
  projection of ``m`` around ``n`` in quarter turns (quadrant changes of ``(m . a, m . (n x a))``), the
  extrema of ``m . e`` and of ``m . f`` (sign changes of ``dm/dt . e``, ``dm/dt . f``) that give the frequency
  ``(n_extrema - 1) / (2 (t_last - t_first))`` (the smaller of the two: :func:`fundamental_frequency`), and the
  time integrals of ``m``, the MTJ resistance
  factor, and of the orbit energy ``Q = h1 (m . e)^2 + h2 (m . f)^2`` in each half (divided by the known
  durations at the edge into averages; ``<m . p> = <m> . p``) (with the
  stiffness fields ``h1``, ``h2`` of the linearised energy about ``+-p`` this is the energy of a small orbit,
  whose window average grows or decays as ``exp(2 lambda t)``, lambda the real part of the eigenvalue of the
  linearised motion, free of the oscillation at twice the precession frequency that the instantaneous
  energy has).

No per-step storage: a few dozen numbers per trajectory and free magnet, written with selects rather than
branches so that the loop over the lanes of a block vectorizes.
"""

from typing import Any

import numpy as np
import numpy.typing as npt

from .core.jit import leaf

# rows of a lane's tracking state
S_PREV, SIDE, T_FIRST_CROSS, T_LAST_CROSS, N_CROSS = 0, 1, 2, 3, 4
D_PREV, N_EXT, T_FIRST, T_LAST = 5, 6, 7, 8
E_MIN1, E_MAX1, E_MIN2, E_MAX2, C_MIN1, C_MAX1, C_MIN2, C_MAX2 = 9, 10, 11, 12, 13, 14, 15, 16
N_MIN, N_MAX, Q_PREV, WIND = 17, 18, 19, 20
SUM_MX, SUM_MY, SUM_MZ, SUM_RFAC, SUM_Q1, SUM_Q2 = 21, 22, 23, 24, 25, 26
D_PREV_F, N_EXT_F, T_FIRST_F, T_LAST_F = 27, 28, 29, 30
N_TRACK = 31

# columns of a free magnet's block of the kernels' output array (block k starts at k * N_OUT_MAGNET)
O_MX, O_MY, O_MZ, O_SIDE, O_FINAL_SIDE = 0, 1, 2, 3, 4
O_T_FIRST_CROSS, O_T_LAST_CROSS, O_N_CROSS, O_N_EXT, O_T_FIRST, O_T_LAST = 5, 6, 7, 8, 9, 10
O_E_MIN1, O_E_MAX1, O_E_MIN2, O_E_MAX2, O_C_MIN1, O_C_MAX1, O_C_MIN2, O_C_MAX2 = 11, 12, 13, 14, 15, 16, 17, 18
O_N_MIN, O_N_MAX, O_WIND = 19, 20, 21
O_SUM_MX, O_SUM_MY, O_SUM_MZ, O_SUM_RFAC, O_SUM_Q1, O_SUM_Q2 = 22, 23, 24, 25, 26, 27  # time integrals over the halves
O_N_EXT_F, O_T_FIRST_F, O_T_LAST_F = 28, 29, 30
N_OUT_MAGNET = 31
# columns after the magnets' blocks (adaptive integrator counters), counted from the end
O_ACCEPTED, O_REJECTED, O_FAILED = -3, -2, -1
N_OUT_RUN = 3

LINEAR_ORBIT = 0.2  #: orbits whose ranges of m.e and m.p stay below this are tested by their energy

STATES = ("parallel", "antiparallel", "canted", "static_out_of_plane", "in_plane_precession", "out_of_plane_precession")


def output_columns(n_free: int) -> int:
    """Width of the kernels' output array for ``n_free`` free magnets."""
    return n_free * N_OUT_MAGNET + N_OUT_RUN


@leaf
def track_init(S: npt.NDArray[np.float64], base: int, stride: int, c_shift: float) -> None:
    """Reset a lane before its first point; ``c_shift = m0 . p - threshold``.

    A lane's tracking row ``r`` lives at ``S[base + r * stride]`` (a flat buffer with a compile-time
    stride keeps the lanes of a block independent for the vectorizer).
    """
    for r in range(N_TRACK):
        S[base + r * stride] = 0.0
    S[base + S_PREV * stride] = c_shift
    S[base + SIDE * stride] = 1.0 if c_shift >= 0.0 else -1.0
    S[base + T_FIRST_CROSS * stride] = -1.0
    S[base + T_LAST_CROSS * stride] = -1.0
    S[base + Q_PREV * stride] = -1.0
    for r in (E_MIN1, E_MIN2, C_MIN1, C_MIN2, N_MIN):
        S[base + r * stride] = 2.0
    for r in (E_MAX1, E_MAX2, C_MAX1, C_MAX2, N_MAX):
        S[base + r * stride] = -2.0


@leaf
def track_point(
    S: npt.NDArray[np.float64],
    base: int,
    stride: int,
    t: float,
    h: float,
    part: int,
    c_shift: float,
    c: float,
    d_e: float,
    d_f: float,
    e_val: float,
    f_val: float,
    n_val: float,
    a_val: float,
    b_val: float,
    mx: float,
    my: float,
    mz: float,
    rfac: float,
    h1: float,
    h2: float,
) -> None:
    """Account for the point at time ``t`` reached by a step of length ``h``.

    ``part``: 0 before the analysis window, 1 and 2 its first and second halves (the same for every lane
    of a block).  ``c_shift = m . p - threshold``, ``c = m . p``, ``d_e = dm/dt . e``, ``d_f = dm/dt . f``;
    ``e_val``, ``f_val``,
    ``n_val``, ``a_val``, ``b_val`` the projections of m on e, f, n, a and n x a; ``rfac`` the MTJ
    resistance over R_perp (0 without an MTJ); ``h1``, ``h2`` the weights of the orbit energy.
    """
    # crossings of m . p through the threshold
    i_sp = base + S_PREV * stride
    s_prev = S[i_sp]
    crossed = (s_prev < 0.0) != (c_shift < 0.0)
    den = c_shift - s_prev
    den = den if den != 0.0 else 1.0
    t_cross = t - h * c_shift / den
    i_first = base + T_FIRST_CROSS * stride
    S[i_first] = t_cross if (crossed and S[i_first] < 0.0) else S[i_first]
    i_last = base + T_LAST_CROSS * stride
    S[i_last] = t_cross if crossed else S[i_last]
    S[base + N_CROSS * stride] += 1.0 if crossed else 0.0
    S[i_sp] = c_shift
    if part > 0:  # the analysis window (the kernels call the step with a constant part: no branch remains)
        _track_window(
            S, base, stride, t, h, part, c, d_e, d_f, e_val, f_val, n_val, a_val, b_val, mx, my, mz, rfac, h1, h2
        )


@leaf
def _track_extrema(S, base, stride, t, h, d, r_prev, r_count, r_first, r_last):
    """Count the extrema of a projection of m (sign changes of its derivative ``d``) and keep the times (linearly
    interpolated) of the first and the last, in rows ``r_count``, ``r_first``, ``r_last`` (``r_prev``: ``d`` at
    the previous point)."""
    i_dp = base + r_prev * stride
    i_n = base + r_count * stride
    d_prev = S[i_dp]
    ext = d_prev * d < 0.0
    den = d - d_prev
    den = den if den != 0.0 else 1.0
    t_ext = t - h * d / den
    first = ext and S[i_n] == 0.0
    S[i_n] += 1.0 if ext else 0.0
    S[base + r_first * stride] = t_ext if first else S[base + r_first * stride]
    S[base + r_last * stride] = t_ext if ext else S[base + r_last * stride]
    S[i_dp] = d


@leaf
def _track_window(
    S, base, stride, t, h, part, c, d_e, d_f, e_val, f_val, n_val, a_val, b_val, mx, my, mz, rfac, h1, h2
):
    """The window part of :func:`track_point` (``part`` 1 or 2)."""
    # extrema of m . e and of m . f (frequency)
    _track_extrema(S, base, stride, t, h, d_e, D_PREV, N_EXT, T_FIRST, T_LAST)
    _track_extrema(S, base, stride, t, h, d_f, D_PREV_F, N_EXT_F, T_FIRST_F, T_LAST_F)
    # ranges in each half of the window, and of m . n over the whole window
    half = 0 if part == 1 else 2
    S[base + (E_MIN1 + half) * stride] = min(S[base + (E_MIN1 + half) * stride], e_val)
    S[base + (E_MAX1 + half) * stride] = max(S[base + (E_MAX1 + half) * stride], e_val)
    S[base + (C_MIN1 + half) * stride] = min(S[base + (C_MIN1 + half) * stride], c)
    S[base + (C_MAX1 + half) * stride] = max(S[base + (C_MAX1 + half) * stride], c)
    S[base + N_MIN * stride] = min(S[base + N_MIN * stride], n_val)
    S[base + N_MAX * stride] = max(S[base + N_MAX * stride], n_val)
    # winding of the in-plane projection around the normal, in quarter turns (quadrants 0..3 counterclockwise)
    quadrant = (1.0 if b_val >= 0.0 else 2.0) if a_val < 0.0 else (0.0 if b_val >= 0.0 else 3.0)
    i_q = base + Q_PREV * stride
    step = quadrant - S[i_q]
    step = step + 4.0 if step < 0.0 else step
    turn = (1.0 if step == 1.0 else (-1.0 if step == 3.0 else 0.0)) if S[i_q] >= 0.0 else 0.0
    S[base + WIND * stride] += turn
    S[i_q] = quadrant
    # time averages
    q = h1 * e_val * e_val + h2 * f_val * f_val
    S[base + SUM_MX * stride] += h * mx
    S[base + SUM_MY * stride] += h * my
    S[base + SUM_MZ * stride] += h * mz
    S[base + SUM_RFAC * stride] += h * rfac
    S[base + (SUM_Q1 if part == 1 else SUM_Q2) * stride] += h * q


@leaf
def track_magnet(
    S: npt.NDArray[np.float64],
    base: int,
    stride: int,
    t: float,
    h: float,
    part: int,
    threshold: float,
    x: float,
    y: float,
    z: float,
    kx: float,
    ky: float,
    kz: float,
    px: float,
    py: float,
    pz: float,
    ex: float,
    ey: float,
    ez: float,
    fx: float,
    fy: float,
    fz: float,
    nx: float,
    ny: float,
    nz: float,
    ax: float,
    ay: float,
    az: float,
    bx: float,
    by: float,
    bz: float,
    h1: float,
    h2: float,
    rfac: float,
) -> None:
    """:func:`track_point` of a magnet at ``m`` with ``dm/dt = k``, reference ``p``, frequency axis ``e``,
    ``f = p x e``, normal ``n``, in-plane axes ``a`` and ``b = n x a``."""
    c = x * px + y * py + z * pz
    track_point(
        S,
        base,
        stride,
        t,
        h,
        part,
        c - threshold,
        c,
        kx * ex + ky * ey + kz * ez,
        kx * fx + ky * fy + kz * fz,
        x * ex + y * ey + z * ez,
        x * fx + y * fy + z * fz,
        x * nx + y * ny + z * nz,
        x * ax + y * ay + z * az,
        x * bx + y * by + z * bz,
        x,
        y,
        z,
        rfac,
        h1,
        h2,
    )


@leaf
def track_finish(
    S: npt.NDArray[np.float64],
    base: int,
    stride: int,
    out: npt.NDArray[np.float64],
    j: int | np.uint64,
    col: int,
    mx: float,
    my: float,
    mz: float,
) -> None:
    """Write a lane's outcomes to row ``j`` of ``out``, from column ``col`` on."""
    out[j, col + O_MX] = mx
    out[j, col + O_MY] = my
    out[j, col + O_MZ] = mz
    out[j, col + O_SIDE] = S[base + SIDE * stride]
    out[j, col + O_FINAL_SIDE] = 1.0 if S[base + S_PREV * stride] >= 0.0 else -1.0
    for r, o in (
        (T_FIRST_CROSS, O_T_FIRST_CROSS),
        (T_LAST_CROSS, O_T_LAST_CROSS),
        (N_CROSS, O_N_CROSS),
        (N_EXT, O_N_EXT),
        (T_FIRST, O_T_FIRST),
        (T_LAST, O_T_LAST),
        (N_EXT_F, O_N_EXT_F),
        (T_FIRST_F, O_T_FIRST_F),
        (T_LAST_F, O_T_LAST_F),
        (E_MIN1, O_E_MIN1),
        (E_MAX1, O_E_MAX1),
        (E_MIN2, O_E_MIN2),
        (E_MAX2, O_E_MAX2),
        (C_MIN1, O_C_MIN1),
        (C_MAX1, O_C_MAX1),
        (C_MIN2, O_C_MIN2),
        (C_MAX2, O_C_MAX2),
        (N_MIN, O_N_MIN),
        (N_MAX, O_N_MAX),
        (WIND, O_WIND),
    ):
        out[j, col + o] = S[base + r * stride]
    out[j, col + O_SUM_MX] = S[base + SUM_MX * stride]
    out[j, col + O_SUM_MY] = S[base + SUM_MY * stride]
    out[j, col + O_SUM_MZ] = S[base + SUM_MZ * stride]
    out[j, col + O_SUM_RFAC] = S[base + SUM_RFAC * stride]
    out[j, col + O_SUM_Q1] = S[base + SUM_Q1 * stride]
    out[j, col + O_SUM_Q2] = S[base + SUM_Q2 * stride]


def _label_static(direction, polarization, normal, collinear_tolerance):
    """Static labels of unit ``direction`` s: parallel / antiparallel within ``collinear_tolerance`` of
    ``+-p``, else ``static_out_of_plane`` when m lies more along the normal than in the plane, else canted."""
    c = np.sum(direction * polarization, axis=1)
    along_n = np.abs(np.sum(direction * normal, axis=1))
    in_plane = np.sqrt(np.maximum(0.0, 1.0 - along_n**2))
    return np.select(
        [c > 1.0 - collinear_tolerance, c < -(1.0 - collinear_tolerance), along_n > in_plane],
        ["parallel", "antiparallel", "static_out_of_plane"],
        default="canted",
    )


def classify(
    out: npt.NDArray[np.float64],
    halves: tuple[float, float],
    polarization: npt.NDArray[np.float64],
    normal: npt.NDArray[np.float64],
    thermal: bool,
    static_tolerance: float,
    collinear_tolerance: float,
    settle_tolerance: float,
    energy_weights: bool = False,
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.bool_]]:
    """``(state, settled)`` per trajectory from one magnet's block ``out`` (vectorised NumPy).

    At T = 0: ``range_k`` is the larger of the ranges of ``m . e`` and ``m . p`` in half ``k`` of the
    window.  The run is static when both ranges and that of ``m . n`` stay below ``static_tolerance``;
    it is ``settled`` when static or when ``|range_2 - range_1| <= settle_tolerance max(range_1, range_2)``.
    A static run is labelled by its final m, a decaying unsettled one by the direction of its window-mean
    m (the state it decays to): ``parallel`` / ``antiparallel`` within ``collinear_tolerance`` (on
    ``1 - |m . p|``) of ``+-p``, else ``static_out_of_plane`` (more along the normal than in the plane), else
    ``canted``.  Otherwise (settled orbits and growing ones) it is ``out_of_plane_precession`` when the orbit
    keeps the sign of ``m . n`` and its in-plane azimuth winds at least once around the normal, else
    ``in_plane_precession``.  With ``energy_weights`` (the orbit energy is the linearised energy about
    ``+-p``: ``stiffness`` given), a run that ends on its start side with an orbit of amplitude below
    ``LINEAR_ORBIT`` is settled, growing or decaying by the window averages of that energy instead
    (``|Q_2 / Q_1 - 1| <= settle_tolerance``): in the linear regime they change as ``exp(2 lambda t)``
    exactly, without the sampling jitter of the ranges, so the label changes where the linear stability
    of the start state does, whatever the duration.  At T > 0 only ``parallel`` / ``antiparallel`` are
    used, from the sign of the time-averaged ``m . p`` (thermal fluctuations hide precession from these
    tests), and every run counts as settled.
    """
    n = out.shape[0]
    mean_m = (out[:, O_SUM_MX : O_SUM_MZ + 1]) / (halves[0] + halves[1])
    if thermal:
        mean_c = np.sum(mean_m * polarization, axis=1)
        return np.where(mean_c >= 0.0, "parallel", "antiparallel"), np.ones(n, dtype=bool)
    range_1 = np.maximum(out[:, O_E_MAX1] - out[:, O_E_MIN1], out[:, O_C_MAX1] - out[:, O_C_MIN1])
    range_2 = np.maximum(out[:, O_E_MAX2] - out[:, O_E_MIN2], out[:, O_C_MAX2] - out[:, O_C_MIN2])
    range_1, range_2 = np.maximum(range_1, 0.0), np.maximum(range_2, 0.0)
    span = np.maximum(
        np.maximum(out[:, O_E_MAX1], out[:, O_E_MAX2]) - np.minimum(out[:, O_E_MIN1], out[:, O_E_MIN2]),
        np.maximum(out[:, O_C_MAX1], out[:, O_C_MAX2]) - np.minimum(out[:, O_C_MIN1], out[:, O_C_MIN2]),
    )
    static = (span < static_tolerance) & (out[:, O_N_MAX] - out[:, O_N_MIN] < static_tolerance)
    settled = static | (np.abs(range_2 - range_1) <= settle_tolerance * np.maximum(range_1, range_2))
    decaying = ~settled & (range_2 < range_1)
    if energy_weights and halves[0] > 0:
        q_1, q_2 = out[:, O_SUM_Q1] / halves[0], out[:, O_SUM_Q2] / halves[1]
        linear = (out[:, O_FINAL_SIDE] == out[:, O_SIDE]) & (np.maximum(range_1, range_2) < LINEAR_ORBIT) & (q_1 > 0)
        by_energy = np.abs(q_2 - q_1) <= settle_tolerance * np.maximum(q_1, q_2)
        settled = np.where(linear & ~static, by_energy, settled)
        decaying = np.where(linear & ~static, ~by_energy & (q_2 < q_1), decaying)
    final_m = out[:, [O_MX, O_MY, O_MZ]]
    norm = np.linalg.norm(mean_m, axis=1, keepdims=True)
    centre = np.where(norm > 0, mean_m / np.where(norm > 0, norm, 1.0), final_m)
    rest = np.where(
        static,
        _label_static(final_m, polarization, normal, collinear_tolerance),
        _label_static(centre, polarization, normal, collinear_tolerance),
    )
    keeps_sign = (out[:, O_N_MIN] > 0.0) | (out[:, O_N_MAX] < 0.0)
    winds = np.abs(out[:, O_WIND]) >= 4.0
    orbit = np.where(keeps_sign & winds, "out_of_plane_precession", "in_plane_precession")
    return np.where(static | decaying, rest, orbit), settled


MIN_EXTREMA_F = 5  #: extrema of m . f (two periods) before its frequency counts: a drift is no oscillation


def fundamental_frequency(out: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The precession frequency from the extrema of ``m . e`` and of ``m . f`` in the analysis window: each
    projection of a periodic orbit has at least two extrema per period, so ``(n - 1) / (2 span)`` is the
    fundamental or a multiple of it (a large in-plane orbit that crosses the equator gives ``m . e`` three
    extrema a half period); the smaller of the two estimates (``m . e`` from 3 extrema, ``m . f`` from
    ``MIN_EXTREMA_F``) is the fundamental.  NaN without an oscillation."""
    estimates = []
    for n_col, first, last, least in (
        (O_N_EXT, O_T_FIRST, O_T_LAST, 3),
        (O_N_EXT_F, O_T_FIRST_F, O_T_LAST_F, MIN_EXTREMA_F),
    ):
        n_ext, span = out[:, n_col], out[:, last] - out[:, first]
        with np.errstate(divide="ignore", invalid="ignore"):
            estimates.append(np.where((n_ext >= least) & (span > 0), (n_ext - 1.0) / (2.0 * span), np.inf))
    lowest = np.minimum(*estimates)
    return np.where(np.isfinite(lowest), lowest, np.nan)


def magnet_columns(
    out: npt.NDArray[np.float64],
    halves: tuple[float, float],
    polarization: npt.NDArray[np.float64],
    normal: npt.NDArray[np.float64],
    thermal: bool,
    static_tolerance: float,
    collinear_tolerance: float,
    settle_tolerance: float,
    r_perp: float | None,
    energy_weights: bool = False,
) -> dict[str, npt.NDArray[Any]]:
    """Outcome columns of one free magnet from its block ``out`` (n, N_OUT_MAGNET): final m, state, settled,
    switching, frequency, amplitude, averages (``r_perp`` in Ohm or None without an MTJ).  ``halves``: the
    durations (s) of the two halves of the analysis window, which divide the tracked time integrals."""
    state, settled = classify(
        out,
        halves,
        polarization,
        normal,
        thermal,
        static_tolerance,
        collinear_tolerance,
        settle_tolerance,
        energy_weights,
    )
    window = halves[0] + halves[1]
    mean_m = out[:, O_SUM_MX : O_SUM_MZ + 1] / window
    precessing = np.isin(state, ("in_plane_precession", "out_of_plane_precession"))
    switched = out[:, O_FINAL_SIDE] != out[:, O_SIDE]
    first_cross = out[:, O_T_FIRST_CROSS]
    with np.errstate(divide="ignore", invalid="ignore"):
        frequency = np.where(precessing, fundamental_frequency(out), np.nan)
        q_1 = out[:, O_SUM_Q1] / halves[0] if halves[0] > 0 else np.zeros(len(state))
        ratio = np.where(q_1 > 0, out[:, O_SUM_Q2] / halves[1] / q_1, np.nan)
    e_max = np.maximum(out[:, O_E_MAX1], out[:, O_E_MAX2])
    e_min = np.minimum(out[:, O_E_MIN1], out[:, O_E_MIN2])
    return {
        "mx": out[:, O_MX],
        "my": out[:, O_MY],
        "mz": out[:, O_MZ],
        "state": state,
        "settled": settled,
        "switched": switched,
        "switching_time": np.where(switched, out[:, O_T_LAST_CROSS], np.nan),
        "first_crossing_time": np.where(first_cross >= 0.0, first_cross, np.nan),
        "frequency": frequency,
        "amplitude": np.maximum(0.5 * (e_max - e_min), 0.0),
        "mean_mx": mean_m[:, 0],
        "mean_my": mean_m[:, 1],
        "mean_mz": mean_m[:, 2],
        "mean_cos_theta": np.sum(mean_m * polarization, axis=1),
        "mean_resistance": r_perp * out[:, O_SUM_RFAC] / window if r_perp is not None else np.full(len(state), np.nan),
        "orbit_energy_ratio": ratio,
    }
