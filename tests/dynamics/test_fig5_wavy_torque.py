"""Barnas et al. 2005, Fig. 5: the torque of the asymmetric spin valve computed by fastspin's transport
solver drives the macrospin.  Its a(theta) changes sign at phi_c, so a current of one sign destabilises
both P and AP: above the thresholds the free layer precesses steadily, and without anisotropy or demag
field it stays at the intermediate angle (Sec. V: "the only solution is a steady state precession").
"""

import numpy as np
import pytest
from dynamics_reference import JIT, load_fixture, tilted
from scipy.optimize import brentq

import fastspin
from fastspin import presets
from fastspin.constants import E_CHARGE, HBAR, MU0
from fastspin.dynamics import FreeLayer, TabulatedTorque, simulate

MS, THICKNESS, ALPHA, BK = 1.4e6, 10e-9, 0.01, 0.01  # Co free layer of d2 = 10 nm, in-plane, B_k = 10 mT


@pytest.fixture(scope="module")
def table():
    return TabulatedTorque.from_frame(fastspin.torque_vs_angle(presets.barnas2005("fig5"), np.linspace(0, np.pi, 91)))


def _thresholds(table):
    """Linear instability currents of P and AP (field-like torque included as a field along p):
    J (hbar / (|e| Ms d)) (a_n - alpha b_n) = +alpha (B_k + mu0 Ms / 2) at P, = -alpha (...) at AP."""
    scale = E_CHARGE * MS * THICKNESS * ALPHA * (BK + MU0 * MS / 2) / HBAR
    j_p = scale / (table.a[0] - ALPHA * table.b[0])
    j_ap = -scale / (table.a[-1] - ALPHA * table.b[-1])
    return j_p, j_ap


def test_wavy_torque_destabilises_both_collinear_states_above_threshold(table):
    assert table.a[0] * table.a[-1] < 0  # a zero phi_c in between: one current sign destabilises P and AP
    j_p, j_ap = _thresholds(table)
    assert np.sign(j_p) == np.sign(j_ap)
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    # the P threshold from the batch, by bisection (amplitude of a 0.01 rad tilt grows or not)
    lo, hi = 0.0, 2.0 * abs(j_p)
    for _ in range(3 if JIT else 1):
        currents = np.sign(j_p) * np.linspace(lo, hi, 12)
        frame = simulate(
            layer,
            current_density=currents,
            torque=table,
            m0=tilted(0.01),
            duration=10e-9 if JIT else 1e-9,
            dt=1e-12,
            window=0.2,
        )
        unstable = (frame.amplitude > np.sin(0.01)) | frame.switched
        first = int(np.argmax(unstable.to_numpy()))
        lo, hi = abs(currents[first - 1]), abs(currents[first])
    found = np.sign(j_p) * 0.5 * (lo + hi)
    if JIT:
        assert abs(found / j_p - 1) < 0.02
        measured = load_fixture("measured.json")
        assert j_p == pytest.approx(measured["fig5_threshold_parallel_A_per_m2"], rel=1e-3)
        assert j_ap == pytest.approx(measured["fig5_threshold_antiparallel_A_per_m2"], rel=1e-3)
    # above both thresholds, from near P and from near AP: steady precession, neither P nor AP
    drive = 1.5 * j_p
    frame = simulate(
        layer,
        current_density=[drive, drive],
        torque=table,
        m0=[tilted(0.05), -tilted(0.05)],
        duration=20e-9 if JIT else 1e-9,
        dt=0.5e-12,
    )
    if JIT:
        assert frame.state.isin(["in_plane_precession", "out_of_plane_precession"]).all()
        assert (frame.frequency > 0).all() and (frame.amplitude > 0.1).all()
        # below the P threshold (and above the AP one) P holds while AP is left
        below = simulate(layer, current_density=0.5 * j_p, torque=table, m0=tilted(0.05), duration=20e-9, dt=0.5e-12)
        assert below.state[0] == "parallel"


def test_without_anisotropy_the_layer_settles_at_the_intermediate_angle(table):
    """No anisotropy, no demag: theta stops where a_n(theta) - alpha b_n(theta) = 0 (next to phi_c; the
    field-like part makes m turn slowly about p there), for any current of the destabilising sign."""
    j_p, _ = _thresholds(table)
    layer = FreeLayer(MS, THICKNESS, ALPHA, demag=(0, 0, 0))
    currents = np.sign(j_p) * np.array([0.5, 1.0, 3.0]) * abs(j_p)
    frame = simulate(
        layer, current_density=currents, torque=table, m0=tilted(0.05), duration=20e-9 if JIT else 1e-9, dt=0.5e-12
    )

    def a_n(x):  # the interpolated table the dynamics integrates (efficiency = 2 a_n)
        return float(table.efficiency(x)) / 2.0

    def b_n(x):
        return float(table.field_like_efficiency(x)) / 2.0

    phi_c = brentq(a_n, 0.01, np.pi - 0.01)
    theta_star = brentq(lambda x: a_n(x) - ALPHA * b_n(x), 0.01, np.pi - 0.01)
    assert abs(theta_star - phi_c) < 1e-3
    if JIT:
        np.testing.assert_allclose(frame.mx, np.cos(theta_star), atol=1e-6)
        assert phi_c == pytest.approx(load_fixture("measured.json")["fig5_phi_c_rad"], rel=1e-4)
