"""Outcomes of each trajectory, tracked on the fly inside the kernels and labelled at the edge.

Tracked at every (accepted) step, per trajectory, from the state ``m`` at time ``t`` and ``dm/dt``:

* switching time: first time ``m . p - threshold`` changes sign with respect to its initial sign
  (linear interpolation between the two steps);
* over the analysis window (the last ``window`` fraction of the run): the extrema of ``m . e`` (sign
  changes of ``dm/dt . e``, linearly interpolated) give the precession frequency
  ``(n_extrema - 1) / (2 (t_last - t_first))``; the ranges of ``m . e`` and ``m . p`` give the
  amplitude and tell static from precessing states; time averages of ``m``, ``cos(theta) = m . p`` and
  ``1 / (1 + eta^2 cos(theta))`` (the MTJ resistance over R_perp, Louis Eq. 65).

No per-step storage: a handful of numbers per trajectory and free magnet.  For a system of several
magnets each free magnet has its own tracker, against its own reference axis ``p`` (fastspin.dynamics.system).
"""
import numpy as np

from .core.jit import leaf

# rows of a lane's tracking state
S_PREV, SIDE, T_SWITCH, D_PREV, N_EXT, T_FIRST, T_LAST = 0, 1, 2, 3, 4, 5, 6
E_MIN, E_MAX, C_MIN, C_MAX = 7, 8, 9, 10
SUM_MX, SUM_MY, SUM_MZ, SUM_C, SUM_RFAC, SUM_W = 11, 12, 13, 14, 15, 16
N_TRACK = 17

# columns of a free magnet's block of the kernels' output array (block k starts at k * N_OUT_MAGNET)
O_MX, O_MY, O_MZ = 0, 1, 2
O_T_SWITCH, O_N_EXT, O_T_FIRST, O_T_LAST = 3, 4, 5, 6
O_E_MIN, O_E_MAX, O_C_MIN, O_C_MAX = 7, 8, 9, 10
O_MEAN_MX, O_MEAN_MY, O_MEAN_MZ, O_MEAN_C, O_MEAN_RFAC = 11, 12, 13, 14, 15
N_OUT_MAGNET = 16
# columns after the magnets' blocks (adaptive integrator counters), counted from the end
O_ACCEPTED, O_REJECTED, O_FAILED = -3, -2, -1
N_OUT_RUN = 3


def output_columns(n_free):
    """Width of the kernels' output array for ``n_free`` free magnets."""
    return n_free * N_OUT_MAGNET + N_OUT_RUN

STATES = ("parallel", "antiparallel", "canted", "in_plane_precession", "out_of_plane_precession")


@leaf
def track_init(S, base, stride, c_shift):
    """Reset a lane before its first point; ``c_shift = m0 . p - threshold``.

    A lane's tracking row ``r`` lives at ``S[base + r * stride]`` (a flat buffer with a compile-time
    stride keeps the lanes of a block independent for the vectorizer).
    """
    for r in range(N_TRACK):
        S[base + r * stride] = 0.0
    S[base + S_PREV * stride] = c_shift
    S[base + SIDE * stride] = 1.0 if c_shift >= 0.0 else -1.0
    S[base + T_SWITCH * stride] = -1.0
    S[base + E_MIN * stride] = 2.0
    S[base + E_MAX * stride] = -2.0
    S[base + C_MIN * stride] = 2.0
    S[base + C_MAX * stride] = -2.0


@leaf
def track_point(S, base, stride, t, h, in_window, c_shift, c, d_e, e_val, mx, my, mz, rfac):
    """Account for the point at time ``t`` reached by a step of length ``h``.

    ``c_shift = m . p - threshold``, ``c = m . p``, ``d_e = dm/dt . e``, ``e_val = m . e``, ``rfac`` the
    MTJ resistance over R_perp (0 without an MTJ); ``in_window`` is the same for every lane of a block.
    Written with selects, not branches, so that the loop over the lanes of a block vectorizes.
    """
    i_sw = base + T_SWITCH * stride
    i_sp = base + S_PREV * stride
    s_prev = S[i_sp]
    crossed = (S[i_sw] < 0.0) and (S[base + SIDE * stride] * c_shift < 0.0)
    den = c_shift - s_prev
    den = den if den != 0.0 else 1.0
    S[i_sw] = (t - h * c_shift / den) if crossed else S[i_sw]
    S[i_sp] = c_shift
    i_dp = base + D_PREV * stride
    i_n = base + N_EXT * stride
    d_prev = S[i_dp]
    ext = in_window and d_prev * d_e < 0.0
    den = d_e - d_prev
    den = den if den != 0.0 else 1.0
    t_ext = t - h * d_e / den
    first = ext and S[i_n] == 0.0
    S[i_n] += 1.0 if ext else 0.0
    S[base + T_FIRST * stride] = t_ext if first else S[base + T_FIRST * stride]
    S[base + T_LAST * stride] = t_ext if ext else S[base + T_LAST * stride]
    S[i_dp] = d_e
    S[base + E_MIN * stride] = min(S[base + E_MIN * stride], e_val) if in_window else S[base + E_MIN * stride]
    S[base + E_MAX * stride] = max(S[base + E_MAX * stride], e_val) if in_window else S[base + E_MAX * stride]
    S[base + C_MIN * stride] = min(S[base + C_MIN * stride], c) if in_window else S[base + C_MIN * stride]
    S[base + C_MAX * stride] = max(S[base + C_MAX * stride], c) if in_window else S[base + C_MAX * stride]
    w = h if in_window else 0.0
    S[base + SUM_MX * stride] += w * mx
    S[base + SUM_MY * stride] += w * my
    S[base + SUM_MZ * stride] += w * mz
    S[base + SUM_C * stride] += w * c
    S[base + SUM_RFAC * stride] += w * rfac
    S[base + SUM_W * stride] += w


