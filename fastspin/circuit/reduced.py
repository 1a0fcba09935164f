"""Circuit laws of the easy-plane MTJ in rate form, shared by :mod:`.elements` and the integrator kernel.

Plain functions of scalars or numpy arrays (no Python objects), so :mod:`.integrator` compiles them with
Numba and :mod:`.elements` calls them on arrays: one implementation of each law.  Dividing a charge by
``Q_0 = (e/hbar) S_s`` and a flux by ``Phi_0 = hbar/e`` (Louis Eq. 29) turns currents into ``1/s`` and
voltages into ``rad/s``, and the spin impedance ``Z_s = Phi_0/Q_0`` (Eq. 33) into 1: the circuit laws
below are Louis's with ``Z_s = 1``.  Angles enter as ``cos_t = cos(theta)``, ``sin_t = sin(theta) > 0``,
``cos_p = cos(phi)``, ``sin_p = sin(phi)`` (computed once per state by the caller).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: a scalar (inside the Numba kernel) or an array of them (:mod:`.elements`)
Real: TypeAlias = "float | npt.NDArray[np.float64]"


def capacitor_voltage_rate(
    cos_t: Real,
    sin_t: Real,
    cos_p: Real,
    sin_p: Real,
    gamma: float,
    hard: float,
    easy: float,
    bx: float,
    by: float,
    bz: float,
) -> Real:
    """``V_C / Phi_0`` (rad/s): ``gamma[-(B_x cos(phi) + B_y sin(phi)) cot(theta) + B_z
    - (B_d + B_a cos^2(phi)) cos(theta)]``, Louis Eq. 58."""
    return gamma * (-(bx * cos_p + by * sin_p) * cos_t / sin_t + bz - (hard + easy * cos_p * cos_p) * cos_t)


def inductor_current_rate(
    sin_t: Real, cos_p: Real, sin_p: Real, gamma: float, easy: float, bx: float, by: float
) -> Real:
    """``I_L / Q_0`` (1/s): ``gamma[(B_x sin(phi) - B_y cos(phi)) sin(theta)
    + (B_a/2) sin(2 phi) sin^2(theta)]``, Louis Eq. 59."""
    return gamma * ((bx * sin_p - by * cos_p) * sin_t + easy * sin_p * cos_p * sin_t * sin_t)


def cos_beta(cos_t: Real, sin_t: Real, cos_p: Real, sin_p: Real, px: float, py: float, pz: float) -> Real:
    """``cos(beta) = p . m``, Louis Eq. 66."""
    return (px * cos_p + py * sin_p) * sin_t + pz * cos_t


def spin_current_source_rate(
    cos_t: Real, sin_t: Real, cos_p: Real, sin_p: Real, torque_rate: Real, px: float, py: float, pz: float
) -> Real:
    """``I_s / Q_0`` (1/s): ``sigma [p_z sin(theta) - (p_x cos(phi) + p_y sin(phi)) cos(theta)] sin(theta)``,
    Louis Eq. 71, with ``torque_rate`` ``sigma = (eta/2)(V/R_perp)/Q_0`` (rad/s)."""
    return torque_rate * (pz * sin_t - (px * cos_p + py * sin_p) * cos_t) * sin_t


def spin_voltage_source_rate(sin_t: Real, cos_p: Real, sin_p: Real, torque_rate: Real, px: float, py: float) -> Real:
    """``V_s / Phi_0`` (rad/s): ``sigma (p_x sin(phi) - p_y cos(phi)) / sin(theta)``, Louis Eq. 72."""
    return torque_rate * (px * sin_p - py * cos_p) / sin_t


def kirchhoff_rates(current_rate: Real, voltage_rate: Real, alpha: float, sin2_t: Real) -> tuple[Real, Real]:
    """Solve Kirchhoff's laws (Louis Eqs. 48-49) for ``(dq/dt, dphi/dt)``, ``q = Q/Q_0``, ``phi = Phi/Phi_0``.

    ``current_rate = (I_s - I_L)/Q_0`` and ``voltage_rate = (V_C + V_s)/Phi_0``.  With ``I_C = Q_0 dq/dt``,
    ``V_L = Phi_0 dphi/dt``, ``R_L = Z_s/(alpha sin^2)``, ``R_C = alpha Z_s/sin^2`` (Eq. 50) the two laws
    read ``dq/dt + alpha sin^2 dphi/dt = current_rate`` and ``dphi/dt - (alpha/sin^2) dq/dt = voltage_rate``;
    their determinant is ``1 + alpha^2`` (``1 + R_C/R_L``), never zero.
    """
    inv = 1.0 / (1.0 + alpha * alpha)
    dq = (current_rate - alpha * sin2_t * voltage_rate) * inv
    dphi = (voltage_rate + alpha * current_rate / sin2_t) * inv
    return dq, dphi


def source_voltage(t: float, amplitude: float, delay: float, rise_time: float, width: float, fall_time: float) -> float:
    """Piecewise-linear drive of :class:`~fastspin.circuit.VoltageDrive` at time ``t`` (V)."""
    if t < delay:
        return 0.0
    x = t - delay
    if x < rise_time:
        return amplitude * x / rise_time
    x -= rise_time
    if x < width:
        return amplitude
    x -= width
    if x < fall_time:
        return amplitude * (1.0 - x / fall_time)
    return 0.0
