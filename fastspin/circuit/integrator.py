"""Macrospin dynamics in charge-flux form (Louis et al. 2025, Eqs. 44-51), batched RK4 in Numba.

The state of each trajectory is ``q = Q/Q_0 = -cos(theta)`` and ``phi = Phi/Phi_0`` (Eq. 29); the rates
come from Kirchhoff's laws of the equivalent circuit (Eqs. 48-49) with the constitutive sources
``V_C``, ``I_L`` (Eqs. 58-59), the damping resistors ``R_L``, ``R_C`` (Eq. 50) and one pair of
spin-current sources ``I_s``, ``V_s`` per fixed layer (Eqs. 71-72) fed by the junction voltages of the
drive circuit (source, series resistor, ``R(cos beta)`` of Eq. 65 for each fixed layer).  Time is SI.

At a pole (``sin(theta) < min_sin_theta``) the coordinates are singular: the kernel stops that
trajectory, fills the rest of its record with NaN, and :func:`~fastspin.circuit.trajectories` raises
:class:`~fastspin.circuit.PoleError` (or returns the NaN-padded record with
``on_pole="nan"``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from numba import njit, prange

from .. import validation as v
from ..columns import attach_units
from . import reduced
from .elements import junction_cos_beta, junction_voltages, mtj_resistance
from .parameters import MTJCircuit
from .reduced import Real
from .variables import MIN_SIN_THETA, PoleError, charge_flux_from_m, check_min_sin_theta, m_from_charge_flux

#: options of the inlined laws (``dict[str, Any]``: the keywords of numba.njit); divisions never raise in a kernel
_INLINE: dict[str, Any] = dict(cache=True, inline="always", error_model="numpy")
_capacitor_voltage_rate = njit(**_INLINE)(reduced.capacitor_voltage_rate)
_inductor_current_rate = njit(**_INLINE)(reduced.inductor_current_rate)
_cos_beta = njit(**_INLINE)(reduced.cos_beta)
_spin_current_source_rate = njit(**_INLINE)(reduced.spin_current_source_rate)
_spin_voltage_source_rate = njit(**_INLINE)(reduced.spin_voltage_source_rate)
_kirchhoff_rates = njit(**_INLINE)(reduced.kirchhoff_rates)
_source_voltage = njit(**_INLINE)(reduced.source_voltage)


@njit(**_INLINE)
def _junction_resistance(fixed, k, cos_t, sin_t, cos_p, sin_p):
    """``R_perp/(1 + eta^2 cos(beta))`` of fixed layer ``k`` (Eq. 65); ``fixed[k] = (px, py, pz, R_perp, eta)``."""
    cos_b = _cos_beta(cos_t, sin_t, cos_p, sin_p, fixed[k, 0], fixed[k, 1], fixed[k, 2])
    return fixed[k, 3] / (1.0 + fixed[k, 4] ** 2 * cos_b)


@njit(**_INLINE)
def _rates(q, phi, v_source, free, fixed, n_fixed, series):
    """``(dq/dt, dphi/dt)`` of one state; ``free = (gamma, alpha, B_d, B_a, B_x, B_y, B_z, Q_0)``."""
    gamma, alpha, hard, easy, bx, by, bz, charge_unit = (
        free[0],
        free[1],
        free[2],
        free[3],
        free[4],
        free[5],
        free[6],
        free[7],
    )
    cos_t = -q
    sin2 = (1.0 - q) * (1.0 + q)
    sin_t = math.sqrt(sin2)
    cos_p = math.cos(phi)
    sin_p = math.sin(phi)
    current_rate = -_inductor_current_rate(sin_t, cos_p, sin_p, gamma, easy, bx, by)
    voltage_rate = _capacitor_voltage_rate(cos_t, sin_t, cos_p, sin_p, gamma, hard, easy, bx, by, bz)
    if n_fixed > 0:
        r0 = _junction_resistance(fixed, 0, cos_t, sin_t, cos_p, sin_p)
        r1 = _junction_resistance(fixed, 1, cos_t, sin_t, cos_p, sin_p) if n_fixed > 1 else 0.0
        current = v_source / (series + r0 + r1)
        for k in range(n_fixed):
            v_junction = current * r0 if k == 0 else -current * r1  # V(fixed side) - V(free side)
            sigma = 0.5 * fixed[k, 4] * v_junction / fixed[k, 3] / charge_unit
            px, py, pz = fixed[k, 0], fixed[k, 1], fixed[k, 2]
            current_rate += _spin_current_source_rate(cos_t, sin_t, cos_p, sin_p, sigma, px, py, pz)
            voltage_rate += _spin_voltage_source_rate(sin_t, cos_p, sin_p, sigma, px, py)
    return _kirchhoff_rates(current_rate, voltage_rate, alpha, sin2)


@njit(cache=True, parallel=True, error_model="numpy")
def _charge_flux_rk4(
    q0, phi0, amplitude, free, fixed, n_fixed, drive, dt, n_steps, record_every, min_sin2, out_q, out_phi, pole_step
):
    """RK4 over a batch of (q, phi) trajectories; records every ``record_every`` steps."""
    series, delay, rise, width, fall = drive[0], drive[1], drive[2], drive[3], drive[4]
    half = 0.5 * dt
    for i in prange(q0.shape[0]):
        q = q0[i]
        phi = phi0[i]
        amp = amplitude[i]
        out_q[i, 0] = q
        out_phi[i, 0] = phi
        pole_step[i] = -1
        for step in range(n_steps):
            t = step * dt
            v_a = _source_voltage(t, amp, delay, rise, width, fall)
            v_b = _source_voltage(t + half, amp, delay, rise, width, fall)
            v_c = _source_voltage(t + dt, amp, delay, rise, width, fall)
            k1q, k1p = _rates(q, phi, v_a, free, fixed, n_fixed, series)
            k2q, k2p = _rates(q + half * k1q, phi + half * k1p, v_b, free, fixed, n_fixed, series)
            k3q, k3p = _rates(q + half * k2q, phi + half * k2p, v_b, free, fixed, n_fixed, series)
            k4q, k4p = _rates(q + dt * k3q, phi + dt * k3p, v_c, free, fixed, n_fixed, series)
            q += dt / 6.0 * (k1q + 2.0 * k2q + 2.0 * k3q + k4q)
            phi += dt / 6.0 * (k1p + 2.0 * k2p + 2.0 * k3p + k4p)
            if not ((1.0 - q) * (1.0 + q) >= min_sin2 and math.isfinite(phi)):
                pole_step[i] = step + 1
                for r in range((step + 1 + record_every - 1) // record_every, out_q.shape[1]):
                    out_q[i, r] = math.nan
                    out_phi[i, r] = math.nan
                break
            if (step + 1) % record_every == 0:
                r = (step + 1) // record_every
                out_q[i, r] = q
                out_phi[i, r] = phi


def _time_grid(duration, dt, record_every):
    _, _, n_steps = v.time_steps(duration, dt)
    record_every = v.integer(record_every, "record_every", 1, v.MAX_STEPS)
    if n_steps % record_every:
        raise ValueError(f"the number of steps ({n_steps}) must be a multiple of record_every ({record_every})")
    return n_steps


def _kernel_parameters(circuit):
    free = circuit.free_layer
    bx, by, bz = free.applied_field
    free_par = np.array(
        [free.gamma, free.alpha, free.hard_axis_field, free.easy_axis_field, bx, by, bz, free.charge_unit]
    )
    fixed_par = np.zeros((2, 5))  # per layer: px, py, pz, r_perp, eta
    for k, layer in enumerate(circuit.fixed_layers):
        fixed_par[k] = (*layer.direction, layer.r_perp, layer.eta)
    drive = circuit.drive
    if drive is None:
        drive_par = np.array([0.0, 0.0, 0.0, math.inf, 0.0])
    else:
        drive_par = np.array([drive.series_resistance, drive.delay, drive.rise_time, drive.width, drive.fall_time])
    return free_par, fixed_par, drive_par


def _batch_inputs(circuit, m0, voltage, min_sin_theta):
    if not isinstance(circuit, MTJCircuit):
        raise TypeError(f"circuit must be an MTJCircuit, got {type(circuit).__name__}")
    check_min_sin_theta(min_sin_theta)
    m0 = v.real_array(m0, "m0")
    if m0.ndim not in (1, 2) or m0.shape[-1] != 3:
        raise ValueError(f"m0 must have shape (3,) or (n, 3), got {m0.shape}")
    charge, flux = charge_flux_from_m(circuit.free_layer, np.atleast_2d(m0), min_sin_theta=min_sin_theta, name="m0")
    if voltage is None:
        voltage = 0.0 if circuit.drive is None else circuit.drive.voltage
    elif circuit.drive is None:
        raise ValueError("voltage needs a circuit with a drive")
    voltage = np.asarray(voltage, dtype=float)
    if not np.all(np.isfinite(voltage)):
        raise ValueError("voltage must be finite")
    if voltage.ndim > 1:
        raise ValueError(f"voltage must be a scalar or a 1-d array, got shape {voltage.shape}")
    try:
        charge, flux, voltage = np.broadcast_arrays(charge, flux, voltage)
    except ValueError:
        raise ValueError(f"m0 ({m0.shape}) and voltage ({voltage.shape}) do not broadcast") from None
    free = circuit.free_layer
    return np.array(charge / free.charge_unit), np.array(flux / free.flux_unit), np.array(voltage)


def trajectories(
    circuit: MTJCircuit,
    *,
    m0: npt.ArrayLike,
    duration: float,
    dt: float,
    record_every: int = 1,
    voltage: npt.ArrayLike | None = None,
    min_sin_theta: float = MIN_SIN_THETA,
    on_pole: str = "raise",
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Integrate the charge-flux equations for a batch of initial states (and drive voltages).

    ``m0`` is ``(3,)`` or ``(n, 3)``; ``voltage`` (V) overrides ``circuit.drive.voltage`` and broadcasts
    against the batch.  Returns ``(t, charge, flux)``: times ``(n_rec,)`` (s), ``Q`` and ``Phi``
    ``(n, n_rec)`` in C and Wb.  ``on_pole="raise"`` raises :class:`PoleError` if any trajectory
    reaches ``sin(theta) < min_sin_theta``; ``on_pole="nan"`` leaves NaN after that point instead.
    """
    if on_pole not in ("raise", "nan"):
        raise ValueError(f"on_pole must be 'raise' or 'nan', got {on_pole!r}")
    n_steps = _time_grid(duration, dt, record_every)
    q0, phi0, amplitude = _batch_inputs(circuit, m0, voltage, min_sin_theta)
    free_par, fixed_par, drive_par = _kernel_parameters(circuit)
    n_rec = n_steps // record_every + 1
    out_q = np.empty((q0.shape[0], n_rec))
    out_phi = np.empty((q0.shape[0], n_rec))
    pole_step = np.empty(q0.shape[0], dtype=np.int64)
    _charge_flux_rk4(
        q0,
        phi0,
        amplitude,
        free_par,
        fixed_par,
        len(circuit.fixed_layers),
        drive_par,
        float(dt),
        n_steps,
        record_every,
        min_sin_theta**2,
        out_q,
        out_phi,
        pole_step,
    )
    hit = np.flatnonzero(pole_step >= 0)
    if hit.size and on_pole == "raise":
        i = int(hit[0])
        raise PoleError(
            f"trajectory {i} reached a pole (sin(theta) < {min_sin_theta:g}) at t = {pole_step[i] * dt:.6g} s; "
            "the charge-flux variables are singular there (Louis Sec. III); use fastspin.dynamics instead"
        )
    t = np.arange(n_rec) * (record_every * dt)
    free = circuit.free_layer
    return t, out_q * free.charge_unit, out_phi * free.flux_unit