@leaf
def track_magnet(S, base, stride, t, h, in_window, threshold, x, y, z, kx, ky, kz, px, py, pz, ex, ey, ez, rfac):
    """:func:`track_point` of a magnet at ``m``, with ``dm/dt = k``, reference ``p`` and frequency axis ``e``."""
    c = x * px + y * py + z * pz
    track_point(S, base, stride, t, h, in_window, c - threshold, c, kx * ex + ky * ey + kz * ez,
                x * ex + y * ey + z * ez, x, y, z, rfac)


@leaf
def track_finish(S, base, stride, out, j, col, mx, my, mz):
    """Write a lane's outcomes to row ``j`` of ``out``, from column ``col`` on."""
    out[j, col + O_MX] = mx
    out[j, col + O_MY] = my
    out[j, col + O_MZ] = mz
    out[j, col + O_T_SWITCH] = S[base + T_SWITCH * stride]
    out[j, col + O_N_EXT] = S[base + N_EXT * stride]
    out[j, col + O_T_FIRST] = S[base + T_FIRST * stride]
    out[j, col + O_T_LAST] = S[base + T_LAST * stride]
    out[j, col + O_E_MIN] = S[base + E_MIN * stride]
    out[j, col + O_E_MAX] = S[base + E_MAX * stride]
    out[j, col + O_C_MIN] = S[base + C_MIN * stride]
    out[j, col + O_C_MAX] = S[base + C_MAX * stride]
    w = S[base + SUM_W * stride]
    w = w if w > 0.0 else 1.0
    out[j, col + O_MEAN_MX] = S[base + SUM_MX * stride] / w
    out[j, col + O_MEAN_MY] = S[base + SUM_MY * stride] / w
    out[j, col + O_MEAN_MZ] = S[base + SUM_MZ * stride] / w
    out[j, col + O_MEAN_C] = S[base + SUM_C * stride] / w
    out[j, col + O_MEAN_RFAC] = S[base + SUM_RFAC * stride] / w


def classify(out, polarization, normal, thermal, static_tolerance, collinear_tolerance):
    """State labels from the kernel outputs (vectorised NumPy).

    At T = 0: a trajectory is static when the ranges of ``m . e`` and ``m . p`` over the window are
    both below ``static_tolerance``; a static state is ``parallel`` / ``antiparallel`` when
    ``|m . p| > 1 - collinear_tolerance`` (final m), else ``canted``.  A precessing state is
    ``out_of_plane_precession`` when its time-averaged m lies more along the film normal than in the
    plane, else ``in_plane_precession``.  At T > 0 only ``parallel`` / ``antiparallel`` are used, from
    the sign of the time-averaged ``m . p`` (thermal fluctuations hide precession from this test).
    """
    mean_c = out[:, O_MEAN_C]
    if thermal:
        return np.where(mean_c >= 0.0, "parallel", "antiparallel")
    final_c = np.sum(out[:, [O_MX, O_MY, O_MZ]] * polarization, axis=1)
    static = ((out[:, O_E_MAX] - out[:, O_E_MIN] < static_tolerance)
              & (out[:, O_C_MAX] - out[:, O_C_MIN] < static_tolerance))
    mean_m = out[:, [O_MEAN_MX, O_MEAN_MY, O_MEAN_MZ]]
    out_of_plane = np.sum(mean_m * normal, axis=1)
    in_plane = np.linalg.norm(mean_m - out_of_plane[:, None] * normal, axis=1)
    return np.select(
        [static & (final_c > 1.0 - collinear_tolerance),
         static & (final_c < -(1.0 - collinear_tolerance)),
         static,
         np.abs(out_of_plane) > in_plane],
        ["parallel", "antiparallel", "canted", "out_of_plane_precession"],
        default="in_plane_precession",
    )


def magnet_columns(out, polarization, normal, thermal, static_tolerance, collinear_tolerance, r_perp):
    """Outcome columns of one free magnet from its block ``out`` (n, N_OUT_MAGNET): final m, state,
    switching, frequency, amplitude, averages (``r_perp`` in Ohm or None without an MTJ)."""
    state = classify(out, polarization, normal, thermal, static_tolerance, collinear_tolerance)
    t_switch = out[:, O_T_SWITCH]
    n_ext = out[:, O_N_EXT]
    span = out[:, O_T_LAST] - out[:, O_T_FIRST]
    precessing = np.isin(state, ("in_plane_precession", "out_of_plane_precession"))
    with np.errstate(divide="ignore", invalid="ignore"):
        frequency = np.where(precessing & (n_ext >= 3) & (span > 0), (n_ext - 1.0) / (2.0 * span), np.nan)
    frame = {}
    frame["mx"] = out[:, O_MX]
    frame["my"] = out[:, O_MY]
    frame["mz"] = out[:, O_MZ]
    frame["state"] = state
    frame["switched"] = t_switch >= 0.0
    frame["switching_time"] = np.where(t_switch >= 0.0, t_switch, np.nan)
    frame["frequency"] = frequency
    frame["amplitude"] = 0.5 * (out[:, O_E_MAX] - out[:, O_E_MIN])
    frame["mean_mx"] = out[:, O_MEAN_MX]
    frame["mean_my"] = out[:, O_MEAN_MY]
    frame["mean_mz"] = out[:, O_MEAN_MZ]
    frame["mean_cos_theta"] = out[:, O_MEAN_C]
    frame["mean_resistance"] = r_perp * out[:, O_MEAN_RFAC] if r_perp is not None else np.full(len(state), np.nan)
    return frame
