"""State labels on cases whose answer is known: an off-centre orbit around the film normal, slowly decaying and
growing orbits near the Sun threshold, a run that crosses and comes back, a static state out of the plane."""

import numpy as np
from dynamics_reference import JIT

from fastspin.constants import E_CHARGE, HBAR, MU0
from fastspin.dynamics import FreeLayer, Pulse, simulate, trajectories


def test_orbit_winding_around_the_normal_is_out_of_plane_even_off_centre():
    """Easy-plane film (B_d = 1 T), polarizer tilted 77-83 degrees from the normal: the steady orbit keeps the
    sign of m_z and winds around z, while its mean lies more in the plane than along z (so a test on the mean
    direction calls it in-plane)."""
    layer = FreeLayer.easy_plane(8e5, 2e-9, 0.02, hard_axis_field=1.0)
    tilt = np.radians([77.0, 80.0, 83.0])
    p = np.stack([np.sin(tilt), np.zeros(3), np.cos(tilt)], axis=1)
    frame = simulate(
        layer,
        current_density=4e10,
        efficiency=0.5,
        polarization=p,
        m0=(1.0, 0.1, 0.1),
        duration=30e-9 if JIT else 1e-10,
        dt=0.5e-12,
        frequency_axis=(0, 1, 0),
    )
    if JIT:
        in_plane = np.hypot(frame["mean_mx"], frame["mean_my"])
        assert (in_plane > np.abs(frame["mean_mz"])).all()
        assert (frame["state"] == "out_of_plane_precession").all() and frame["settled"].all()
        assert (frame["frequency"] > 5e8).all()


def test_slow_orbits_near_the_threshold_are_unsettled_and_labelled_by_where_they_go():
    """In-plane film in a field B_x, current 0.95-1.05 J_c (Sun), 3 ns from a 0.3 rad tilt: below J_c the orbit
    still rings but decays (unsettled, labelled by its centre: parallel), above it grows (a precession)."""
    ms, d, alpha, bk, bx, efficiency = 8e5, 2e-9, 0.01, 0.02, 0.03, 0.4
    j_c = 2 * E_CHARGE * ms * d * alpha * (bx + bk + MU0 * ms / 2) / (HBAR * efficiency)
    frame = simulate(
        FreeLayer(ms, d, alpha, anisotropy_field=bk),
        current_density=j_c * np.array([0.95, 0.99, 1.01, 1.05]),
        field=(bx, 0, 0),
        efficiency=efficiency,
        m0=(np.cos(0.3), np.sin(0.3), 0),
        duration=3e-9 if JIT else 2e-10,
        dt=1e-12,
    )
    if JIT:
        assert not frame["settled"].any()
        assert (frame["amplitude"] > 0.2).all()  # an orbit that the ranges alone call precession
        assert frame["state"].tolist() == ["parallel", "parallel", "in_plane_precession", "in_plane_precession"]
        assert not frame["switched"].any()


def test_a_run_that_crosses_and_comes_back_is_not_switched():
    """A field pulse along y turns m past m_x = -0.98 and lets it go: it relaxes back to +x.  It crossed the
    threshold (a first crossing time) but ends on its start side: not switched, no switching time."""
    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02)
    kw = dict(
        field=Pulse((0.0, 0.05, 0.0), 0.3e-9, rise=0.02e-9),
        m0=(1.0, 0.01, 0.0),
        dt=1e-12,
        duration=5e-9 if JIT else 1.5e-9,
        switch_threshold=0.5,
    )
    frame = simulate(layer, **kw)
    t, m = trajectories(layer, record_every=1, **kw)
    crossings = np.flatnonzero(np.diff(np.sign(m[0, :, 0] - 0.5)))
    assert len(crossings) >= 2 and m[0, :, 0].min() < -0.9
    assert not frame["switched"][0] and np.isnan(frame["switching_time"][0])
    assert t[crossings[0]] <= frame["first_crossing_time"][0] <= t[crossings[0] + 1]
    if JIT:
        assert frame["state"][0] == "parallel"


def test_a_switch_reports_its_last_crossing_into_the_final_side():
    """Spin-transfer switching P -> AP that overshoots back and forth: switched, the switching time is the last
    crossing of m.p through the threshold (after the first one)."""
    layer = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02)
    kw = dict(
        current_density=3e11,
        efficiency=0.4,
        m0=(np.cos(0.1), np.sin(0.1), 0),
        dt=1e-12,
        duration=10e-9 if JIT else 1e-9,
    )
    frame = simulate(layer, **kw)
    t, m = trajectories(layer, record_every=1, **kw)
    crossings = np.flatnonzero(np.diff(np.sign(m[0, :, 0])))
    assert frame["switched"][0] and m[0, -1, 0] < 0
    assert t[crossings[-1]] <= frame["switching_time"][0] <= t[crossings[-1] + 1]
    assert t[crossings[0]] <= frame["first_crossing_time"][0] <= t[crossings[0] + 1]


def test_static_state_along_the_normal():
    """A perpendicular magnet at rest along z, labelled against an in-plane reference: static out of plane."""
    layer = FreeLayer(8e5, 1e-9, 0.05, anisotropy_field=0.2, easy_axis=(0, 0, 1), demag=(0, 0, 0))
    frame = simulate(layer, polarization=(1, 0, 0), m0=(0.01, 0.0, 1.0), duration=5e-9 if JIT else 1e-10, dt=1e-12)
    if JIT:
        assert frame["state"][0] == "static_out_of_plane" and frame["settled"][0]
