"""Leaf physics of the macrospin equations: scalar functions, compiled per target (core.jit.leaf).

Units: fields and torque prefactors in tesla; a torque ``T`` here is ``(dm/dt) / gamma`` (tesla), so
the Gilbert equation of every free magnet (Louis et al. 2025 Eq. 24 with the torques of
fastspin/conventions.py) reads

    dm/dt = -gamma m x B_eff + alpha m x dm/dt + gamma T_extra,

solved exactly, for a torque perpendicular to ``m``, by the Landau-Lifshitz form
``dm/dt = gamma / (1 + alpha^2) [T + alpha m x T]`` with ``T = -m x B_eff + T_extra``
(:func:`landau_lifshitz`).
"""

import math

import numpy as np
import numpy.typing as npt

from ...constants import GAMMA_E
from .jit import leaf
from .vecmath import sin_any

GAMMA = GAMMA_E  #: |gamma| of the free electron, rad/(s T)


@leaf
def cross(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> tuple[float, float, float]:
    """``a x b``."""
    return ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx


@leaf
def dot(ax: float, ay: float, az: float, bx: float, by: float, bz: float) -> float:
    """``a . b``."""
    return ax * bx + ay * by + az * bz


@leaf
def anisotropy_demag_field(
    x: float, y: float, z: float, ux: float, uy: float, uz: float, bk: float, dx: float, dy: float, dz: float
) -> tuple[float, float, float]:
    """``B_k (m.u) u - (D_x m_x, D_y m_y, D_z m_z)`` (T): minus the gradient of the layer energy
    ``E/(Ms V) = -(B_k/2) (m.u)^2 + (1/2) sum_i D_i m_i^2`` (fastspin.dynamics.layer, Louis Eq. 25),
    ``D_i = mu0 Ms N_i``."""
    bku = bk * (x * ux + y * uy + z * uz)
    return bku * ux - dx * x, bku * uy - dy * y, bku * uz - dz * z


@leaf
def exchange_field(
    xb: float, yb: float, zb: float, cos_ab: float, bilinear: float, biquadratic: float, inv_ms_d: float
) -> tuple[float, float, float]:
    """Interlayer exchange field on magnet a (T), ``-(1/(Ms_a d_a)) d(E/A)/dm_a`` for
    ``E/A = -J1 m_a.m_b - J2 (m_a.m_b)^2``: ``(J1 + 2 J2 m_a.m_b) m_b / (Ms_a d_a)``."""
    s = (bilinear + 2.0 * biquadratic * cos_ab) * inv_ms_d
    return s * xb, s * yb, s * zb


@leaf
def tensor_field(
    xb: float,
    yb: float,
    zb: float,
    n00: float,
    n01: float,
    n02: float,
    n10: float,
    n11: float,
    n12: float,
    n20: float,
    n21: float,
    n22: float,
    scale: float,
) -> tuple[float, float, float]:
    """``-scale N m_b`` (T): the dipolar field of magnet b on a, ``scale = mu0 Ms_b`` for
    ``E = mu0 Ms_a Ms_b V_a m_a.N m_b`` (and ``mu0 Ms_a V_a / V_b`` with ``N^T`` on b)."""
    return (
        -scale * (n00 * xb + n01 * yb + n02 * zb),
        -scale * (n10 * xb + n11 * yb + n12 * zb),
        -scale * (n20 * xb + n21 * yb + n22 * zb),
    )


@leaf
def precession_torque(x: float, y: float, z: float, bx: float, by: float, bz: float) -> tuple[float, float, float]:
    """``-m x B`` (T)."""
    return -(y * bz - z * by), -(z * bx - x * bz), -(x * by - y * bx)


@leaf
def spin_torque(
    x: float, y: float, z: float, px: float, py: float, pz: float, a: float, b: float
) -> tuple[float, float, float]:
    """``a m x (m x p) - b m x p`` (T): damping-like ``a`` and field-like ``b`` prefactors of a
    spin-transfer or spin-orbit torque with polarization ``p`` (fastspin/conventions.py)."""
    cx = y * pz - z * py
    cy = z * px - x * pz
    cz = x * py - y * px
    return (a * (y * cz - z * cy) - b * cx, a * (z * cx - x * cz) - b * cy, a * (x * cy - y * cx) - b * cz)


@leaf
def landau_lifshitz(
    x: float, y: float, z: float, tx: float, ty: float, tz: float, alpha: float, gamma_ll: float
) -> tuple[float, float, float]:
    """``dm/dt = gamma_ll [T + alpha m x T]`` with ``gamma_ll = gamma / (1 + alpha^2)`` (rad/(s T))."""
    return (
        gamma_ll * (tx + alpha * (y * tz - z * ty)),
        gamma_ll * (ty + alpha * (z * tx - x * tz)),
        gamma_ll * (tz + alpha * (x * ty - y * tx)),
    )


@leaf
def unit(x: float, y: float, z: float) -> tuple[float, float, float]:
    """``m / |m|``."""
    inv = 1.0 / math.sqrt(x * x + y * y + z * z)
    return x * inv, y * inv, z * inv


@leaf
def rational_factor(q0: float, q1: float, q2: float, cos_theta: float) -> float:
    """``q0 / (q1 + q2 u)``, ``u`` = ``cos_theta`` clamped to [-1, 1] (fastspin.dynamics.torques)."""
    return q0 / (q1 + q2 * min(1.0, max(-1.0, cos_theta)))


@leaf
def table_factors(
    table: npt.NDArray[np.float64], offset: int, n_intervals: int, cos_theta: float
) -> tuple[float, float]:
    """``(2 a_n, 2 b_n)`` from the kernel table at ``table[offset:]`` of ``n_intervals`` uniform
    intervals of ``u = cos theta`` in [-1, 1], 8 doubles an interval (fastspin.dynamics.torques).

    Branch-free; the interval index is clamped as an integer, after the conversion, so that the read
    stays inside the table whatever ``cos_theta`` is.
    """
    u = min(1.0, max(-1.0, cos_theta))
    x = (u + 1.0) * (0.5 * np.float64(n_intervals))
    k = int(x)
    k = k if k > 0 else 0  # selects rather than min/max of integers (numba.cuda has no such overload)
    k = k if k < n_intervals - 1 else n_intervals - 1
    d = x - np.float64(k)
    r = offset + 8 * k
    f_dl = ((table[r] * d + table[r + 1]) * d + table[r + 2]) * d + table[r + 3]
    f_fl = ((table[r + 4] * d + table[r + 5]) * d + table[r + 6]) * d + table[r + 7]
    return f_dl, f_fl


@leaf
def trapezoid(t: float, delay: float, inv_rise: float, plateau_end: float, inv_fall: float) -> float:
    """Unit trapezoid of a pulse: 0 before ``delay``, a linear rise at slope ``inv_rise`` (1/s), 1 until
    ``plateau_end``, a linear fall at slope ``inv_fall``, then 0 (fastspin.dynamics.waveforms.Pulse).
    A zero rise or fall is a step: its slope is given as 1e300.  Branch-free."""
    up = min(1.0, max(0.0, (t - delay) * inv_rise))
    down = min(1.0, max(0.0, (t - plateau_end) * inv_fall))
    return up - down


@leaf
def ramp_segment(t: float, t_start: float, t_end: float) -> float:
    """``clamp(t, t_start, t_end) - t_start``: a piecewise-linear waveform is ``v_0 + sum_i s_i
    ramp_segment(t, t_i, t_{i+1})`` with the segment slopes ``s_i`` (branch-free)."""
    return min(max(t, t_start), t_end) - t_start


@leaf
def sine_wave(t: float, omega: float, phase: float) -> float:
    """``sin(omega t + phase)`` (branch-free, vectorizable: fastspin.dynamics.core.vecmath)."""
    return sin_any(omega * t + phase)


@leaf
def staircase(t: float, delay: float, inv_dwell: float, points: float) -> float:
    """Level of the round-trip staircase (fastspin.dynamics.waveforms.Staircase) at time ``t``: step
    ``k = floor((t - delay) / dwell)`` clamped to ``[0, 2 points - 1]``, ``1 - 2k/(points - 1)`` on the down
    branch (``k < points``), ``-1 + 2(k - points)/(points - 1)`` on the up branch (``points`` a float)."""
    x = max((t - delay) * inv_dwell, 0.0)
    k = min(np.float64(int(x)), 2.0 * points - 1.0)  # int() truncates: the floor of x >= 0
    span = points - 1.0
    down = 1.0 - 2.0 * k / span
    up = -1.0 + 2.0 * (k - points) / span
    return down if k < points else up
