"""alpha = 0, no current: energy and |m| conserved to the integrator's order; Kittel frequencies."""

import numpy as np
import pytest
from dynamics_reference import JIT, load_fixture, tilted

from fastspin.constants import GAMMA_E, MU0
from fastspin.dynamics import FreeLayer, simulate, trajectories

MS = 8.0e5


def _energy(m, layer, field):
    """E/(Ms V) written from the energy (Louis Eq. 53 generalised), independent of the package."""
    u = np.asarray(layer.easy_axis)
    return (
        -m @ np.asarray(field)
        - 0.5 * float(layer.anisotropy_field) * (m @ u) ** 2
        + 0.5 * MU0 * MS * np.sum(np.asarray(layer.demag) * m * m, axis=-1)
    )


@pytest.mark.parametrize("method, order", [("rk4", 4), ("heun", 2)])
def test_state_error_and_energy_drift_follow_the_order_of_the_method(method, order):
    """Halving dt divides the state error by ~2^order (reference: RK4 at dt/20); the energy drift
    shrinks at least as fast (it is one order better for both methods here)."""
    layer = FreeLayer(MS, 2e-9, 0.0, anisotropy_field=0.02)
    field = (0.01, 0.0, 0.0)
    m0 = tilted(np.radians(60.0), "y")  # large orbit: the truncation error dominates rounding
    duration = 2e-9 if JIT else 2e-10
    reference = simulate(layer, field=field, m0=m0, duration=duration, dt=0.05e-12)
    m_ref = reference[["mx", "my", "mz"]].to_numpy()[0]
    errors, drifts = [], []
    for dt in (1e-12, 0.5e-12):
        frame = simulate(layer, field=field, m0=m0, duration=duration, dt=dt, method=method)
        m_end = frame[["mx", "my", "mz"]].to_numpy()[0]
        errors.append(np.linalg.norm(m_end - m_ref))
        drifts.append(abs(_energy(m_end, layer, field) - _energy(m0, layer, field)))
    assert 0.85 * 2**order < errors[0] / errors[1] < 1.15 * 2**order
    assert drifts[0] / drifts[1] > 0.9 * 2**order
    if JIT:
        measured = load_fixture("measured.json")
        assert errors[1] == pytest.approx(measured[f"state_error_{method}_dt0.5ps"], rel=1e-3)
        assert drifts[1] == pytest.approx(measured[f"energy_drift_{method}_dt0.5ps_tesla"], rel=1e-3)


def test_unit_length_is_kept_at_every_step():
    layer = FreeLayer(MS, 2e-9, 0.0, anisotropy_field=0.02)
    _, m = trajectories(layer, field=(0.01, 0, 0), m0=tilted(1.0), duration=5e-10, dt=1e-12)
    assert np.max(np.abs(np.linalg.norm(m, axis=-1) - 1.0)) < 4e-16


def _kittel_easy_axis_x(layer, field_x):
    """Kittel: f = gamma/2pi sqrt((B + B_k + mu0 Ms (N_y - N_x)) (B + B_k + mu0 Ms (N_z - N_x)))."""
    nx, ny, nz = layer.demag
    b = field_x + float(layer.anisotropy_field)
    return GAMMA_E / (2 * np.pi) * np.sqrt((b + MU0 * MS * (ny - nx)) * (b + MU0 * MS * (nz - nx)))


@pytest.mark.parametrize(
    "demag, bk, field_x", [((0.0, 0.0, 1.0), 0.02, 0.05), ((0.1, 0.3, 0.6), 0.05, 0.02), ((0.0, 0.0, 0.0), 0.1, 0.0)]
)
@pytest.mark.compiled
def test_small_oscillation_frequency_is_kittel(demag, bk, field_x):
    layer = FreeLayer(MS, 2e-9, 0.0, anisotropy_field=bk, demag=demag)
    frame = simulate(layer, field=(field_x, 0, 0), m0=tilted(1e-3), duration=10e-9 if JIT else 1e-9, dt=0.5e-12)
    f_kittel = _kittel_easy_axis_x(layer, field_x)
    assert frame.state[0] == "in_plane_precession"
    assert abs(frame.frequency[0] / f_kittel - 1.0) < 1e-5  # required < 1e-3; measured 1e-7 to 5e-7


def test_perpendicular_easy_axis_kittel():
    """PMA film (easy axis z, B_k > mu0 Ms), field along z: f = gamma/2pi (B + B_k - mu0 Ms)."""
    bk, bz = 1.3, 0.1
    layer = FreeLayer(MS, 1e-9, 0.0, anisotropy_field=bk, easy_axis=(0, 0, 1))
    m0 = np.array([np.sin(1e-3), 0.0, np.cos(1e-3)])
    frame = simulate(
        layer, field=(0, 0, bz), m0=m0, polarization=(0, 0, 1), duration=5e-9 if JIT else 5e-10, dt=0.25e-12
    )
    f_kittel = GAMMA_E / (2 * np.pi) * (bz + bk - MU0 * MS)
    assert abs(frame.frequency[0] / f_kittel - 1.0) < 1e-5
