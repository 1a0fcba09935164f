"""RK4, RK45 and scipy's solve_ivp agree on a switching trajectory; traces are exact to the integrator."""

import numpy as np
import pytest
from dynamics_reference import JIT, gilbert_rhs, load_fixture, thin_film_field, tilted
from scipy.integrate import solve_ivp

from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import FreeLayer, SlonczewskiTorque, TabulatedTorque, simulate, trajectories

MS, THICKNESS, ALPHA, BK = 8.0e5, 2e-9, 0.02, 0.02
J = 6e11  # about 3.4 J_c (Slonczewski P = 0.4, alpha = 0.02): switches from P to AP
FIELD = (0.005, 0.002, 0.0)
M0 = tilted(0.05)


def _reference(duration, samples):
    a_j = stt_field_tesla(J, MS, THICKNESS, 1.0)

    def rhs(_, m):
        b = thin_film_field(m, ms=MS, field=FIELD, bk=BK)
        return gilbert_rhs(
            m, alpha=ALPHA, b_eff=b, a_j=a_j * SlonczewskiTorque(0.4).efficiency(np.arccos(np.clip(m[0], -1, 1)))
        )

    sol = solve_ivp(rhs, (0.0, duration), M0, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=samples)
    return sol.y.T


def test_rk4_rk45_and_solve_ivp_agree_on_a_switching_trajectory():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    duration = 2e-9 if JIT else 4e-10
    kw = dict(current_density=J, field=FIELD, m0=M0, torque=SlonczewskiTorque(0.4), duration=duration)
    t4, m4 = trajectories(layer, dt=0.05e-12, record_every=200, **kw)
    t45, m45 = trajectories(layer, dt=10e-12, method="rk45", rtol=1e-11, atol=1e-13, **kw)
    np.testing.assert_allclose(t4, t45, rtol=0, atol=1e-20)
    m_ref = _reference(duration, t4)
    assert m4[0, -1, 0] < -0.9 or not JIT  # it switched
    err_rk4 = np.abs(m4[0] - m_ref).max()
    err_rk45 = np.abs(m45[0] - m_ref).max()
    assert err_rk4 < 1e-6 and err_rk45 < 1e-6 and np.abs(m4[0] - m45[0]).max() < 1e-6
    if JIT:
        measured = load_fixture("measured.json")
        assert err_rk4 == pytest.approx(measured["switching_rk4_vs_solve_ivp"], rel=0.2)
        assert err_rk45 == pytest.approx(measured["switching_rk45_vs_solve_ivp"], rel=0.2)
    # the switching times of the three agree too
    frame4 = simulate(layer, dt=0.05e-12, **kw)
    frame45 = simulate(layer, dt=10e-12, method="rk45", rtol=1e-11, atol=1e-13, **kw)
    if JIT:
        assert abs(frame4.switching_time[0] - frame45.switching_time[0]) < 1e-15
        assert frame45.accepted_steps[0] < frame4.shape[0] * duration / 0.05e-12 / 5
        assert not frame45.integration_failed[0]


def test_traces_are_the_simulated_steps():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(current_density=[0.0, J, 2 * J], field=FIELD, m0=M0, duration=3e-10, dt=1e-12)
    for method in ("rk4", "rk45", "heun"):
        extra = {"temperature": 300.0, "seed": 3} if method == "heun" else {}
        frame = simulate(
            layer if method != "heun" else FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK, area=1e-16),
            method=method,
            **kw,
            **extra,
        )
        t, m = trajectories(
            layer if method != "heun" else FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK, area=1e-16),
            method=method,
            **kw,
            **extra,
        )
        assert t.shape == (301,) and m.shape == (3, 301, 3)
        np.testing.assert_array_equal(m[:, -1], frame[["mx", "my", "mz"]].to_numpy())
        np.testing.assert_array_equal(m[:, 0], np.broadcast_to(M0, (3, 3)))
        t5, m5 = trajectories(
            layer if method != "heun" else FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK, area=1e-16),
            method=method,
            record_every=5,
            **kw,
            **extra,
        )
        np.testing.assert_array_equal(t5, t[::5])
        if method != "rk45":  # rk45 lands on every sampling point: decimation changes no step of rk4/heun
            np.testing.assert_array_equal(m5, m[:, ::5])


