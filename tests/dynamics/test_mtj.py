"""Voltage-biased MTJ (Louis et al. 2025 Eqs 24, 53, 65-69) and bias-polynomial torques."""

import numpy as np
import pytest
from dynamics_reference import JIT, cross_matrix, load_fixture, tilted
from scipy.integrate import solve_ivp

from fastspin.constants import E_CHARGE, GAMMA_E, HBAR
from fastspin.dynamics import MTJ, FreeLayer, simulate, trajectories

R_P, R_AP = 1000.0, 2000.0
MS, THICKNESS, AREA, ALPHA = 1.0e6, 1.5e-9, np.pi * (50e-9) ** 2, 0.01
B_D, B_A = 1.0, 0.01  # hard-axis and easy-axis fields of Louis Eq. 53, T


def _layer():
    return FreeLayer.easy_plane(MS, THICKNESS, ALPHA, hard_axis_field=B_D, easy_axis_field=B_A, area=AREA)


def test_resistance_law():
    mtj = MTJ(R_P, R_AP)
    assert mtj.r_perp == pytest.approx(2 * R_AP * R_P / (R_AP + R_P))  # Eq. 67
    assert mtj.eta == pytest.approx(np.sqrt(1.0 / 3.0))  # Eq. 68
    np.testing.assert_allclose(mtj.resistance([1.0, 0.0, -1.0]), [R_P, mtj.r_perp, R_AP])  # Eq. 65 limits


def test_easy_plane_layer_is_louis_eq_53():
    layer = _layer()
    m = np.random.default_rng(2).normal(size=(20, 3))
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    b_e = np.array([0.01, -0.02, 0.03])
    louis = -m @ b_e + 0.5 * B_D * m[:, 2] ** 2 - 0.5 * B_A * m[:, 0] ** 2
    np.testing.assert_allclose(layer.energy_per_ms_volume(m, b_e), louis, rtol=1e-12, atol=1e-15)


def _louis_eq24(v, duration, samples, m0, b_e):
    """Louis Eq. 24 as written: dm/dt = gamma B_eff x m + alpha m x dm/dt - gamma/(Ms V) m x (J_s x m),
    J_s = (hbar/e)(eta/2)(V/R_perp) p (Eq. 69), B_eff from Eq. 53."""
    mtj = MTJ(R_P, R_AP)
    p = np.array([1.0, 0.0, 0.0])
    j_s = HBAR / E_CHARGE * mtj.eta / 2 * v / mtj.r_perp * p
    volume = THICKNESS * AREA

    def rhs(_, m):
        b_eff = b_e + np.array([B_A * m[0], 0.0, -B_D * m[2]])
        torque = GAMMA_E * np.cross(b_eff, m) - GAMMA_E / (MS * volume) * np.cross(m, np.cross(j_s, m))
        return np.linalg.solve(np.eye(3) - ALPHA * cross_matrix(m), torque)

    return solve_ivp(rhs, (0, duration), m0, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=samples).y.T


def test_voltage_drive_follows_louis_eq_24():
    duration = 3e-9 if JIT else 3e-10
    b_e = np.array([0.002, 0.0, 0.0])
    m0 = tilted(0.1)
    t, m = trajectories(
        _layer(),
        voltage=[1.5, -1.5],
        mtj=MTJ(R_P, R_AP),
        field=b_e,
        m0=m0,
        duration=duration,
        dt=0.1e-12,
        record_every=100,
    )
    deviations = [np.abs(m[k] - _louis_eq24(v, duration, t, m0, b_e)).max() for k, v in enumerate((1.5, -1.5))]
    assert max(deviations) < 1e-6
    if JIT:
        assert deviations[0] == pytest.approx(
            load_fixture("measured.json")["louis_eq24_voltage_drive_max_deviation"], rel=0.2
        )
        assert m[0, -1, 0] < 0 and m[1, -1, 0] > 0.99  # V > 0 switches P -> AP; V < 0 keeps P


def test_bias_polynomials():
    """Damping-like a(V) = c1 V with c1 = hbar eta / (2 e R_perp A) reproduces Eq. 69; a field-like
    b(V) = d0 + d2 V^2 (J/m^2) acts as the field b(V)/(Ms d) along p."""
    mtj = MTJ(R_P, R_AP)
    c1 = HBAR * mtj.eta / (2 * E_CHARGE * mtj.r_perp * AREA)
    kw = dict(field=(0.002, 0, 0), m0=tilted(0.1), duration=1e-9, dt=0.5e-12)
    volts = np.array([-0.5, 0.3, 0.9])
    louis = simulate(_layer(), voltage=volts, mtj=mtj, **kw)
    poly = simulate(_layer(), voltage=volts, mtj=MTJ(R_P, R_AP, damping_like_coefficients=[0.0, c1]), **kw)
    cols = ["mx", "my", "mz"]
    np.testing.assert_allclose(poly[cols].to_numpy(), louis[cols].to_numpy(), rtol=0, atol=1e-12)
    d0, d2 = 2e-5, 4e-5
    fl = MTJ(R_P, R_AP, damping_like_coefficients=[0.0], field_like_coefficients=[d0, 0.0, d2])
    with_fl = simulate(_layer(), voltage=volts, mtj=fl, **kw)
    b_j = (d0 + d2 * volts**2) / (MS * THICKNESS)
    as_field = simulate(
        _layer(),
        field=np.array([0.002, 0, 0]) + b_j[:, None] * [1.0, 0.0, 0.0],
        m0=kw["m0"],
        duration=kw["duration"],
        dt=kw["dt"],
    )
    np.testing.assert_allclose(with_fl[cols].to_numpy(), as_field[cols].to_numpy(), rtol=0, atol=1e-12)


def test_mean_resistance_of_static_states():
    mtj = MTJ(R_P, R_AP)
    layer = FreeLayer(MS, THICKNESS, 0.05, anisotropy_field=0.05, area=AREA)
    canted_field = 0.02  # easy axis x, transverse field: static m_y = B_y / B_k = 0.4
    frame = simulate(
        layer,
        voltage=0.0,
        mtj=mtj,
        field=[(0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, canted_field, 0.0)],
        m0=[tilted(0.1), -tilted(0.1), tilted(0.1)],
        duration=10e-9 if JIT else 1e-9,
        dt=1e-12,
    )
    if JIT:
        assert list(frame.state) == ["parallel", "antiparallel", "canted"]
        cos_canted = np.sqrt(1 - 0.4**2)
        np.testing.assert_allclose(frame.mean_resistance, [R_P, R_AP, mtj.resistance(cos_canted)], rtol=1e-6)
