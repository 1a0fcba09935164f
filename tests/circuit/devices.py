"""Devices and helpers shared by the circuit tests (one easy-plane MTJ, Louis et al. 2025 Sec. III)."""

import numpy as np

from fastspin.circuit import EasyPlaneFreeLayer, FixedLayer, MTJCircuit, VoltageDrive

MS = 1.0e6  # A/m
THICKNESS = 2.0e-9  # m
AREA = 3.925e-15  # m^2, an ellipse of about 100 nm x 50 nm
VOLUME = THICKNESS * AREA
HARD = 1.0  # B_d, T
EASY = 0.02  # B_a, T
TILTED_FIELD = (0.05, 0.01, 0.003)  # T, no symmetry left
R_P, R_AP = 1000.0, 2000.0  # Ohm


def free_layer(alpha=0.01, field=TILTED_FIELD, **kw):
    return EasyPlaneFreeLayer(
        ms=MS, volume=VOLUME, alpha=alpha, hard_axis_field=HARD, easy_axis_field=EASY, applied_field=field, **kw
    )


def direction(theta, phi):
    return np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])


#: A start 0.3 rad out of the easy plane, 0.5 rad from the easy axis.
M0 = direction(np.pi / 2 - 0.3, 0.5)


def mtj(voltage, alpha=0.01, field=(0.05, 0.0, 0.0), p=(1.0, 0.0, 0.0), **drive):
    """Free layer + one fixed layer (plus side) driven by ``voltage``."""
    return MTJCircuit(free_layer(alpha, field), (FixedLayer(R_P, R_AP, p),), VoltageDrive(voltage, **drive))


def polarizer_analyzer():
    """Perpendicular polarizer (plus side, spin-valve-like 100/200 Ohm) and in-plane analyzer (minus side)."""
    return (
        FixedLayer(100.0, 200.0, (0.0, 0.0, 1.0), name="polarizer"),
        FixedLayer(1000.0, 1200.0, (1.0, 0.0, 0.0), name="analyzer"),
    )


def spin_torque_oscillator(voltage=-0.4):
    """Houssameddine-type oscillator: out-of-plane precession (m_z ~ 0.63, ~18 GHz) at -0.4 V."""
    return MTJCircuit(
        free_layer(0.01, (0.0, 0.0, 0.0)), polarizer_analyzer(), VoltageDrive(voltage, series_resistance=50.0)
    )


def crossing_frequency(t, x):
    """Frequency (Hz) from the upward crossings of ``x`` through its mean, linearly interpolated."""
    x = np.asarray(x) - np.mean(x)
    up = np.flatnonzero((x[:-1] < 0.0) & (x[1:] >= 0.0))
    times = t[up] - x[up] * (t[up + 1] - t[up]) / (x[up + 1] - x[up])
    assert times.size >= 10, "too few periods to measure a frequency"
    return (times.size - 1) / (times[-1] - times[0])


def fastspin_at(circuit, m0, duration, times, dt=1e-13):
    """The charge-flux RK4 trajectory of fastspin, cubic-spline interpolated at ``times`` -> m (n, 3)."""
    from scipy.interpolate import CubicSpline

    from fastspin.circuit import m_from_charge_flux, trajectories

    t, charge, flux = trajectories(circuit, m0=m0, duration=duration, dt=dt)
    m = m_from_charge_flux(circuit.free_layer, charge[0], flux[0])
    return CubicSpline(t, m, axis=0)(times)


#: The ngspice comparisons: (circuit, m0, duration, window start for frequencies)
def ngspice_cases():
    pulse = dict(
        field=(0.0, 0.0, 0.0), series_resistance=100.0, delay=0.2e-9, rise_time=0.1e-9, width=3e-9, fall_time=0.1e-9
    )
    return {
        "damped_relaxation": (MTJCircuit(free_layer(0.01)), M0, 20e-9),
        "free_precession": (MTJCircuit(free_layer(0.0)), M0, 20e-9),
        "driven_oscillation": (mtj(0.4, series_resistance=100.0), M0, 20e-9),
        "two_layer_oscillator": (spin_torque_oscillator(), direction(np.pi / 2 - 0.05, 0.05), 20e-9),
        "switching_p_to_ap": (mtj(0.8, **pulse), direction(np.pi / 2 - 0.05, 0.05), 8e-9),
        "switching_ap_to_p": (mtj(-0.8, **pulse), direction(np.pi / 2 - 0.05, np.pi + 0.05), 8e-9),
    }


#: Q-Phi against Cartesian: name -> (alpha, applied field, voltage across the MTJ or None)
LLGS_CASES = {
    "free_precession": (0.0, TILTED_FIELD, None),
    "damped_relaxation": (0.01, TILTED_FIELD, None),
    "driven_oscillation": (0.01, (0.05, 0.0, 0.0), 0.4),
}


def qphi_and_cartesian(case, duration=20e-9, dt=1e-13, record_every=100):
    """``(t, m_qphi, m_cartesian)``: the charge-flux RK4 and fastspin.dynamics's Cartesian RK4 from M0."""
    import fastspin.dynamics as dyn
    from fastspin.circuit import m_from_charge_flux, trajectories

    alpha, field, volts = LLGS_CASES[case]
    free = free_layer(alpha, field)
    layer = free.free_layer(THICKNESS)  # the same description, Cartesian form
    if volts is None:
        circuit, drive = MTJCircuit(free), {}
    else:
        circuit = mtj(volts, alpha, field)
        drive = dict(voltage=volts, mtj=dyn.MTJ(R_P, R_AP), polarization=(1.0, 0.0, 0.0))
    kw = dict(m0=M0, duration=duration, dt=dt, record_every=record_every)
    t_ref, m_ref = dyn.trajectories(layer, field=field, **drive, **kw)
    t, charge, flux = trajectories(circuit, **kw)
    np.testing.assert_allclose(t, t_ref, rtol=1e-15)
    return t, m_from_charge_flux(free, charge[0], flux[0]), m_ref[0]
