"""Thermal stability factor: barriers from the minimum-energy path against closed forms and against the exact
stationary points of the energy on the sphere; the Arrhenius fit of stochastic dwell times against the barrier
and against Brown's exact escape time of an axially symmetric macrospin."""

import numba
import numpy as np
import pandas as pd
import pytest
from scipy import integrate

from fastspin.constants import GAMMA_E, K_B, MU0
from fastspin.dynamics import FreeLayer
from fastspin.experiments.stability import arrhenius_fit, thermal_stability

JIT = not numba.config.DISABLE_JIT  #: sizes shrink when the JIT is disabled (coverage runs)
MS, BK, THICKNESS, AREA = 8.0e5, 0.05, 2e-9, 1e-15
VOLUME = THICKNESS * AREA
TILTED = np.array([1.0, 2.0, 2.0]) / 3.0


def _kv(b_k, ms=MS, volume=VOLUME):
    """K V with K = Ms B_k / 2 (J)."""
    return 0.5 * ms * b_k * volume


def _perpendicular(u):
    w = np.cross(u, [0.0, 0.0, 1.0] if abs(u[2]) < 0.9 else [1.0, 0.0, 0.0])
    return w / np.linalg.norm(w)


def _vector(row, label):
    return row[[f"{label}_mx", f"{label}_my", f"{label}_mz"]].to_numpy(dtype=float)


# ----------------------------------------------------------------------------------------------------------
# closed forms


@pytest.mark.parametrize(
    "easy, demag, b_eff",
    [
        (TILTED, (0.0, 0.0, 0.0), BK),  # any easy direction, no demagnetizing field
        ((0.0, 0.0, 1.0), (0.0, 0.0, 1.0), BK),  # perpendicular film: B_k - mu0 Ms = BK
    ],
)
@pytest.mark.parametrize("h", [0.0, 0.3, -0.45])
def test_field_along_the_easy_axis(easy, demag, b_eff, h):
    """e(theta) = -h B cos(theta) - (B/2) cos^2(theta) (B the effective anisotropy field, theta from +u):
    minima at theta = 0, pi, maximum of the path at cos(theta) = -h, so E_b = K V (1 + h)^2 out of the +u well
    and K V (1 - h)^2 out of the -u well."""
    easy = np.asarray(easy, dtype=float)
    b_k = b_eff + (MU0 * MS if demag[2] else 0.0)
    layer = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=b_k, easy_axis=easy, demag=demag, area=AREA)
    temps = np.array([300.0, 400.0])
    frame = thermal_stability(layer, temps, field=h * b_eff * easy)
    assert list(frame.temperature) == [300.0, 400.0] and (frame.method == "barrier").all()
    row = frame.iloc[0]
    kv = _kv(b_eff)
    assert row.barrier_forward == pytest.approx(kv * (1 + h) ** 2, rel=1e-8)
    assert row.barrier_backward == pytest.approx(kv * (1 - h) ** 2, rel=1e-8)
    np.testing.assert_allclose(frame.delta, kv * (1 + h) ** 2 / (K_B * temps), rtol=1e-8)
    np.testing.assert_allclose(frame.delta_backward, kv * (1 - h) ** 2 / (K_B * temps), rtol=1e-8)
    np.testing.assert_allclose(_vector(row, "minimum"), easy, atol=1e-9)
    np.testing.assert_allclose(_vector(row, "other_minimum"), -easy, atol=1e-9)
    saddle = _vector(row, "saddle")
    assert saddle @ easy == pytest.approx(-h, abs=1e-9)
    assert row.energy_saddle - row.energy_minimum == pytest.approx(row.barrier_forward, rel=1e-12)
    assert row.volume == pytest.approx(VOLUME, rel=1e-15)


@pytest.mark.parametrize("h", [0.2, 0.6])
def test_field_along_the_hard_axis_stoner_wohlfarth(h):
    """Field B = h B_k w perpendicular to the easy axis u (no demagnetizing field), m = cos(t) u + sin(t) w:
    e(t) = -h B_k sin(t) - (B_k/2) cos^2(t).  de/dt = B_k cos(t) (sin(t) - h) = 0 gives the minima
    sin(t) = h, e_min = -(B_k/2)(1 + h^2), and the saddle m = w (t = pi/2; a maximum along the path, a minimum
    across it), e_s = -h B_k.  Hence E_b = Ms V (B_k/2)(1 + h^2 - 2h) = K V (1 - h)^2 out of either well."""
    w = _perpendicular(TILTED)
    layer = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK, easy_axis=TILTED, demag=(0, 0, 0), area=AREA)
    row = thermal_stability(layer, 300.0, field=h * BK * w).iloc[0]
    kv = _kv(BK)
    assert row.barrier_forward == pytest.approx(kv * (1 - h) ** 2, rel=1e-8)
    assert row.barrier_backward == pytest.approx(kv * (1 - h) ** 2, rel=1e-8)
    for label, sign in (("minimum", 1.0), ("other_minimum", -1.0)):
        m = _vector(row, label)
        assert m @ TILTED == pytest.approx(sign * np.sqrt(1 - h * h), abs=1e-9)
        assert m @ w == pytest.approx(h, abs=1e-9)
    np.testing.assert_allclose(_vector(row, "saddle"), w, atol=1e-8)


