"""Write error rate from the Fokker-Planck equation (fastspin.experiments.fokker_planck).

Conservation and the stationary Boltzmann state of the discrete operator; the escape time against the
first-passage integral (quadrature, written here from the layer's energy) and against Brown's high-barrier
asymptote; convergence with the grid; the limits of the write error rate; the critical current against the
deterministic LLGS integrator; the write error rate against the stochastic LLGS integrator (sampled
Boltzmann starts, 2e4 trajectories per point).
"""

import numba
import numpy as np
import pytest
from scipy import integrate

from fastspin.constants import E_CHARGE, GAMMA_E, HBAR, K_B, MU0
from fastspin.dynamics import FreeLayer, Pulse, simulate
from fastspin.experiments.fokker_planck import (
    AxialFokkerPlanck,
    critical_current_density,
    escape_time,
    write_error_rate,
)

MS, THICKNESS, B_EFF, TEMP = 1.0e6, 1.0e-9, 0.3, 300.0
DEMAG = (0.05, 0.05, 0.9)


def _layer(delta, alpha=0.01, demag=DEMAG, **extra):
    """Perpendicular layer with B_eff = 0.3 T and the area giving Ms V B_eff / (2 k_B T) = delta."""
    volume = 2.0 * delta * K_B * TEMP / (MS * B_EFF)
    b_k = B_EFF + MU0 * MS * (demag[2] - demag[0])
    return FreeLayer(
        MS, THICKNESS, alpha, anisotropy_field=b_k, easy_axis=(0, 0, 1), demag=demag, area=volume / THICKNESS, **extra
    )


def _log_boltzmann(layer, u, b_z):
    """-E(u) / k_B T from the layer's own energy (fastspin.dynamics.layer), m = (sqrt(1 - u^2), 0, u)."""
    m = np.stack([np.sqrt(1.0 - u * u), np.zeros_like(u), u], axis=-1)
    volume = layer.thickness * layer.area
    return -layer.energy_per_ms_volume(m, (0.0, 0.0, b_z)) * MS * volume / (K_B * TEMP)


# --------------------------------------------------------------------------------------------- the operator
def test_probability_is_conserved_and_relaxes_to_the_pulse_equilibrium():
    layer = _layer(60)
    options = dict(temperature=TEMP, field=0.02, field_like_ratio=0.5, polarization=(0, 0, -1))
    j_c = critical_current_density(layer, field=0.02, field_like_ratio=0.5, polarization=(0, 0, -1))
    op = AxialFokkerPlanck(layer, current_density=3 * j_c, **options)
    times = np.geomspace(1e-11, 1e-5, 13)
    p = op.evolve(op.initial(), times)
    assert np.all(p >= 0)
    assert np.max(np.abs(p.sum(axis=1) - 1.0)) < 1e-13
    # after 10 us (thousands of switching times) the distribution is the pseudo-Boltzmann state of the pulse
    equilibrium = op.equilibrium()
    significant = equilibrium > 1e-200
    np.testing.assert_allclose(p[-1][significant], equilibrium[significant], rtol=1e-12, atol=0)


def test_boltzmann_distribution_is_stationary_without_current():
    layer = _layer(40)
    b_z = -0.03
    op = AxialFokkerPlanck(layer, temperature=TEMP, current_density=0.0, field=(0, 0, b_z), field_like_ratio=0.7)
    p_eq = op.boltzmann()
    # it is exp(-E / k_B T) of the layer's energy (B_k, demag, field) times the cell widths
    ratio = p_eq / (op.volumes * np.exp(_log_boltzmann(layer, op.x, b_z) - _log_boltzmann(layer, op.x, b_z).max()))
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12)
    np.testing.assert_allclose(op.equilibrium(), p_eq, rtol=1e-14)
    # K p_eq = 0 to rounding, against the size of the terms that cancel
    residual = np.abs(op.apply(p_eq))
    assert np.max(residual / (op.loss * p_eq)) < 1e-13
    # and the evolution leaves it unchanged (every cell, relative)
    p = op.evolve(p_eq, np.array([1e-9, 1e-3, 1e3]))
    significant = p_eq > 1e-250
    np.testing.assert_allclose(
        p[:, significant], np.broadcast_to(p_eq[significant], p[:, significant].shape), rtol=1e-12, atol=0
    )


