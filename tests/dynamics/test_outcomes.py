"""Outcomes from the kernels: state labels, frequency, amplitude, averages against analytic orbits."""

import numpy as np
import pytest
from dynamics_reference import JIT, load_fixture, tilted

from fastspin.constants import E_CHARGE, GAMMA_E, HBAR, MU0
from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import FreeLayer, simulate, trajectories


def test_out_of_plane_precession_with_a_perpendicular_polarizer():
    """Easy-plane layer (hard-axis field B_d), p = z, no field: the steady orbit is a circle of
    height m_z = -a_J / (alpha B_d) turning at omega = gamma a_J / alpha exactly (balance of the
    polar components of the Gilbert and Slonczewski torques)."""
    alpha, b_d, ms, efficiency = 0.02, 1.0, 8e5, 0.5
    layer = FreeLayer.easy_plane(ms, 2e-9, alpha, hard_axis_field=b_d)
    currents = np.array([2e10, 4e10, 6e10])
    frame = simulate(
        layer,
        current_density=currents,
        efficiency=efficiency,
        polarization=(0, 0, 1),
        m0=tilted(0.1, "z"),
        duration=20e-9 if JIT else 2e-9,
        dt=0.5e-12,
    )
    a_j = stt_field_tesla(currents, ms, 2e-9, efficiency)
    if JIT:
        assert (frame.state == "out_of_plane_precession").all()
        np.testing.assert_allclose(frame.frequency, GAMMA_E * a_j / (2 * np.pi * alpha), rtol=1e-7)
        np.testing.assert_allclose(frame.mean_mz, -a_j / (alpha * b_d), rtol=1e-7)
        np.testing.assert_allclose(frame.amplitude, np.sqrt(1 - (a_j / (alpha * b_d)) ** 2), rtol=1e-6)
        measured = load_fixture("measured.json")["opp_frequency_rel_error"]
        assert np.max(np.abs(frame.frequency / (GAMMA_E * a_j / (2 * np.pi * alpha)) - 1)) == pytest.approx(
            measured, rel=0.05
        )


def test_in_plane_precession_above_threshold_is_red_shifted_from_kittel():
    """Just above the Sun threshold the in-plane film settles on an in-plane orbit whose frequency
    lies below the small-angle (Kittel) frequency and decreases as the amplitude grows."""
    ms, d, alpha, bk, bx, efficiency = 8e5, 2e-9, 0.01, 0.02, 0.03, 0.4
    layer = FreeLayer(ms, d, alpha, anisotropy_field=bk)
    j_c = 2 * E_CHARGE * ms * d * alpha * (bx + bk + MU0 * ms / 2) / (HBAR * efficiency)
    frame = simulate(
        layer,
        current_density=[1.05 * j_c, 1.2 * j_c],
        field=(bx, 0, 0),
        efficiency=efficiency,
        m0=tilted(0.05),
        duration=20e-9 if JIT else 1e-9,
        dt=1e-12,
    )
    f_kittel = GAMMA_E / (2 * np.pi) * np.sqrt((bx + bk) * (bx + bk + MU0 * ms))
    if JIT:
        assert (frame.state == "in_plane_precession").all() and not frame.switched.any()
        assert frame.amplitude[0] < frame.amplitude[1]
        assert frame.frequency[1] < frame.frequency[0] < f_kittel
        assert abs(frame.mean_mz).max() < 1e-3


def test_static_states():
    """Relaxed states: parallel (no current), antiparallel (after switching), canted in a transverse
    field at m_y = B_y / B_k (Stoner-Wohlfarth), with no frequency."""
    ms, d, bk = 8e5, 2e-9, 0.05
    layer = FreeLayer(ms, d, 0.05, anisotropy_field=bk)
    frame = simulate(
        layer,
        current_density=[0.0, 1.5e12, 0.0],
        field=[(0, 0, 0), (0, 0, 0), (0, 0.02, 0)],
        m0=tilted(0.1),
        efficiency=0.4,
        duration=10e-9 if JIT else 5e-10,
        dt=1e-12,
    )
    if JIT:
        assert list(frame.state) == ["parallel", "antiparallel", "canted"]
        assert list(frame.switched) == [False, True, False]
        assert frame.frequency.isna().all()
        assert frame.my[2] == pytest.approx(0.02 / bk, rel=1e-9)
        assert frame.mean_cos_theta[1] == pytest.approx(-1.0, abs=1e-9)