def test_in_plane_film_saddle_goes_through_the_in_plane_hard_axis():
    """Easy axis x, thin-film demagnetizing factors (0, 0, 1): the way over +-y costs K V, the way over +-z
    costs K V + mu0 Ms^2 V / 2; the minimum-energy path takes the in-plane one."""
    layer = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK, easy_axis=(1, 0, 0), demag=(0, 0, 1), area=AREA)
    row = thermal_stability(layer, 300.0).iloc[0]
    assert row.barrier_forward == pytest.approx(_kv(BK), rel=1e-8)
    assert row.barrier_backward == pytest.approx(_kv(BK), rel=1e-8)
    saddle = _vector(row, "saddle")
    assert abs(saddle[1]) == pytest.approx(1.0, abs=1e-9)
    assert abs(saddle[0]) < 1e-9 and abs(saddle[2]) < 1e-9
    out_of_plane = MS * VOLUME * (0.5 * MU0 * MS + 0.5 * BK)  # E(z) - E(x)
    assert row.barrier_forward < 0.99 * out_of_plane


@pytest.mark.parametrize("fraction", [0.5, 1.0 + 0.5 * BK / (MU0 * MS)])
def test_in_plane_film_perpendicular_field_lifts_the_saddle_out_of_the_plane(fraction):
    """Easy axis x, N = (0, 0, 1), field B_z = fraction * mu0 Ms; S = B_k + mu0 Ms.  Minima in the xz plane at
    m_z = B_z / S, e_min = -B_k/2 - B_z^2 / (2 S).  For B_z < mu0 Ms the saddles are (0, +-cos(p), sin(p)),
    sin(p) = B_z / (mu0 Ms), e_s = -B_z^2 / (2 mu0 Ms); for mu0 Ms < B_z < S they merge into m = z, and
    E_b / (Ms V) = (S - B_z)^2 / (2 S)."""
    layer = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK, easy_axis=(1, 0, 0), demag=(0, 0, 1), area=AREA)
    mu = MU0 * MS
    s = BK + mu
    b_z = fraction * mu
    row = thermal_stability(layer, 300.0, field=(0.0, 0.0, b_z)).iloc[0]
    saddle = _vector(row, "saddle")
    if b_z < mu:
        expected = BK / 2 + b_z**2 / (2 * s) - b_z**2 / (2 * mu)
        sin_p = b_z / mu
        np.testing.assert_allclose(np.abs(saddle), [0.0, np.sqrt(1 - sin_p**2), sin_p], atol=1e-8)
    else:
        expected = (s - b_z) ** 2 / (2 * s)
        np.testing.assert_allclose(saddle, [0.0, 0.0, 1.0], atol=1e-9)
    assert row.barrier_forward == pytest.approx(MS * VOLUME * expected, rel=1e-8)
    np.testing.assert_allclose(_vector(row, "minimum"), [np.sqrt(1 - (b_z / s) ** 2), 0.0, b_z / s], atol=1e-9)


def test_effective_demagnetizing_factors_can_put_the_saddle_out_of_plane():
    """Easy axis x with N = (0, 0.05, 0.02) (an elongated element whose thin-film demagnetizing field is nearly
    compensated by a perpendicular anisotropy): over +-z costs (B_k + mu0 Ms N_z) / 2 per Ms V, less than over
    +-y, (B_k + mu0 Ms N_y) / 2; the saddle is out of plane."""
    demag = (0.0, 0.05, 0.02)
    layer = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK, easy_axis=(1, 0, 0), demag=demag, area=AREA)
    row = thermal_stability(layer, 300.0).iloc[0]
    assert row.barrier_forward == pytest.approx(MS * VOLUME * 0.5 * (BK + MU0 * MS * demag[2]), rel=1e-8)
    np.testing.assert_allclose(np.abs(_vector(row, "saddle")), [0.0, 0.0, 1.0], atol=1e-9)