# --------------------------------------------------------------------------------------------- escape time
def _first_passage_quadrature(layer, current_density, b_z):
    """Eq. (13) by nested quad from the layer's energy and the drift of Eq. (3), written independently:
    start at the Boltzmann distribution of u > 0, target the zero of the drift."""
    volume = layer.thickness * layer.area
    beta = MS * volume / (K_B * TEMP)
    diffusion = GAMMA_E * layer.alpha / ((1 + layer.alpha**2) * beta)
    a_j = HBAR * current_density / (2 * E_CHARGE * MS * THICKNESS)
    pseudo_field = b_z - a_j / layer.alpha  # p = +z, no field-like term
    target = -pseudo_field / B_EFF

    def log_p(u):  # pseudo-Boltzmann exponent of the pulse
        return beta * (0.5 * B_EFF * u * u + pseudo_field * u)

    def log_p0(u):
        return _log_boltzmann(layer, np.asarray(u, dtype=float), b_z)

    top = log_p0(1.0)
    z0 = integrate.quad(lambda u: np.exp(log_p0(u) - top), 0, 1, epsabs=0, epsrel=1e-13)[0]

    def integrand(y):
        above = integrate.quad(lambda z: np.exp(log_p(z) - log_p(y)), y, 1, epsabs=0, epsrel=1e-13)[0]
        start = integrate.quad(lambda z: np.exp(log_p0(z) - top), max(y, 0.0), 1, epsabs=0, epsrel=1e-13)[0] / z0
        return above * start / (diffusion * (1 - y * y))

    return integrate.quad(integrand, target, 1, epsabs=0, epsrel=1e-11, limit=200)[0]


@pytest.mark.parametrize("delta, b_z, fraction", [(20, 0.0, 0.0), (40, 0.03, 0.0), (30, 0.0, 0.4)])
def test_escape_time_is_the_first_passage_integral(delta, b_z, fraction):
    layer = _layer(delta)
    j = fraction * critical_current_density(layer, field=b_z)
    exact = _first_passage_quadrature(layer, j, b_z)
    errors = [
        abs(escape_time(layer, temperature=TEMP, current_density=j, field=b_z, grid=g) / exact - 1)
        for g in (200, 400, 800)
    ]
    assert errors[1] < 3e-4
    # second order in the grid (over two doublings: the target falls at a different place in its cell)
    assert 1.9 < np.log2(errors[0] / errors[2]) / 2 < 2.1


def test_escape_time_tends_to_neel_brown():
    alpha = 0.01
    rel = {}
    for delta in (20, 40, 80, 160):
        tau = escape_time(_layer(delta, alpha), temperature=TEMP, grid=6400)
        tau_0 = (1 + alpha**2) / (alpha * GAMMA_E * B_EFF) * np.sqrt(np.pi / delta) / 2  # Brown 1963
        rel[delta] = tau / (tau_0 * np.exp(delta)) - 1
    # the relative difference is 1/delta to leading order
    for delta, r in rel.items():
        assert 1.0 < r * delta < 1.12
    assert 1.9 < rel[80] / rel[160] < 2.1


# --------------------------------------------------------------------------------------------- write error rate
def test_write_error_rate_converges_with_the_grid_at_second_order():
    layer = _layer(60)
    j = 2 * critical_current_density(layer)
    wer = np.array(
        [
            write_error_rate(layer, current_density=j, width=23.1e-9, temperature=TEMP, grid=g).wer[0]
            for g in (200, 400, 800)
        ]
    )
    assert 3e-10 < wer[-1] < 3e-9
    changes = np.abs(np.diff(wer)) / wer[1:]
    assert changes[-1] < 1e-3
    assert 1.8 < np.log2(changes[0] / changes[1]) < 2.2


def test_write_error_rate_limits():
    layer = _layer(60)
    j_c = critical_current_density(layer)
    frame = write_error_rate(layer, current_density=3 * j_c, width=200e-9, temperature=TEMP)
    assert 0 < frame.wer[0] < 1e-30
    assert frame.p_switch[0] == pytest.approx(1.0, abs=1e-15)
    # zero current: WER = 1/2 + exp(-w / tau) / 2 (one relaxation rate 1/tau for a symmetric well pair)
    layer = _layer(40)
    tau = escape_time(layer, temperature=TEMP)
    widths = tau * np.array([1e-8, 1e-4, 1e-2, 0.5, 2.0])
    frame = write_error_rate(layer, current_density=0.0, width=widths, temperature=TEMP)
    np.testing.assert_allclose(frame.p_switch, 0.5 * (1 - np.exp(-widths / tau)), rtol=1e-6)
    assert frame.tau_zero_current[0] == tau
    assert frame.delta[0] == pytest.approx(40, rel=1e-12)
    frame = write_error_rate(layer, current_density=0.0, width=100e-9, temperature=TEMP)
    assert frame.p_switch[0] < 1e-15 and frame.wer[0] == pytest.approx(1.0, abs=1e-15)


