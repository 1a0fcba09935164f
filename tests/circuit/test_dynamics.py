"""Charge-flux dynamics (Louis Eqs. 44-49) against the Cartesian LLGS of fastspin.dynamics, scipy, linear
theory and the circuit's own energy balance."""

import json
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from fastspin.circuit import (
    FixedLayer,
    MTJCircuit,
    PoleError,
    VoltageDrive,
    circuit_frame,
    m_from_charge_flux,
    simulate,
    trajectories,
)
from fastspin.circuit import elements as el

from . import devices as D

MEASURED = json.loads((Path(__file__).parent / "fixtures" / "circuit_measurements.json").read_text())


@pytest.mark.parametrize("case", list(D.LLGS_CASES))
@pytest.mark.compiled
def test_equals_cartesian_llgs_over_20_ns(case):
    """Q-Phi RK4 and the Cartesian RK4 of fastspin.dynamics (same dt = 0.1 ps) agree to 1e-6 over 20 ns."""
    t, m, m_ref = D.qphi_and_cartesian(case)
    deviation = np.abs(m - m_ref).max()
    assert deviation < 1e-6
    assert deviation <= 2 * MEASURED["qphi_vs_cartesian_max_dm"][case]
    # the run is what it claims: a precessing (free), relaxed (damped) or auto-oscillating (driven) magnet
    late = t > 10e-9
    amplitude = np.ptp(m[late, 1]) / 2
    assert {
        "free_precession": amplitude > 0.3,
        "damped_relaxation": amplitude < 1e-3,
        "driven_oscillation": amplitude > 0.3,
    }[case]
    if case != "damped_relaxation":
        frequency = D.crossing_frequency(t[late], m[late, 1])
        assert frequency == pytest.approx(MEASURED["qphi_frequency_hz"][case], rel=1e-6)


def _linear_theory(free, fixed, volts):
    """Linearised LLGS about m = p = x with field along x: growth rate Re(lambda) and frequency (rad/s).

    With H1 = B_x + B_a + B_d, H2 = B_x + B_a and a_J the STT field of Eq. 69,
    trace = gamma (2 a_J - alpha (H1 + H2))/(1 + alpha^2), det = gamma^2 (a_J^2 + H1 H2)/(1 + alpha^2).
    """
    g, a = free.gamma, free.alpha
    h2 = free.applied_field[0] + free.easy_axis_field
    h1 = h2 + free.hard_axis_field
    a_j = 0.5 * fixed.eta * volts / fixed.r_perp / free.charge_unit / g
    half_trace = g * (a_j - a * (h1 + h2) / 2) / (1 + a * a)
    det = g * g * (a_j * a_j + h1 * h2) / (1 + a * a)
    return half_trace, np.sqrt(det - half_trace**2)


def _threshold_voltage(free, fixed):
    """V_c where the growth rate of the linear mode changes sign: a_J(V_c) = alpha (H1 + H2)/2."""
    h2 = free.applied_field[0] + free.easy_axis_field
    a_j_per_volt = 0.5 * fixed.eta / fixed.r_perp / free.charge_unit / free.gamma
    return free.alpha * (2 * h2 + free.hard_axis_field) / 2 / a_j_per_volt


@pytest.mark.parametrize("fraction", [0.0, 0.8, 1.2])
def test_linear_modes_and_threshold(fraction):
    """Small oscillations about the parallel state decay below and grow above the auto-oscillation
    threshold V_c = alpha (H1 + H2)/2 / (a_J per volt), at the rate and frequency of linear theory."""
    free = D.free_layer(0.01, (0.05, 0.0, 0.0))
    fixed = FixedLayer(D.R_P, D.R_AP)
    v_c = _threshold_voltage(free, fixed)
    assert v_c == pytest.approx(0.31398, rel=1e-4)
    volts = fraction * v_c
    rate, omega = _linear_theory(free, fixed, volts)
    circuit = MTJCircuit(free, (fixed,), VoltageDrive(volts))
    dt = 1e-13
    t, charge, flux = trajectories(circuit, m0=D.direction(np.pi / 2 - 1e-3, 0.0), duration=5e-9, dt=dt)
    y = m_from_charge_flux(free, charge[0], flux[0])[:, 1]
    i = np.flatnonzero((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])) + 1
    y0, y1, y2 = y[i - 1], y[i], y[i + 1]
    shift = (y0 - y2) / (2 * (y0 - 2 * y1 + y2))  # parabolic peak refinement
    peaks, times = y1 - 0.25 * (y0 - y2) * shift, t[i] + shift * dt
    measured_rate = np.polyfit(times, np.log(peaks), 1)[0]
    assert measured_rate == pytest.approx(rate, rel=1e-4)
    assert 2 * np.pi / np.mean(np.diff(times)) == pytest.approx(omega, rel=1e-4)
    assert np.sign(measured_rate) == np.sign(fraction - 1.0)