# ----------------------------------------------------------------------------------------------------------
# general landscapes against the exact stationary points


def _exact_stationary_points(a_matrix, b):
    """All stationary points of e(m) = -b.m + m.A m / 2 on the unit sphere for a generic field (no component
    of b zero in the eigenbasis of A), with their energies and Hessian indices.

    Stationary: A m - b = lam m, so m = (A - lam)^-1 b with sum_i c_i^2 / (a_i - lam)^2 = 1 (c = Q^T b), a
    polynomial of degree 6 in lam; the tangent-plane Hessian is P (A - lam) P.
    """
    a, q = np.linalg.eigh(a_matrix)
    c = q.T @ b
    poly = np.polynomial.Polynomial
    factors = [poly([a_i, -1.0]) ** 2 for a_i in a]
    secular = factors[0] * factors[1] * factors[2] - sum(
        c[i] ** 2 * factors[(i + 1) % 3] * factors[(i + 2) % 3] for i in range(3)
    )
    roots = secular.roots()
    points = []
    for lam in roots[np.abs(roots.imag) < 1e-6 * (np.ptp(a) + np.linalg.norm(b))].real:
        for _ in range(30):  # Newton on g(lam) = sum c^2 / (a - lam)^2 - 1
            r = c / (a - lam)
            lam -= (np.sum(r * r) - 1.0) / (2.0 * np.sum(r * r / (a - lam)))
        m = q @ (c / (a - lam))
        basis = np.linalg.svd(np.eye(3) - np.outer(m, m))[0][:, :2]
        index = int(np.sum(np.linalg.eigvalsh(basis.T @ (a_matrix - lam * np.eye(3)) @ basis) < 0))
        if not any(np.allclose(m, p[0], atol=1e-9) for p in points):
            points.append((m, -b @ m + 0.5 * m @ a_matrix @ m, index))
    return points


def _random_layer(rng):
    u = rng.normal(size=3)
    demag = rng.dirichlet([1.0, 1.0, 1.0])
    ms = rng.uniform(3e5, 1.5e6)
    b_k = rng.uniform(0.05, 1.0)
    layer = FreeLayer(ms, THICKNESS, 0.01, anisotropy_field=b_k, easy_axis=u, demag=demag, area=AREA)
    a_matrix = -b_k * np.outer(layer.easy_axis, layer.easy_axis) + MU0 * ms * np.diag(demag)
    spread = np.ptp(np.linalg.eigvalsh(a_matrix))
    field = rng.normal(size=3) * rng.uniform(0.05, 0.6) * spread / np.sqrt(3)
    return layer, a_matrix, field


def test_random_landscapes_match_the_exact_lowest_first_order_saddle():
    rng = np.random.default_rng(20261130)
    two_wells = single_well = 0
    for _ in range(16):
        layer, a_matrix, field = _random_layer(rng)
        points = _exact_stationary_points(a_matrix, field)
        minima = [(m, e) for m, e, index in points if index == 0]
        saddles = [(m, e) for m, e, index in points if index == 1]
        if len(minima) < 2:
            single_well += 1
            with pytest.raises(ValueError, match="field"):
                thermal_stability(layer, 300.0, field=field)
            continue
        two_wells += 1
        row = thermal_stability(layer, 300.0, field=field).iloc[0]
        moment = float(layer.ms) * VOLUME
        e_saddle = min(e for _, e in saddles)
        for label, column in (("minimum", "barrier_forward"), ("other_minimum", "barrier_backward")):
            m = _vector(row, label)
            match = [e for p, e in minima if np.linalg.norm(p - m) < 1e-8]
            assert len(match) == 1
            assert row[column] == pytest.approx(moment * (e_saddle - match[0]), rel=1e-8)
        saddle = _vector(row, "saddle")
        assert min(np.linalg.norm(p - saddle) for p, e in saddles if e == e_saddle) < 1e-8
        assert np.dot(_vector(row, "minimum"), layer.easy_axis) > 0  # the start well is on the +u side
    assert two_wells >= 8 and single_well >= 1  # both kinds of landscape were met


# ----------------------------------------------------------------------------------------------------------
# dwell times