def test_write_error_rate_decreases_with_width_and_current():
    layer = _layer(60)
    j_c = critical_current_density(layer)
    currents = j_c * np.array([0.9, 1.05, 1.5, 2.0, 3.0, 5.0])
    widths = np.linspace(0.5e-9, 60e-9, 40)
    frame = write_error_rate(layer, current_density=currents, width=widths, temperature=TEMP)
    wer = frame.wer.to_numpy().reshape(len(currents), len(widths))
    switched = frame.p_switch.to_numpy().reshape(wer.shape)
    # compared through whichever of WER and p_switch = 1 - WER is the small one (resolved to rounding)
    for axis in (0, 1):
        later_small = np.delete(wer, 0, axis=axis) < 0.5
        decreasing = np.where(later_small, np.diff(wer, axis=axis) < 0, np.diff(switched, axis=axis) > 0)
        assert np.all(decreasing), axis
    assert wer[-1, -1] < 1e-12 < wer[1, -1]


# --------------------------------------------------------------------------------------------- critical current
CASES = [
    ((0, 0, 1), "parallel", 0.0, 0.0),
    ((0, 0, -1), "antiparallel", 0.03, 0.5),
    ((0, 0, 1), "antiparallel", -0.02, -1.0),
    ((0, 0, -1), "parallel", 0.04, 2.0),
]


@pytest.mark.parametrize("polarization, start, b_z, ratio", CASES)
def test_critical_current_is_where_the_drift_at_the_start_pole_changes_sign(polarization, start, b_z, ratio):
    layer = _layer(35, alpha=0.05)
    j_c = critical_current_density(layer, field=b_z, polarization=polarization, start=start, field_like_ratio=ratio)
    # J_c0 = +-2|e| alpha Ms d (B_eff + B_z along the start) / (hbar eta (1 - alpha r))
    s = polarization[2] * (1 if start == "parallel" else -1)
    expected = (
        (1 if start == "parallel" else -1)
        * 2
        * E_CHARGE
        * 0.05
        * MS
        * THICKNESS
        * (B_EFF + s * b_z)
        / (HBAR * (1 - 0.05 * ratio))
    )
    assert j_c == pytest.approx(expected, rel=1e-12)
    keywords = dict(temperature=TEMP, field=b_z, polarization=polarization, start=start, field_like_ratio=ratio)
    at = AxialFokkerPlanck(layer, current_density=j_c, **keywords).field(1.0)
    below = AxialFokkerPlanck(layer, current_density=0.99 * j_c, **keywords).field(1.0)
    above = AxialFokkerPlanck(layer, current_density=1.01 * j_c, **keywords).field(1.0)
    assert abs(at) < 1e-14 * B_EFF and below > 0 > above
    # the deterministic LLGS integrator (T = 0) from 0.05 rad off the start pole: 5 % either side
    m0 = (np.sin(0.05), 0.0, s * np.cos(0.05))
    frame = simulate(
        layer,
        current_density=np.array([0.95, 1.05]) * j_c,
        field=(0, 0, b_z),
        polarization=polarization,
        field_like_ratio=ratio,
        m0=m0,
        duration=40e-9,
        dt=1e-12,
    )
    np.testing.assert_allclose(frame.mz * s, [1.0, -1.0], atol=1e-6)


# --------------------------------------------------------------------------------------------- stochastic LLGS
def _boltzmann_starts(layer, n, b_z, sign, rng):
    """Directions drawn from exp(-E / k_B T) on the start hemisphere sign * m_z > 0 (inverse CDF)."""
    x = np.linspace(0.0, 1.0, 400001)
    log_w = _log_boltzmann(layer, sign * x, b_z)
    w = np.exp(log_w - log_w.max())
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (w[1:] + w[:-1]) * np.diff(x))])
    u = sign * np.interp(rng.random(n), cdf / cdf[-1], x)
    azimuth = 2 * np.pi * rng.random(n)
    r = np.sqrt(1 - u * u)
    return np.stack([r * np.cos(azimuth), r * np.sin(azimuth), u], axis=1)


