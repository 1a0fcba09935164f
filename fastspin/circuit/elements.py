"""Circuit elements of the easy-plane MTJ in SI units (Louis et al. 2025, Eqs. 50-72).

Every function is vectorized over ``charge`` ``Q`` (C) and ``flux`` ``Phi`` (Wb) (numpy broadcasting)
and takes the parameter objects of :mod:`fastspin.circuit.parameters`.  The constitutive laws ``V_C = dE/dQ`` and
``I_L = dE/dPhi`` (Eqs. 58-59) are what the integrator and the netlist use; the differential ``C``,
``L`` and ``Omega`` (Eqs. 60-62) describe the small-signal circuit (``L`` changes sign where the
in-plane energy has a maximum, so no simulator element should be built from it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from . import reduced
from .reduced import Real
from .variables import angles_from_charge_flux

if TYPE_CHECKING:
    from .parameters import EasyPlaneFreeLayer, FixedLayer, MTJCircuit


def _fields(free_layer):
    bx, by, bz = free_layer.applied_field
    return free_layer.gamma, free_layer.hard_axis_field, free_layer.easy_axis_field, bx, by, bz


def energy(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """Macrospin energy ``E(Q, Phi)`` (J), Louis Eq. 54:

    ``S_s gamma [-(B_x cos(phi) + B_y sin(phi)) sin(theta) - B_z cos(theta) + B_d cos^2(theta)/2
    - B_a cos^2(phi) sin^2(theta)/2]``.
    """
    cos_t, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    gamma, hard, easy, bx, by, bz = _fields(free_layer)
    cos_p = np.cos(phi)
    bracket = (
        -(bx * cos_p + by * np.sin(phi)) * sin_t
        - bz * cos_t
        + 0.5 * hard * cos_t * cos_t
        - 0.5 * easy * cos_p * cos_p * sin_t * sin_t
    )
    return free_layer.spin * gamma * bracket


def capacitor_voltage(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """``V_C = dE/dQ`` (V), Louis Eq. 58."""
    cos_t, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    rate = reduced.capacitor_voltage_rate(cos_t, sin_t, np.cos(phi), np.sin(phi), *_fields(free_layer))
    return free_layer.flux_unit * rate


def inductor_current(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """``I_L = dE/dPhi`` (A), Louis Eq. 59."""
    _, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    gamma, _, easy, bx, by, _ = _fields(free_layer)
    rate = reduced.inductor_current_rate(sin_t, np.cos(phi), np.sin(phi), gamma, easy, bx, by)
    return free_layer.charge_unit * rate


def differential_capacitance(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """``C = (d^2E/dQ^2)^-1`` (F), Louis Eq. 60:
    ``1/(gamma Z_s [B_d + B_a cos^2(phi) + (B_x cos(phi) + B_y sin(phi))/sin^3(theta)])``."""
    _, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    gamma, hard, easy, bx, by, _ = _fields(free_layer)
    cos_p = np.cos(phi)
    stiffness = hard + easy * cos_p * cos_p + (bx * cos_p + by * np.sin(phi)) / sin_t**3
    return 1.0 / (gamma * free_layer.z_s * stiffness)


def differential_inductance(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """``L = (d^2E/dPhi^2)^-1`` (H), Louis Eq. 61:
    ``(Z_s/gamma) / [(B_x cos(phi) + B_y sin(phi)) sin(theta) + B_a cos(2 phi) sin^2(theta)]``."""
    _, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    gamma, _, easy, bx, by, _ = _fields(free_layer)
    stiffness = (bx * np.cos(phi) + by * np.sin(phi)) * sin_t + easy * np.cos(2.0 * phi) * sin_t * sin_t
    return free_layer.z_s / gamma / stiffness


def charge_flux_coupling(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike, flux: npt.ArrayLike) -> Real:
    """``Omega = d^2E/(dQ dPhi)`` (rad/s), Louis Eq. 62:
    ``gamma cos(theta) [B_a sin(2 phi) + (B_x sin(phi) - B_y cos(phi))/sin(theta)]``."""
    cos_t, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    gamma, _, easy, bx, by, _ = _fields(free_layer)
    return gamma * cos_t * (easy * np.sin(2.0 * phi) + (bx * np.sin(phi) - by * np.cos(phi)) / sin_t)


def easy_plane_capacitance(free_layer: EasyPlaneFreeLayer) -> float:
    """``C_0 = 1/(gamma B_d Z_s)`` (F), the limit of Eq. 60 for large ``B_d`` near ``theta = pi/2`` (Eq. 63)."""
    return 1.0 / (free_layer.gamma * free_layer.hard_axis_field * free_layer.z_s)


def easy_plane_inductance(free_layer: EasyPlaneFreeLayer, flux: npt.ArrayLike) -> Real:
    """``L(Phi) = (Z_s/gamma)/(B_x cos(phi) + B_y sin(phi) + B_a cos(2 phi))`` (H): Eq. 61 at
    ``theta = pi/2``, Louis Eq. 64."""
    phi = np.asarray(flux, dtype=float) / free_layer.flux_unit
    gamma, _, easy, bx, by, _ = _fields(free_layer)
    return free_layer.z_s / gamma / (bx * np.cos(phi) + by * np.sin(phi) + easy * np.cos(2.0 * phi))


def damping_resistances(free_layer: EasyPlaneFreeLayer, charge: npt.ArrayLike) -> tuple[Real, Real]:
    """``(R_L, R_C) = (Z_s/(alpha sin^2(theta)), alpha Z_s/sin^2(theta))`` (Ohm), Louis Eq. 50.

    ``R_L`` is infinite for ``alpha = 0`` (no damping: an open branch).
    """
    cos_t, sin_t, _ = angles_from_charge_flux(free_layer, charge, np.zeros_like(np.asarray(charge, dtype=float)))
    sin2 = sin_t * sin_t
    alpha = free_layer.alpha
    with np.errstate(divide="ignore"):
        r_l = free_layer.z_s / (alpha * sin2)
    return r_l, alpha * free_layer.z_s / sin2


def mtj_resistance(fixed_layer: FixedLayer, cos_beta: npt.ArrayLike) -> Real:
    """``R(cos beta) = R_perp / (1 + eta^2 cos(beta))`` (Ohm), Louis Eq. 65 with Eqs. 67-68."""
    return fixed_layer.junction.resistance(np.asarray(cos_beta, dtype=float))


def junction_cos_beta(
    free_layer: EasyPlaneFreeLayer, fixed_layer: FixedLayer, charge: npt.ArrayLike, flux: npt.ArrayLike
) -> Real:
    """``cos(beta) = p . m`` between a fixed layer and the free layer, Louis Eq. 66."""
    cos_t, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    return reduced.cos_beta(cos_t, sin_t, np.cos(phi), np.sin(phi), *fixed_layer.direction)


def _torque_rate(free_layer, fixed_layer, junction_voltage):
    """``sigma = (eta/2)(V/R_perp)/Q_0`` (rad/s), the prefactor of Eqs. 71-72 in rate form."""
    volts = np.asarray(junction_voltage, dtype=float)
    return 0.5 * fixed_layer.eta * volts / fixed_layer.r_perp / free_layer.charge_unit


def spin_potential(
    free_layer: EasyPlaneFreeLayer,
    fixed_layer: FixedLayer,
    charge: npt.ArrayLike,
    flux: npt.ArrayLike,
    junction_voltage: npt.ArrayLike,
) -> Real:
    """Spin-current potential ``P_s = (hbar/e)(eta/2)(V/R_perp) p . m`` (J), Louis Eq. 70."""
    sigma = _torque_rate(free_layer, fixed_layer, junction_voltage)
    return free_layer.spin * sigma * junction_cos_beta(free_layer, fixed_layer, charge, flux)


def spin_current_source(
    free_layer: EasyPlaneFreeLayer,
    fixed_layer: FixedLayer,
    charge: npt.ArrayLike,
    flux: npt.ArrayLike,
    junction_voltage: npt.ArrayLike,
) -> Real:
    """``I_s`` (A), Louis Eq. 71; ``junction_voltage`` is ``V(fixed side) - V(free side)`` (V)."""
    cos_t, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    sigma = _torque_rate(free_layer, fixed_layer, junction_voltage)
    px, py, pz = fixed_layer.direction
    rate = reduced.spin_current_source_rate(cos_t, sin_t, np.cos(phi), np.sin(phi), sigma, px, py, pz)
    return free_layer.charge_unit * rate


def spin_voltage_source(
    free_layer: EasyPlaneFreeLayer,
    fixed_layer: FixedLayer,
    charge: npt.ArrayLike,
    flux: npt.ArrayLike,
    junction_voltage: npt.ArrayLike,
) -> Real:
    """``V_s`` (V), Louis Eq. 72; ``junction_voltage`` is ``V(fixed side) - V(free side)`` (V)."""
    _, sin_t, phi = angles_from_charge_flux(free_layer, charge, flux)
    sigma = _torque_rate(free_layer, fixed_layer, junction_voltage)
    px, py, _ = fixed_layer.direction
    return free_layer.flux_unit * reduced.spin_voltage_source_rate(sin_t, np.cos(phi), np.sin(phi), sigma, px, py)


def junction_voltages(
    circuit: MTJCircuit, charge: npt.ArrayLike, flux: npt.ArrayLike, source_voltage: npt.ArrayLike
) -> tuple[Real, Real, npt.NDArray[np.float64]]:
    """Voltages and current of the drive circuit for a source voltage (V) and state ``(Q, Phi)``.

    Returns ``(v_mtj, current, v_junctions)``: ``V_MTJ = V(plus) - V(minus)`` (V), the current from
    ``plus`` to ``minus`` through the MTJ (A), and for each fixed layer ``V(fixed side) - V(free side)``
    (``+I R_1`` for the first layer, ``-I R_2`` for the second), shape ``(n_fixed, ...)``.
    """
    layers = circuit.fixed_layers
    resistances = [mtj_resistance(f, junction_cos_beta(circuit.free_layer, f, charge, flux)) for f in layers]
    total = sum(resistances)
    series = circuit.drive.series_resistance if circuit.drive is not None else 0.0
    current = np.asarray(source_voltage, dtype=float) / (series + total)
    signs = (1.0, -1.0)
    v_junctions = np.stack([signs[k] * current * r for k, r in enumerate(resistances)])
    return current * total, current, v_junctions