def _cartesian_reference(circuit, m0, duration, t_eval):
    """solve_ivp (DOP853) on the Cartesian LLGS with the MTJ of Eqs. 65-69 in its drive circuit."""
    free = circuit.free_layer
    drive = circuit.drive
    bx, by, bz = free.applied_field
    ps = [np.array(f.direction) for f in circuit.fixed_layers]
    times, values = drive.breakpoints()

    def rhs(t, m):
        m = m / np.linalg.norm(m)
        b = np.array([bx + free.easy_axis_field * m[0], by, bz - free.hard_axis_field * m[2]])
        resist = [f.r_perp / (1 + f.eta**2 * (p @ m)) for f, p in zip(circuit.fixed_layers, ps)]
        source = np.interp(t, times, values)
        current = source / (drive.series_resistance + sum(resist))
        torque = -free.gamma * np.cross(m, b)
        for k, (f, p) in enumerate(zip(circuit.fixed_layers, ps)):
            v_k = current * resist[k] * (1 if k == 0 else -1)
            a_rate = 0.5 * f.eta * v_k / f.r_perp / free.charge_unit  # gamma a_J
            torque += a_rate * np.cross(m, np.cross(m, p))
        return (torque + free.alpha * np.cross(m, torque)) / (1 + free.alpha**2)

    edges = sorted({0.0, duration, *(x for x in times if 0.0 < x < duration)})
    out, y = np.empty((len(t_eval), 3)), np.asarray(m0, dtype=float)
    for start, stop in zip(edges[:-1], edges[1:]):  # the kinks of the pulse are ends of solver pieces
        sol = solve_ivp(rhs, (start, stop), y, method="DOP853", rtol=1e-12, atol=1e-14, dense_output=True)
        inside = (t_eval >= start) & (t_eval <= stop)
        out[inside] = sol.sol(t_eval[inside]).T
        y = sol.y[:, -1]
    return out


@pytest.mark.parametrize("two_layers", [False, True])
def test_series_resistor_pulse_and_two_fixed_layers_against_scipy(two_layers):
    """The drive circuit fastspin.dynamics does not model (series resistor, pulse, polarizer + analyzer)
    against an independent Cartesian solve_ivp."""
    free = D.free_layer(0.02, (0.03, 0.0, 0.0))
    layers = (FixedLayer(D.R_P, D.R_AP, (1, 0, 0)),)
    if two_layers:  # perpendicular polarizer (plus side) and in-plane analyzer (minus side)
        layers = D.polarizer_analyzer()
    drive = VoltageDrive(1.5, series_resistance=120.0, delay=0.2e-9, rise_time=0.1e-9, width=2e-9, fall_time=0.3e-9)
    circuit = MTJCircuit(free, layers, drive)
    m0 = D.direction(np.pi / 2 - 0.05, 0.05)
    t, charge, flux = trajectories(circuit, m0=m0, duration=5e-9, dt=5e-14, record_every=20)
    m = m_from_charge_flux(free, charge[0], flux[0])
    reference = _cartesian_reference(circuit, m0, 5e-9, t)
    assert np.abs(m - reference).max() < 1e-6
    assert np.ptp(m[:, 0]) > 0.3  # the pulse moves the magnet a lot


def test_energy_balance_of_the_circuit():
    """dE/dt = V_C I_C + I_L V_L = -R_C I_C^2 - V_L^2/R_L + I_s V_L - V_s I_C (Kirchhoff + Tellegen)."""
    circuit = D.mtj(0.5, alpha=0.02, field=(0.04, 0.01, 0.0), series_resistance=80.0)
    free, layer = circuit.free_layer, circuit.fixed_layers[0]
    dt = 1e-14
    t, charge, flux = trajectories(circuit, m0=D.M0, duration=2e-10, dt=dt)
    q, f = charge[0], flux[0]
    energy = el.energy(free, q, f)
    i_c, v_l = np.gradient(q, dt), np.gradient(f, dt)
    r_l, r_c = el.damping_resistances(free, q)
    _, _, v_j = el.junction_voltages(circuit, q, f, 0.5)
    power = (
        -r_c * i_c**2
        - v_l**2 / r_l
        + el.spin_current_source(free, layer, q, f, v_j[0]) * v_l
        - el.spin_voltage_source(free, layer, q, f, v_j[0]) * i_c
    )
    de_dt = np.gradient(energy, dt)
    scale = np.abs(de_dt[1:-1]).max()
    np.testing.assert_allclose(de_dt[1:-1], power[1:-1], atol=1e-5 * scale)
    assert np.abs(power).max() > 0.1 * scale  # sources and resistors both matter here