def _wilson(k, n, z=1.959963984540054):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="2e4 stochastic trajectories need the compiled kernels")
@pytest.mark.parametrize(
    "polarization, start, b_z, ratio, factor, width, seed",
    [
        ((0, 0, 1), "parallel", 0.0, 0.0, 1.5, 2.0e-9, 1),
        ((0, 0, -1), "antiparallel", 0.02, 0.5, 3.0, 0.8e-9, 2),
    ],
)
def test_write_error_rate_agrees_with_stochastic_llgs(polarization, start, b_z, ratio, factor, width, seed):
    layer = _layer(35, alpha=0.05)
    keywords = dict(field=b_z, polarization=polarization, field_like_ratio=ratio)
    j = factor * critical_current_density(layer, start=start, **keywords)
    relax = 1e-9
    fp = write_error_rate(
        layer, current_density=j, width=width, temperature=TEMP, start=start, relax=relax, **keywords
    ).wer[0]
    assert 1e-3 < fp < 0.5
    sign = polarization[2] * (1 if start == "parallel" else -1)
    rng = np.random.default_rng(seed)
    n = 20000
    estimates = []
    for dt in (1e-12, 0.5e-12):
        frame = simulate(
            layer,
            method="heun",
            temperature=TEMP,
            current_density=Pulse(j, width),
            field=(0, 0, b_z),
            polarization=polarization,
            field_like_ratio=ratio,
            m0=_boltzmann_starts(layer, n, b_z, sign, rng),
            duration=width + relax,
            dt=dt,
            seed=seed,
        )
        errors = int(np.sum(frame["mz"].to_numpy() * sign > 0))
        low, high = _wilson(errors, n)
        assert low < fp < high, (dt, errors / n, fp)
        estimates.append(errors / n)
    # halving the step changes nothing beyond the statistics (independent starts and noise)
    standard_error = np.sqrt(sum(p * (1 - p) / n for p in estimates))
    assert abs(estimates[0] - estimates[1]) < 3 * standard_error


# --------------------------------------------------------------------------------------------- bad input
def _bad(**changes):
    keywords = dict(current_density=1e11, width=1e-9, temperature=TEMP)
    keywords.update(changes)
    layer = keywords.pop("layer", _layer(40))
    return lambda: write_error_rate(layer, **keywords)


@pytest.mark.parametrize(
    "call, match",
    [
        (_bad(temperature=0.0), "temperature"),
        (_bad(temperature=-3.0), "temperature"),
        (_bad(width=[1e-9, -1e-9]), "width"),
        (_bad(method="llgs"), "method"),
        (_bad(field=(0.01, 0.0, 0.1)), "field"),
        (_bad(field=(0.0, 0.0)), "field"),
        (_bad(polarization=(1, 0, 0)), "polarization"),
        (_bad(polarization=(0.1, 0, 1)), "polarization"),
        (_bad(start="sideways"), "start"),
        (_bad(relax=-1e-9), "relax"),
        (_bad(grid=101), "grid"),
        (_bad(current_density=[[1e11]]), "current_density"),
        (
            _bad(
                layer=FreeLayer(
                    MS, THICKNESS, 0.01, anisotropy_field=1.6, easy_axis=(1, 0, 0), demag=(0, 0, 1), area=1e-15
                )
            ),
            "easy_axis",
        ),
        (
            _bad(
                layer=FreeLayer(
                    MS, THICKNESS, 0.01, anisotropy_field=1.6, easy_axis=(0, 0, 1), demag=(0.1, 0, 0.9), area=1e-15
                )
            ),
            "demag",
        ),
        (
            _bad(layer=FreeLayer(MS, THICKNESS, 0.01, anisotropy_field=1.6, easy_axis=(0, 0, 1), demag=(0, 0, 1))),
            "area",
        ),
        (
            _bad(
                layer=FreeLayer(
                    MS, THICKNESS, 0.0, anisotropy_field=1.6, easy_axis=(0, 0, 1), demag=(0, 0, 1), area=1e-15
                )
            ),
            "alpha",
        ),
        (
            _bad(
                layer=FreeLayer(
                    MS, THICKNESS, 0.01, anisotropy_field=1.0, easy_axis=(0, 0, 1), demag=(0, 0, 1), area=1e-15
                )
            ),
            "B_eff",
        ),
        (lambda: escape_time(_layer(40), temperature=0.0), "temperature"),
        (lambda: critical_current_density(_layer(40), polarization=(0, 1, 0)), "polarization"),
    ],
)
def test_bad_input_raises_value_error_naming_the_parameter(call, match):
    with pytest.raises(ValueError, match=match) as info:
        call()
    assert "\n" not in str(info.value)