def test_switching_time_is_the_interpolated_crossing_of_the_trace():
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    kw = dict(
        current_density=J, field=FIELD, m0=M0, duration=2e-9 if JIT else 5e-10, dt=1e-12, torque=SlonczewskiTorque(0.4)
    )
    for threshold in (0.0, -0.5):
        frame = simulate(layer, switch_threshold=threshold, **kw)
        t, m = trajectories(layer, **kw)
        c = m[0, :, 0] - threshold
        k = int(np.argmax(c < 0))
        if not JIT and k == 0:
            continue
        t_cross = t[k - 1] + (t[k] - t[k - 1]) * c[k - 1] / (c[k - 1] - c[k])
        assert frame.switched[0]
        assert frame.switching_time[0] == pytest.approx(t_cross, rel=1e-12)


def test_material_grid_in_one_batch_equals_separate_runs():
    """Layer parameters given per trajectory (a material grid) run in one batch exactly as one by one."""
    ms = np.array([6e5, 8e5, 1.1e6])
    alpha = np.array([0.005, 0.02, 0.01])
    demag = np.array([(0, 0, 1.0), (0.1, 0.2, 0.7), (0, 0, 0.8)])
    kw = dict(current_density=[1e11, 3e11, 5e11], field=FIELD, m0=M0, duration=5e-10, dt=1e-12)
    batch = simulate(FreeLayer(ms, THICKNESS, alpha, anisotropy_field=BK, demag=demag), **kw)
    for k in range(3):
        one = simulate(
            FreeLayer(ms[k], THICKNESS, alpha[k], anisotropy_field=BK, demag=demag[k]),
            **{**kw, "current_density": kw["current_density"][k]},
        )
        np.testing.assert_allclose(
            batch[["mx", "my", "mz"]].to_numpy()[k], one[["mx", "my", "mz"]].to_numpy()[0], rtol=0, atol=1e-13
        )


def _slonczewski_g(theta, p):
    return 1.0 / (-4.0 + (1.0 + p) ** 3 * (3.0 + np.cos(theta)) / (4.0 * p**1.5))


def test_ac_field_follows_the_exact_cosine_across_resyncs():
    """The kernels advance cos(omega t) of the AC field by a rotation recurrence (half steps for RK4, full
    steps for Heun), reset to the exact value every AC_RESYNC steps.  RK4 and Heun (at T = 0) follow
    solve_ivp with the exact cosine over many resets, for the rational (constant torque with an AC field)
    and the table forms of the torque."""
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)
    h_ac, f_ac, j = np.array([0.0, 0.004, 0.002]), 7e9, 3e11
    duration = 1.5e-9 if JIT else 0.15e-9  # RK4: 3000 steps (11 resets) with the JIT, 300 without
    angle = np.linspace(0, np.pi, 181)
    table = TabulatedTorque(angle, _slonczewski_g(angle, 0.4), np.zeros(181))
    errors = {}
    for name, torque, eta in (
        ("constant", "constant", lambda c: 0.4),
        ("table", table, lambda c: 2 * _slonczewski_g(np.arccos(np.clip(c, -1, 1)), 0.4)),
    ):
        a_j = stt_field_tesla(j, MS, THICKNESS, 1.0)

        def rhs(t, m, a_j=a_j, eta=eta):
            b = thin_film_field(m, ms=MS, field=np.add(FIELD, h_ac * np.cos(2 * np.pi * f_ac * t)), bk=BK)
            return gilbert_rhs(m, alpha=ALPHA, b_eff=b, a_j=a_j * eta(m[0]))

        kw = dict(
            current_density=j,
            field=FIELD,
            ac_field=h_ac,
            ac_frequency=f_ac,
            m0=M0,
            torque=torque,
            efficiency=0.4 if torque == "constant" else None,
            duration=duration,
            record_every=100,
        )
        t4, m4 = trajectories(layer, dt=0.5e-12, **kw)
        th, mh = trajectories(layer, dt=0.1e-12, method="heun", **{**kw, "record_every": 500})
        reference = solve_ivp(rhs, (0.0, duration), M0, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=t4).y.T
        errors[name] = np.abs(m4[0] - reference).max(), np.abs(mh[0] - reference).max()
        assert np.abs(m4[0, -1] - M0).max() > 0.01  # the drive moved m
    for name, (err_rk4, err_heun) in errors.items():
        assert err_rk4 < 1e-7 and err_heun < 5e-4, (name, err_rk4, err_heun)
        if JIT:
            measured = load_fixture("measured.json")
            assert err_rk4 == pytest.approx(measured[f"ac_rk4_vs_solve_ivp_{name}"], rel=0.2)
            assert err_heun == pytest.approx(measured[f"ac_heun_dt0.1ps_vs_solve_ivp_{name}"], rel=0.2)