def test_energy_conserved_without_damping():
    free = D.free_layer(0.0)
    t, charge, flux = trajectories(MTJCircuit(free), m0=D.M0, duration=20e-9, dt=1e-13, record_every=1000)
    energy = el.energy(free, charge[0], flux[0])
    assert np.abs(energy / energy[0] - 1).max() < 1e-9


def test_sign_positive_voltage_switches_parallel_to_antiparallel():
    """V_MTJ > 0 (current from the fixed layer into the free layer, J > 0 of fastspin.conventions)
    switches P -> AP; V < 0 switches AP -> P."""
    kw = dict(
        field=(0.0, 0.0, 0.0), series_resistance=100.0, delay=0.2e-9, rise_time=0.1e-9, width=3e-9, fall_time=0.1e-9
    )
    up = simulate(D.mtj(0.8, **kw), m0=D.direction(np.pi / 2 - 0.05, 0.05), duration=8e-9, dt=1e-13, record_every=100)
    down = simulate(
        D.mtj(-0.8, **kw), m0=D.direction(np.pi / 2 - 0.05, np.pi + 0.05), duration=8e-9, dt=1e-13, record_every=100
    )
    assert up.mx.iloc[-1] < -0.999 and down.mx.iloc[-1] > 0.999
    assert up.r_mtj.iloc[-1] == pytest.approx(D.R_AP, rel=1e-5)
    assert down.r_mtj.iloc[-1] == pytest.approx(D.R_P, rel=1e-5)
    # the drive circuit seen from the frame: V_src = I R_s + V_MTJ and V_MTJ = I R_MTJ
    np.testing.assert_allclose(up.i_mtj * 100.0 + up.v_mtj, up.source_voltage, atol=1e-12)
    np.testing.assert_allclose(up.v_mtj, up.i_mtj * up.r_mtj, rtol=1e-12, atol=1e-15)


def test_pole_stops_the_trajectory():
    """A perpendicular polarizer with V < 0 pulls m onto +z: PoleError, or NaN after the pole with on_pole='nan'."""
    circuit = MTJCircuit(
        D.free_layer(0.01, (0.0, 0.0, 0.0)), (FixedLayer(D.R_P, D.R_AP, (0, 0, 1)),), VoltageDrive(-20.0)
    )
    kw = dict(m0=D.M0, duration=2e-9, dt=1e-13, record_every=10)
    with pytest.raises(PoleError, match="trajectory 0 reached a pole"):
        trajectories(circuit, **kw)
    t, charge, flux = trajectories(circuit, on_pole="nan", **kw)
    bad = np.isnan(charge[0])
    assert bad.any() and not bad[0]
    first = np.argmax(bad)
    assert np.all(bad[first:]) and np.all(np.isnan(flux[0, first:]))
    cos_theta = -charge[0, :first] / circuit.free_layer.charge_unit
    assert cos_theta[-1] > 0.99  # it was heading to the +z pole


def test_batch_equals_single_runs():
    circuit = D.mtj(0.4)
    m0 = np.stack([D.M0, D.direction(1.2, -2.0), D.direction(1.9, 3.0)])
    volts = np.array([0.0, 0.4, -0.3])
    t, charge, flux = trajectories(circuit, m0=m0, voltage=volts, duration=1e-9, dt=1e-13, record_every=50)
    for k in range(3):
        _, c1, f1 = trajectories(circuit, m0=m0[k], voltage=volts[k], duration=1e-9, dt=1e-13, record_every=50)
        np.testing.assert_array_equal(charge[k], c1[0])
        np.testing.assert_array_equal(flux[k], f1[0])
    frame = circuit_frame(circuit, t, charge[0], flux[0])
    assert list(frame.columns) == [
        "time",
        "charge",
        "flux",
        "mx",
        "my",
        "mz",
        "source_voltage",
        "v_mtj",
        "i_mtj",
        "cos_beta_1",
        "r_mtj",
    ]
