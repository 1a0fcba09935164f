"""Right-hand side of the LLGS equation for one macrospin (Numba, inlined into the batch kernels).

Gilbert form (Louis et al. 2025 Eq. 24 with the torque of fastspin/conventions.py):

    dm/dt = -gamma m x B_eff + alpha m x dm/dt + T_stt,
    T_stt = gamma a_J m x (m x p) - gamma b_J m x p,
    B_eff = B + B_ac cos(omega t) + B_k (m . u) u - mu0 Ms (N_x m_x, N_y m_y, N_z m_z) + B_thermal.

For a torque ``T`` perpendicular to ``m`` the Gilbert form is solved exactly by the
Landau-Lifshitz form used here,

    dm/dt = [T + alpha m x T] / (1 + alpha^2),   T = -gamma m x B_eff + T_stt.

Per-trajectory parameters live in one C-contiguous array ``P`` of shape (N_ROWS, n): row ``r`` holds
one quantity for every trajectory, so a block of trajectories reads contiguous memory (SIMD).
"""
import numpy as np
from numba import njit

from ..constants import GAMMA_E
from ._jit import LEAF

GAMMA = GAMMA_E  #: |gamma| of the free electron, rad/(s T)

# rows of the per-trajectory parameter array P
HX, HY, HZ = 0, 1, 2  # DC applied field, T
AX, AY, AZ = 3, 4, 5  # AC field amplitude, T (B_ac cos(omega t))
OMEGA = 6  # AC angular frequency, rad/s
PX, PY, PZ = 7, 8, 9  # fixed-layer magnetization direction p (unit)
UX, UY, UZ = 10, 11, 12  # easy axis u (unit)
BK = 13  # uniaxial anisotropy field, T
DX, DY, DZ = 14, 15, 16  # demagnetizing fields mu0 Ms N_i, T
ALPHA = 17  # Gilbert damping
GLL = 18  # gamma / (1 + alpha^2), rad/(s T)
DL = 19  # damping-like prefactor a_J at unit angular factor, T
FL = 20  # field-like prefactor b_J at unit angular factor, T
SIGMA = 21  # thermal field standard deviation per component for one step, T
EX, EY, EZ = 22, 23, 24  # axis e whose projection m . e gives frequency and amplitude (unit)
NX, NY, NZ = 25, 26, 27  # film normal n (unit), for in-plane / out-of-plane classification
N_ROWS = 28


def empty_parameters(n):
    return np.zeros((N_ROWS, n), dtype=np.float64)


@njit(**LEAF)
def rhs_point(mx, my, mz, P, j, f_dl, f_fl, ac, thx, thy, thz):
    """dm/dt (rad/s per unit m) of trajectory ``j`` at ``m``; ``f_dl``, ``f_fl`` angular torque factors,
    ``ac = cos(omega t)``, ``th*`` the thermal field (T)."""
    proj = mx * P[UX, j] + my * P[UY, j] + mz * P[UZ, j]
    bku = P[BK, j] * proj
    bx = P[HX, j] + P[AX, j] * ac + bku * P[UX, j] - P[DX, j] * mx + thx
    by = P[HY, j] + P[AY, j] * ac + bku * P[UY, j] - P[DY, j] * my + thy
    bz = P[HZ, j] + P[AZ, j] * ac + bku * P[UZ, j] - P[DZ, j] * mz + thz
    px, py, pz = P[PX, j], P[PY, j], P[PZ, j]
    a = P[DL, j] * f_dl
    b = P[FL, j] * f_fl
    # c = m x p and m x c = m x (m x p)
    cx = my * pz - mz * py
    cy = mz * px - mx * pz
    cz = mx * py - my * px
    mcx = my * cz - mz * cy
    mcy = mz * cx - mx * cz
    mcz = mx * cy - my * cx
    # T / gamma = -m x B + a m x (m x p) - b m x p
    tx = -(my * bz - mz * by) + a * mcx - b * cx
    ty = -(mz * bx - mx * bz) + a * mcy - b * cy
    tz = -(mx * by - my * bx) + a * mcz - b * cz
    alpha = P[ALPHA, j]
    g = P[GLL, j]
    return (g * (tx + alpha * (my * tz - mz * ty)),
            g * (ty + alpha * (mz * tx - mx * tz)),
            g * (tz + alpha * (mx * ty - my * tx)))
