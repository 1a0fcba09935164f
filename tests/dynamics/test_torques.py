"""Torque models: kernel spline vs SciPy, tabulated = analytic, signs and magnitudes of both torques."""
import numpy as np
import pandas as pd
import pytest

from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import AsymmetricTorque, FreeLayer, SlonczewskiTorque, TabulatedTorque, simulate
from fastspin.dynamics.torques import kernel_inputs, torque_factors

from dynamics_reference import JIT, load_fixture, tilted

MS, THICKNESS, ALPHA, BK = 8.0e5, 2e-9, 0.02, 0.02


def _slonczewski_g(theta, p):
    """Slonczewski 1996: g = [-4 + (1 + P)^3 (3 + cos theta) / (4 P^(3/2))]^-1."""
    return 1.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + np.cos(theta)) / (4.0 * p**1.5))


def _slonczewski_table(p, points=181, field_like=0.1):
    angle = np.linspace(0.0, np.pi, points)
    g = _slonczewski_g(angle, p)  # a_n = g (eta = 2 a_n), b_n = field_like * g
    return TabulatedTorque(angle, g, field_like * g)


def test_kernel_spline_is_scipys_and_tabulated_slonczewski_error():
    table = _slonczewski_table(0.4)
    model, params, knots, coef = kernel_inputs(table)
    theta = np.random.default_rng(0).uniform(0, np.pi, 2000)
    kernel = np.array([torque_factors(model, params, knots, coef, np.cos(x)) for x in theta])
    np.testing.assert_allclose(kernel[:, 0], table.efficiency(theta), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(kernel[:, 1], table.field_like_efficiency(theta), rtol=1e-12, atol=1e-15)
    relative = np.max(np.abs(kernel[:, 0] / (2 * _slonczewski_g(theta, 0.4)) - 1.0))
    assert relative < 1e-7  # not-a-knot cubic spline on a 1 degree grid
    assert relative == pytest.approx(load_fixture("measured.json")["slonczewski_table_1deg_max_rel_error"],
                                     rel=0.01)


def test_tabulated_run_equals_analytic_slonczewski():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(current_density=np.linspace(2e11, 8e11, 4), field=(0.005, 0.002, 0), m0=tilted(0.05),
              duration=2e-9 if JIT else 2e-10, dt=0.5e-12)
    analytic = simulate(layer, torque=SlonczewskiTorque(0.4), field_like_ratio=0.1, **kw)
    tabulated = simulate(layer, torque=_slonczewski_table(0.4), **kw)
    cols = ["mx", "my", "mz"]
    np.testing.assert_allclose(tabulated[cols].to_numpy(), analytic[cols].to_numpy(), atol=1e-6)
    if JIT:
        assert analytic.switched.sum() >= 2
        np.testing.assert_allclose(tabulated.switching_time, analytic.switching_time, rtol=1e-6)


def test_torque_table_from_a_transport_frame():
    table = _slonczewski_table(0.3, points=37)
    frame = pd.DataFrame({"phi": table.angle, "a": table.a, "b": table.b, "tau_phi": table.a * np.sin(table.angle)})
    shuffled = frame.sample(frac=1.0, random_state=1)
    from_frame = TabulatedTorque.from_frame(shuffled)
    theta = np.linspace(0, np.pi, 50)
    np.testing.assert_array_equal(from_frame.efficiency(theta), table.efficiency(theta))
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(current_density=5e11, m0=tilted(0.05), duration=2e-10, dt=1e-12)
    np.testing.assert_array_equal(simulate(layer, torque=shuffled, **kw)[["mx", "my", "mz"]].to_numpy(),
                                  simulate(layer, torque=table, **kw)[["mx", "my", "mz"]].to_numpy())


def test_asymmetric_form_reduces_to_constant_and_slonczewski_full_polarization_limit():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(current_density=[1e11, 4e11], m0=tilted(0.05), duration=5e-10, dt=1e-12)
    constant = simulate(layer, efficiency=0.35, **kw)
    asym = simulate(layer, torque=AsymmetricTorque(0.35, 1.0), **kw)
    np.testing.assert_allclose(asym[["mx", "my", "mz"]].to_numpy(), constant[["mx", "my", "mz"]].to_numpy(),
                               rtol=0, atol=1e-13)
    # Lambda > 1: larger torque towards the antiparallel state, eta(pi)/eta(0) = Lambda^2
    model = AsymmetricTorque(0.35, 2.0)
    assert model.efficiency(np.pi) / model.efficiency(0.0) == pytest.approx(4.0)
    # full polarization at 90 degrees: hbar/2 per electron, eta = 2 g = 1 (Slonczewski 1996)
    assert SlonczewskiTorque(1.0).efficiency(np.pi / 2) == pytest.approx(1.0)
    model, params, knots, coef = kernel_inputs(SlonczewskiTorque(1.0))
    assert torque_factors(model, params, knots, coef, 0.0)[0] == pytest.approx(1.0)


def test_positive_current_destabilises_parallel_and_stabilises_antiparallel():
    """fastspin/conventions.py: with a_n > 0, J > 0 pushes m away from p (normal switching)."""
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    j = 5e11
    p_state = simulate(layer, current_density=[j, -j], m0=tilted(0.05), duration=3e-9, dt=1e-12)
    assert p_state.switched[0] and not p_state.switched[1]
    ap_state = simulate(layer, current_density=[j, -j], m0=-tilted(0.05), duration=3e-9, dt=1e-12)
    assert not ap_state.switched[0] and ap_state.switched[1]
    assert p_state.state[1] == "parallel" and ap_state.state[0] == "antiparallel"


def test_field_like_torque_is_a_field_along_p_of_b_j_tesla():
    """A pure field-like table (a_n = 0, b_n = const) acts as the field b_J p,
    b_J = hbar J (2 b_n) / (2 |e| Ms d): sign and magnitude of the second term of the LLGS torque."""
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    angle = np.linspace(0, np.pi, 10)
    b_n, j = 0.05, 2e11
    table = TabulatedTorque(angle, np.zeros(10), np.full(10, b_n))
    p = np.array([0.6, 0.8, 0.0])
    b_j = stt_field_tesla(j, MS, THICKNESS, 2 * b_n)
    kw = dict(m0=tilted(0.3), polarization=p, duration=5e-10, dt=1e-12)
    with_torque = simulate(layer, current_density=j, torque=table, **kw)
    with_field = simulate(layer, field=b_j * p, **kw)
    np.testing.assert_allclose(with_torque[["mx", "my", "mz"]].to_numpy(),
                               with_field[["mx", "my", "mz"]].to_numpy(), atol=1e-12)
