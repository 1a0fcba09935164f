"""Linearised dynamics of the in-plane film about the parallel state.

About m = x with field B and anisotropy B_k along x and the thin-film demag field mu0 Ms along z,
the linearised Gilbert equation with the damping-like torque a_J has the trace
[2 a_J - alpha (H1 + H2)] gamma / (1 + alpha^2), H1 = B + B_k, H2 = B + B_k + mu0 Ms.  Hence:
the relaxation rate alpha gamma (B + B_k + mu0 Ms/2) / (1 + alpha^2), and the instability threshold
a_J = alpha (B + B_k + mu0 Ms / 2) (Sun 2000, J_c proportional to alpha (H + H_k + M_eff/2)).
"""

import numpy as np
import pytest
from dynamics_reference import JIT, load_fixture, tilted

from fastspin.constants import E_CHARGE, GAMMA_E, HBAR, MU0
from fastspin.dynamics import FreeLayer, simulate, trajectories

MS, THICKNESS, ALPHA, BK = 8.0e5, 2e-9, 0.01, 0.02


def test_small_angle_relaxation_rate():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    b = 0.01
    t, m = trajectories(layer, field=(b, 0, 0), m0=tilted(1e-3), duration=5e-9 if JIT else 1e-9, dt=0.5e-12)
    my = m[0, :, 1]
    peaks = np.nonzero((my[1:-1] > my[:-2]) & (my[1:-1] >= my[2:]))[0] + 1
    # parabolic refinement of each maximum
    y0, y1, y2 = my[peaks - 1], my[peaks], my[peaks + 1]
    shift = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    t_peak = t[peaks] + shift * (t[1] - t[0])
    y_peak = y1 - 0.25 * (y0 - y2) * shift
    rate = -np.polyfit(t_peak, np.log(y_peak), 1)[0]
    damped_rate = ALPHA * GAMMA_E * (b + BK + MU0 * MS / 2)
    assert abs(rate / damped_rate - 1.0) < 0.01
    exact_linear = damped_rate / (1 + ALPHA**2)
    assert abs(rate / exact_linear - 1.0) < 2e-4
    if JIT:
        assert rate / exact_linear == pytest.approx(
            load_fixture("measured.json")["relaxation_rate_over_linear"], abs=1e-6
        )


def _unstable(currents, field_x, efficiency, duration):
    """Which currents make a 0.01 rad in-plane tilt grow (switched, or amplitude of m.e at the end > at the
    start)."""
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    tilt = 0.01
    frame = simulate(
        layer,
        current_density=currents,
        field=(field_x, 0, 0),
        efficiency=efficiency,
        m0=tilted(tilt),
        duration=duration,
        dt=1e-12,
        window=0.2,
    )
    return frame.switched.to_numpy() | (frame.amplitude.to_numpy() > np.sin(tilt))


def _bisect_threshold(field_x, efficiency, rounds, points, duration):
    lo, hi = 0.0, 2e11
    for _ in range(rounds):
        currents = np.linspace(lo, hi, points)
        unstable = _unstable(currents, field_x, efficiency, duration)
        assert unstable[-1] and not unstable[0]
        first = int(np.argmax(unstable))
        lo, hi = currents[first - 1], currents[first]
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("field_x", [0.0, 0.03])
def test_critical_current_matches_sun_2000(field_x):
    efficiency = 0.4
    found = _bisect_threshold(
        field_x, efficiency, rounds=4 if JIT else 3, points=16 if JIT else 8, duration=10e-9 if JIT else 5e-9
    )
    a_c = ALPHA * (field_x + BK + MU0 * MS / 2)
    j_c = 2 * E_CHARGE * MS * THICKNESS * a_c / (HBAR * efficiency)
    assert abs(found / j_c - 1.0) < 0.02  # within 2 %
    if JIT:
        measured = load_fixture("measured.json")[f"critical_current_over_sun_field_{field_x}"]
        assert abs(found / j_c - 1.0) < 2e-3
        assert found / j_c == pytest.approx(measured, abs=1e-6)