def circuit_frame(
    circuit: MTJCircuit,
    t: npt.ArrayLike,
    charge: npt.ArrayLike,
    flux: npt.ArrayLike,
    *,
    source_voltage: npt.ArrayLike | None = None,
    v_mtj: npt.ArrayLike | None = None,
    i_mtj: npt.ArrayLike | None = None,
) -> pd.DataFrame:
    """Label one trajectory as a DataFrame, one row per time.

    Columns: time, charge, flux, mx, my, mz and, with fixed layers, source_voltage, v_mtj, i_mtj,
    r_mtj (Eq. 65 summed over the fixed layers) and cos_beta_k per fixed layer.  ``source_voltage``
    defaults to the drive waveform at ``t``; ``v_mtj``, ``i_mtj`` default to the drive circuit solved
    for the state (a simulator passes its own).
    """
    t = np.asarray(t, dtype=float)
    free = circuit.free_layer
    m = m_from_charge_flux(free, charge, flux)
    frame: dict[str, Real] = {
        "time": t,
        "charge": np.asarray(charge, dtype=float),
        "flux": np.asarray(flux, dtype=float),
        "mx": m[:, 0],
        "my": m[:, 1],
        "mz": m[:, 2],
    }
    if circuit.fixed_layers:
        if source_voltage is None:
            drive = circuit.drive
            source_voltage = np.zeros_like(t) if drive is None else np.interp(t, *drive.breakpoints())
        solved_v, solved_i, _ = junction_voltages(circuit, charge, flux, source_voltage)
        frame["source_voltage"] = np.asarray(source_voltage, dtype=float)
        frame["v_mtj"] = solved_v if v_mtj is None else np.asarray(v_mtj, dtype=float)
        frame["i_mtj"] = solved_i if i_mtj is None else np.asarray(i_mtj, dtype=float)
        resistance: Real = 0.0
        for k, layer in enumerate(circuit.fixed_layers):
            cos_b = junction_cos_beta(free, layer, charge, flux)
            frame[f"cos_beta_{k + 1}"] = cos_b
            resistance = resistance + mtj_resistance(layer, cos_b)
        frame["r_mtj"] = resistance
    return attach_units(pd.DataFrame(frame))


def simulate(
    circuit: MTJCircuit,
    *,
    m0: npt.ArrayLike,
    duration: float,
    dt: float,
    record_every: int = 1,
    min_sin_theta: float = MIN_SIN_THETA,
) -> pd.DataFrame:
    """One charge-flux trajectory as a DataFrame (see :func:`circuit_frame` for the columns).

    Raises :class:`PoleError` if the trajectory reaches a pole.
    """
    m0 = np.asarray(m0, dtype=float)
    if m0.shape != (3,):
        raise ValueError(f"m0 must be a 3-vector for simulate, got shape {m0.shape}; use trajectories for a batch")
    t, charge, flux = trajectories(
        circuit, m0=m0, duration=duration, dt=dt, record_every=record_every, min_sin_theta=min_sin_theta
    )
    return circuit_frame(circuit, t, charge[0], flux[0])
