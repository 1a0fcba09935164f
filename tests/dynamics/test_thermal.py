"""Stochastic Heun: Boltzmann equilibrium at zero current, seeded reproducibility per trajectory."""

import numba
import numpy as np
import pytest
from dynamics_reference import JIT, load_fixture
from scipy import integrate, stats

from fastspin.constants import K_B, MU0
from fastspin.dynamics import FreeLayer, simulate

MS, BK, TEMP, XI = 8.0e5, 0.05, 300.0, 1.5
THICKNESS = 1e-9
VOLUME = 2 * XI * K_B * TEMP / (MS * BK)  # K V / k_B T = Ms B_k V / (2 k_B T) = XI


def _marginal_density(n_z):
    """Boltzmann density of m_x on the sphere (uniform measure dm_x dphi), from the energy
    E / k_B T = -XI m_x^2 + zeta (1 - m_x^2) sin^2(phi), zeta = mu0 Ms^2 V N_z / (2 k_B T)."""
    zeta = MU0 * MS**2 * VOLUME * n_z / (2 * K_B * TEMP)

    def unnormalised(x):
        return (
            np.exp(XI * x * x)
            * integrate.quad(lambda phi: np.exp(-zeta * (1 - x * x) * np.sin(phi) ** 2), 0, 2 * np.pi)[0]
        )

    norm = integrate.quad(unnormalised, -1, 1)[0]
    return lambda x: unnormalised(x) / norm


@pytest.mark.parametrize("n_z", [0.0, 0.05])
@pytest.mark.compiled
def test_equilibrium_distribution_of_the_easy_axis_component_is_boltzmann(n_z):
    n = 4000 if JIT else 100
    layer = FreeLayer(MS, THICKNESS, 1.0, anisotropy_field=BK, demag=(0, 0, n_z), area=VOLUME / THICKNESS)
    frame = simulate(
        layer,
        current_density=np.zeros(n),
        m0=(1, 0, 0),
        temperature=TEMP,
        method="heun",
        seed=1,
        duration=4e-9,
        dt=0.5e-12,
    )
    mx = frame.mx.to_numpy()
    density = _marginal_density(n_z)
    edges = np.linspace(-1, 1, 21 if JIT else 5)
    expected = n * np.array([integrate.quad(density, a, b)[0] for a, b in zip(edges[:-1], edges[1:])])
    counts, _ = np.histogram(mx, edges)
    p_value = stats.chi2.sf(np.sum((counts - expected) ** 2 / expected), len(counts) - 1)
    assert p_value > 1e-3
    mean_sq = integrate.quad(lambda x: x * x * density(x), -1, 1)[0]
    assert abs(np.mean(mx**2) - mean_sq) < 4 * np.std(mx**2) / np.sqrt(n)
    assert abs(np.mean(mx)) < 4 * np.std(mx) / np.sqrt(n)  # the barrier is crossed: both wells filled
    if JIT:
        assert p_value == pytest.approx(load_fixture("measured.json")[f"boltzmann_chi2_p_nz_{n_z}"], rel=1e-6)


def _thermal_run(n, seed, current_density=2.0e11):
    layer = FreeLayer(MS, 2e-9, 0.01, anisotropy_field=0.02, area=50e-9 * 50e-9)
    return simulate(
        layer,
        current_density=np.full(n, current_density),
        efficiency=0.4,
        m0=(1, 0, 0),
        temperature=TEMP,
        method="heun",
        seed=seed,
        duration=2e-9 if JIT else 2e-10,
        dt=1e-12,
    )


def test_seeded_runs_are_reproducible_per_trajectory():
    first = _thermal_run(100, seed=7)
    again = _thermal_run(100, seed=7)
    other = _thermal_run(100, seed=8)
    subset = _thermal_run(30, seed=7)
    columns = ["mx", "my", "mz", "switching_time"]
    np.testing.assert_array_equal(first[columns].to_numpy(), again[columns].to_numpy())
    assert np.all(first.mx.to_numpy() != other.mx.to_numpy())
    # a trajectory's noise depends only on (seed, its index): a smaller batch reproduces it
    np.testing.assert_allclose(first[columns].to_numpy()[:30], subset[columns].to_numpy(), rtol=0, atol=1e-12)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = _thermal_run(100, seed=7)
    finally:
        numba.set_num_threads(threads)
    np.testing.assert_array_equal(first[columns].to_numpy(), serial[columns].to_numpy())


def test_switching_probability_is_reproducible_and_seed_independent_within_statistics():
    n = 2000 if JIT else 64
    run = _thermal_run(n, seed=11, current_density=1.2e11)
    p1 = run.switched.mean()
    p1_again = _thermal_run(n, seed=11, current_density=1.2e11).switched.mean()
    p2 = _thermal_run(n, seed=12, current_density=1.2e11).switched.mean()
    assert p1 == p1_again
    sigma = np.sqrt(max(p1 * (1 - p1), 1.0 / n) / n)
    assert abs(p1 - p2) < 4 * np.sqrt(2) * sigma
    if JIT:
        assert 0.05 < p1 < 0.95  # a current where switching is genuinely random
        assert p1 == load_fixture("measured.json")["thermal_switching_probability_seed11"]
        # ended on the other side <= crossed at least once; some crossed and came back
        crossed = run.first_crossing_time.notna().mean()
        assert crossed == load_fixture("measured.json")["thermal_first_crossing_probability_seed11"] and crossed > p1
