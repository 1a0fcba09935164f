"""Torque models: the kernel forms (exact rational, cos(theta) table) against the models, the table's
interpolation error against analytic and transport references, signs and magnitudes of both torques."""

import numpy as np
import pandas as pd
import pytest
from dynamics_reference import JIT, load_fixture, tilted
from scipy.interpolate import CubicSpline

from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import AsymmetricTorque, FreeLayer, SlonczewskiTorque, TabulatedTorque, simulate
from fastspin.dynamics.core.physics import rational_factor, table_factors
from fastspin.dynamics.torques import RESAMPLE_RTOL, TABLE_ROW, TORQUE_RATIONAL, TORQUE_TABLE, kernel_inputs

MS, THICKNESS, ALPHA, BK = 8.0e5, 2e-9, 0.02, 0.02
THETA = np.random.default_rng(0).uniform(0, np.pi, 2000)


def _slonczewski_g(theta, p):
    """Slonczewski 1996: g = [-4 + (1 + P)^3 (3 + cos theta) / (4 P^(3/2))]^-1."""
    return 1.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + np.cos(theta)) / (4.0 * p**1.5))


def _slonczewski_table(p, points=181, field_like=0.1):
    angle = np.linspace(0.0, np.pi, points)
    g = _slonczewski_g(angle, p)  # a_n = g (eta = 2 a_n), b_n = field_like * g
    return TabulatedTorque(angle, g, field_like * g)