def _brown_escape_time(delta0, h, n=40001):
    """Mean first-passage time, in units of 2 tau_N, to the saddle ring z = -h of the axially symmetric energy
    E / k_B T = -delta0 (z^2 + 2 h z) (z = m . u), from the Boltzmann distribution of the start well z > -h.

    Brown's Fokker-Planck equation for W(z): 2 tau_N dW/dt = d/dz [(1 - z^2)(dW/dz + W d(E/k_B T)/dz)], so
    T(z) = 2 tau_N int_{-h}^{z} dy exp(E(y)/k_B T) / (1 - y^2) int_y^1 exp(-E(x)/k_B T) dx (absorbing at -h,
    reflecting at 1), here integrated over theta = arccos(z)."""
    th = np.linspace(0.0, np.arccos(-h), n)
    z = np.cos(th)
    energy = -delta0 * (z * z + 2 * h * z)
    energy -= energy[0]
    weight = np.exp(-energy) * np.sin(th)
    inner = integrate.cumulative_simpson(weight, x=th, initial=0.0)
    outer = np.zeros_like(th)
    outer[1:] = np.exp(energy[1:]) * inner[1:] / np.sin(th[1:])
    cumulative = integrate.cumulative_simpson(outer, x=th, initial=0.0)
    first_passage = cumulative[-1] - cumulative
    return integrate.simpson(weight * first_passage, x=th) / integrate.simpson(weight, x=th)


def test_dwell_times_agree_with_the_barrier_within_their_statistical_uncertainty():
    """A perpendicular device (B_k - mu0 Ms = 0.5 T, a 28 nm disc 1.2 nm thick) in a field -0.1 B_eff against
    its start state, with Delta(300 K) = 40 out of that state; strong damping (alpha = 1) keeps the escapes
    within tens of ns (the energy is axially symmetric, so alpha only scales the time, tau_N ~ (1 + alpha^2) /
    alpha, and not the barrier).  Escapes at E_b / k_B T_k = 6 ... 9, Arrhenius fit with the prefactor
    exponent nu = 1/2 of Brown's asymptotic law.

    That law neglects corrections of order k_B T_k / E_b: the same fit applied to Brown's exact escape times
    of this energy returns E_b (1 + beta), beta = -2.3 %, which is the expectation the measured fit must meet
    within two standard deviations of its counting statistics (about 0.7 %, small enough to tell nu = 1/2
    from nu = 0, whose fit of the same escapes lands 6 % below that expectation)."""
    ms, b_eff, t, h, delta_300 = 1.1e6, 0.5, 1.2e-9, -0.1, 40.0
    volume = delta_300 * 2 * K_B * 300.0 / (ms * b_eff * (1 + h) ** 2)
    layer = FreeLayer(
        ms, t, 1.0, anisotropy_field=b_eff + MU0 * ms, easy_axis=(0, 0, 1), demag=(0, 0, 1), area=volume / t
    )
    e_b = delta_300 * K_B * 300.0
    deltas = np.array([6.0, 7.0, 8.0, 9.0]) if JIT else np.array([3.0, 3.5])
    frame = thermal_stability(
        layer,
        [300.0, 350.0],
        method="dwell",
        field=(0, 0, h * b_eff),
        temperatures=e_b / (K_B * deltas),
        n_trajectories=4000 if JIT else 8,
        seed=7,
    )
    assert list(frame.temperature) == [300.0, 350.0] and (frame.method == "dwell").all()
    row = frame.iloc[0]
    assert row.barrier_saddle == pytest.approx(e_b, rel=1e-10)
    assert row.threshold == pytest.approx(-h, abs=1e-12) and row.prefactor_exponent == 0.5
    np.testing.assert_allclose(frame.delta, row.barrier / (K_B * frame.temperature), rtol=1e-14)
    data = frame.attrs["dwell"]
    assert (data.n_escaped <= data.n_trajectories).all() and (data.n_escaped > 0).all()
    if not JIT:
        return
    # Brown's exact escape times of the continuous motion at the same temperatures, fitted the same way
    temps = data.temperature.to_numpy()
    delta0 = e_b / (K_B * temps) / (1 + h) ** 2
    tau_n = 2.0 * ms * volume / (2.0 * GAMMA_E * K_B * temps)  # (1 + alpha^2) Ms V / (2 alpha gamma k_B T)
    exact = 2.0 * tau_n * np.array([_brown_escape_time(d, h) for d in delta0])
    expected = arrhenius_fit(
        pd.DataFrame({"temperature": temps, "n_escaped": data.n_escaped, "dwell_time": exact}), 0.5
    )["barrier"]
    beta = expected / e_b - 1.0
    assert -0.03 < beta < -0.015
    assert row.barrier_error < 0.01 * e_b
    assert abs(row.barrier - expected) < 2.0 * row.barrier_error
    assert abs(row.delta - delta_300 * (1 + beta)) < 2.0 * row.delta_error
    # the measured times follow the exact ones up to one factor: a path sampled every dt reaches the plane
    # later than the continuous one (its crossings between samples are missed; about +10 % at gamma B_eff dt =
    # 0.064 from the shift 0.5826 sigma_step of a discretely monitored boundary)
    ratio = np.log(data.dwell_time.to_numpy() / exact)
    weights = data.n_escaped.to_numpy()
    mean = np.sum(weights * ratio) / np.sum(weights)
    assert np.sum(weights * (ratio - mean) ** 2) < 16.3  # chi^2 with 3 degrees of freedom, p = 0.001
    assert 0.0 < mean < np.log(1.25)