def test_ac_field_drives_the_linear_ferromagnetic_resonance():
    """Field h cos(omega t) along y on the in-plane film: the steady amplitude of m_y is the linear
    response of the Gilbert equation about P, solved here as a 2x2 complex system:
    (i w) m_y + (i w alpha + gamma H2) m_z = 0, -(i w alpha + gamma H1) m_y + (i w) m_z = -gamma h."""
    ms, alpha, bk, bx, h = 8e5, 0.02, 0.02, 0.01, 1e-4
    layer = FreeLayer(ms, 2e-9, alpha, anisotropy_field=bk)
    h1, h2 = bx + bk, bx + bk + MU0 * ms
    f_kittel = GAMMA_E / (2 * np.pi) * np.sqrt(h1 * h2)
    frequencies = f_kittel * np.array([0.8, 0.95, 1.0, 1.05, 1.25])
    frame = simulate(
        layer,
        field=(bx, 0, 0),
        ac_field=(0, h, 0),
        ac_frequency=frequencies,
        m0=(1, 0, 0),
        duration=10e-9 if JIT else 5e-10,
        dt=0.5e-12,
    )
    linear = []
    for f in frequencies:
        w = 2 * np.pi * f
        matrix = np.array([[1j * w, 1j * w * alpha + GAMMA_E * h2], [-(1j * w * alpha + GAMMA_E * h1), 1j * w]])
        linear.append(abs(np.linalg.solve(matrix, [0.0, -GAMMA_E * h])[0]))
    if JIT:
        deviation = np.max(np.abs(frame.amplitude / np.array(linear) - 1))
        assert deviation < 2e-3
        assert deviation == pytest.approx(
            load_fixture("measured.json")["fmr_amplitude_max_rel_deviation_from_linear"], rel=0.05
        )
        assert np.argmax(frame.amplitude.to_numpy()) == 2
        np.testing.assert_allclose(frame.frequency, frequencies, rtol=1e-6)  # locked to the drive


@pytest.mark.compiled
def test_frequency_of_a_large_orbit_is_its_fundamental():
    """An in-plane oscillator whose orbit crosses the equator (m_x < 0 at its ends): m . e = -m_y has three extrema
    a half period there, so counting them alone reads three times the frequency.  The fundamental, from the
    smaller of the m . e and m . f estimates, equals the rate of upward zero crossings of m_y (an independent
    count on the recorded trajectory) to 1e-4."""
    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=5e-3, area=1e-14)
    drive = dict(
        current_density=np.array([3.0e10, 3.5e10, 4.0e10]),
        field=(0.05, 0.0, 0.0),
        m0=(np.cos(0.5), np.sin(0.5), 0.0),
        duration=100e-9,
        dt=1e-12,
    )
    frame = simulate(layer, **drive)
    t, m = trajectories(layer, **drive)
    assert (frame["state"] == "in_plane_precession").all()
    assert m[1:, t > 50e-9, 0].min() < 0  # the larger orbits cross the equator
    for k in range(3):
        y = m[k, t > 50e-9, 1]
        up = np.flatnonzero((y[:-1] < 0) & (y[1:] >= 0))
        crossings = t[t > 50e-9][up] + 1e-12 * y[up] / (y[up] - y[up + 1])
        assert frame["frequency"].iloc[k] == pytest.approx((len(up) - 1) / (crossings[-1] - crossings[0]), rel=1e-4)