def _factors(torque, cos_theta):
    """The kernels' angular factors (damping-like, field-like) for ``torque`` at one cos(theta)."""
    kind, q, table = kernel_inputs(torque)
    if kind == TORQUE_TABLE:
        return table_factors(table, 0, table.size // TABLE_ROW, cos_theta)
    f = rational_factor(q[0], q[1], q[2], cos_theta)
    return f, f


def _kernel_factors(torque, theta):
    return kernel_inputs(torque)[0], np.array([_factors(torque, np.cos(x)) for x in theta])


def test_kernel_table_is_the_table_and_tabulated_slonczewski_error():
    table = _slonczewski_table(0.4)
    kind, kernel = _kernel_factors(table, THETA)
    assert kind == TORQUE_TABLE
    np.testing.assert_allclose(kernel[:, 0], table.efficiency(THETA), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(kernel[:, 1], table.field_like_efficiency(THETA), rtol=1e-12, atol=1e-15)
    relative = np.max(np.abs(kernel[:, 0] / (2 * _slonczewski_g(THETA, 0.4)) - 1.0))
    # the former interpolant, a not-a-knot cubic spline in theta through the same points
    spline_theta = CubicSpline(table.angle, table.a, bc_type="not-a-knot")(THETA)
    relative_theta = np.max(np.abs(spline_theta / _slonczewski_g(THETA, 0.4) - 1.0))
    assert relative < 1e-7 and relative < relative_theta / 10  # g is smooth in cos(theta)
    measured = load_fixture("measured.json")
    assert relative == pytest.approx(measured["slonczewski_table_1deg_max_rel_error"], rel=0.01)
    assert relative_theta == pytest.approx(measured["slonczewski_theta_spline_1deg_max_rel_error"], rel=0.01)


def test_table_passes_through_its_points_within_the_resampling_tolerance():
    table = _slonczewski_table(0.7, points=37, field_like=-0.3)
    scale = np.abs(np.concatenate([table.a, table.b])).max()
    assert 0 < table.resampling_error <= RESAMPLE_RTOL * scale
    assert table.intervals & (table.intervals - 1) == 0 and 256 <= table.intervals <= 16384
    np.testing.assert_allclose(table.efficiency(table.angle) / 2, table.a, rtol=0, atol=2 * RESAMPLE_RTOL * scale)
    np.testing.assert_allclose(
        table.field_like_efficiency(table.angle) / 2, table.b, rtol=0, atol=2 * RESAMPLE_RTOL * scale
    )
    # u = cos(theta) clamped: |m . p| slightly above 1 in an RK stage reads the end values
    assert _factors(table, 1.0 + 1e-9) == _factors(table, 1.0)
    assert _factors(table, -1.0 - 1e-9) == _factors(table, -1.0)


def test_table_error_against_the_transport_engine():
    """The Fig. 5 valve's a_n, b_n on 91 angles, interpolated, against the transport engine off the grid."""
    import fastspin

    stack = fastspin.presets.barnas2005("fig5")
    table = TabulatedTorque.from_frame(fastspin.torque_vs_angle(stack, np.linspace(0, np.pi, 91)))
    theta = np.sort(THETA[:400])
    exact = fastspin.torque_vs_angle(stack, theta)
    scale = np.abs(table.a).max()
    error_a = np.abs(table.efficiency(theta) / 2 - exact["a"].to_numpy()).max() / scale
    error_b = np.abs(table.field_like_efficiency(theta) / 2 - exact["b"].to_numpy()).max() / scale
    error_theta = np.abs(CubicSpline(table.angle, table.a)(theta) - exact["a"].to_numpy()).max() / scale
    assert error_a < 1e-6 and error_b < 1e-6 and error_a < error_theta / 10
    measured = load_fixture("measured.json")
    assert error_a == pytest.approx(measured["fig5_table_91_max_error_a_over_max_a"], rel=0.05)
    assert error_theta == pytest.approx(measured["fig5_theta_spline_91_max_error_a_over_max_a"], rel=0.05)


@pytest.mark.parametrize(
    "model", [SlonczewskiTorque(0.4), SlonczewskiTorque(1.0), AsymmetricTorque(0.35, 2.0), AsymmetricTorque(0.8, 0.3)]
)
def test_kernel_rational_form_is_the_model(model):
    theta = THETA[THETA < 3.1] if model.polarization == 1.0 else THETA  # P = 1: g diverges at pi
    kind, kernel = _kernel_factors(model, theta)
    assert kind == TORQUE_RATIONAL
    # equal up to rounding: q1 + q2 cos(theta) cancels towards pi for P = 1 (relative condition number)
    q = kernel_inputs(model)[1]
    condition = (abs(q[1]) + abs(q[2])) / np.abs(q[1] + q[2] * np.cos(theta))
    relative = np.abs(kernel[:, 0] / model.efficiency(theta) - 1)
    np.testing.assert_array_less(relative, 8 * np.finfo(float).eps * condition)
    np.testing.assert_array_equal(kernel[:, 1], kernel[:, 0])  # b_J = field_like_ratio a_J


def test_tabulated_run_equals_analytic_slonczewski():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(
        current_density=np.linspace(2e11, 8e11, 4),
        field=(0.005, 0.002, 0),
        m0=tilted(0.05),
        duration=2e-9 if JIT else 2e-10,
        dt=0.5e-12,
    )
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
    np.testing.assert_array_equal(
        simulate(layer, torque=shuffled, **kw)[["mx", "my", "mz"]].to_numpy(),
        simulate(layer, torque=table, **kw)[["mx", "my", "mz"]].to_numpy(),
    )


def test_asymmetric_form_reduces_to_constant_and_slonczewski_full_polarization_limit():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(current_density=[1e11, 4e11], m0=tilted(0.05), duration=5e-10, dt=1e-12)
    constant = simulate(layer, efficiency=0.35, **kw)
    asym = simulate(layer, torque=AsymmetricTorque(0.35, 1.0), **kw)
    np.testing.assert_allclose(
        asym[["mx", "my", "mz"]].to_numpy(), constant[["mx", "my", "mz"]].to_numpy(), rtol=0, atol=1e-13
    )
    # Lambda > 1: larger torque towards the antiparallel state, eta(pi)/eta(0) = Lambda^2
    model = AsymmetricTorque(0.35, 2.0)
    assert model.efficiency(np.pi) / model.efficiency(0.0) == pytest.approx(4.0)
    # full polarization at 90 degrees: hbar/2 per electron, eta = 2 g = 1 (Slonczewski 1996)
    assert SlonczewskiTorque(1.0).efficiency(np.pi / 2) == pytest.approx(1.0)
    assert _factors(SlonczewskiTorque(1.0), 0.0)[0] == pytest.approx(1.0)


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
    np.testing.assert_allclose(
        with_torque[["mx", "my", "mz"]].to_numpy(), with_field[["mx", "my", "mz"]].to_numpy(), atol=1e-12
    )