def test_dwell_censoring_uses_the_observed_time_of_trajectories_that_did_not_escape():
    """With a duration well below the dwell time most trajectories are censored; the rate n_escaped / (sum of
    escape times + sum of censoring times) stays the escape rate of the well (the dwell times of a run that
    observes until 90 % escaped), whereas the mean of the escape times alone would lie below the duration."""
    ms, b_eff, t = 1.1e6, 0.5, 1.2e-9
    volume = 40.0 * 2 * K_B * 300.0 / (ms * b_eff)
    layer = FreeLayer(ms, t, 1.0, anisotropy_field=b_eff, easy_axis=(0, 0, 1), demag=(0, 0, 0), area=volume / t)
    e_b = 40.0 * K_B * 300.0
    temps = e_b / (K_B * (np.array([6.0, 7.0]) if JIT else np.array([2.5, 3.0])))
    n = 2000 if JIT else 16
    full = thermal_stability(layer, 300.0, method="dwell", temperatures=temps, n_trajectories=n, seed=3)
    duration = 1e-9 if JIT else 2e-10
    short = thermal_stability(
        layer, 300.0, method="dwell", temperatures=temps, n_trajectories=n, seed=4, duration=duration
    )
    a, b = full.attrs["dwell"], short.attrs["dwell"]
    assert np.all(b.observed_time <= b.n_trajectories * duration * (1 + 1e-9))
    if not JIT:
        return
    assert np.all(a.n_escaped >= 0.9 * a.n_trajectories)
    assert np.all(b.n_escaped < 0.25 * b.n_trajectories)  # mostly censored
    assert np.all(b.dwell_time > 4 * duration)
    sigma = np.hypot(a.dwell_time_error, b.dwell_time_error)
    assert np.all(np.abs(a.dwell_time - b.dwell_time) < 2.0 * sigma)


# ----------------------------------------------------------------------------------------------------------
# bad input


_GOOD = FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK, area=AREA)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: thermal_stability(_GOOD, 0.0), "temperature"),
        (lambda: thermal_stability(_GOOD, [300.0, -5.0]), "temperature"),
        (lambda: thermal_stability(_GOOD, [[300.0]]), "temperature"),
        (lambda: thermal_stability(FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=BK), 300.0), "area"),
        (lambda: thermal_stability(_GOOD, 300.0, method="kramers"), "method"),
        (lambda: thermal_stability(_GOOD, 300.0, method="dwell", n_trajectories=0), "n_trajectories"),
        (lambda: thermal_stability(_GOOD, 300.0, method="dwell", n_trajectories=2.5), "n_trajectories"),
        (lambda: thermal_stability(_GOOD, 300.0, method="dwell", temperatures=[900.0]), "temperatures"),
        (lambda: thermal_stability(_GOOD, 300.0, method="dwell", temperatures=[900.0, 0.0]), "temperatures"),
        (lambda: thermal_stability(_GOOD, 300.0, method="barrier", n_trajectories=10), "n_trajectories"),
        (lambda: thermal_stability(_GOOD, 300.0, field=(0.0, 0.0)), "field"),
        (lambda: thermal_stability(_GOOD, 300.0, field=(-2 * BK, 0.0, 0.0)), "field"),
        (lambda: thermal_stability(FreeLayer(MS, THICKNESS, 0.01, area=AREA, demag=(0, 0, 1)), 300.0), "layer"),
        (lambda: thermal_stability(FreeLayer([MS, MS], THICKNESS, 0.01, anisotropy_field=BK, area=AREA), 300.0), "ms"),
        (lambda: thermal_stability("layer", 300.0), "layer"),
    ],
)
def test_bad_input_is_a_one_line_value_error(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)
