"""Switching probability from stochastic LLGS ensembles: against the Fokker-Planck write error rate, the
zero-temperature limit, the Boltzmann start states, and the coverage of the Wilson interval."""

import numba
import numpy as np
import pytest
from scipy import stats

from fastspin.constants import K_B
from fastspin.dynamics import FreeLayer, Pulse, System, simulate
from fastspin.experiments import boltzmann_directions, switching_probability, wilson_interval, write_error_rate

JIT = not numba.config.DISABLE_JIT
PMA = dict(ms=1e6, thickness=1e-9, alpha=0.05, anisotropy_field=0.3, easy_axis=(0, 0, 1), demag=(0, 0, 0))


def _device():
    """A perpendicular free layer of 40 nm diameter: Delta = Ms B_k V / (2 k_B T) = 45.5 at 300 K."""
    return FreeLayer(**PMA, area=np.pi * (20e-9) ** 2)


def test_ensemble_agrees_with_the_fokker_planck_write_error_rate():
    """2 amplitudes x 2 widths, 2e4 trajectories each, Boltzmann start, 2 ns of relaxation: the Fokker-Planck
    probability lies inside every 99.9 % Wilson interval of the ensemble (a family of four; measured with this
    seed: all four inside the 95 % intervals too, at -0.39, -0.09, -1.28 and +0.21 standard errors)."""
    if not JIT:
        pytest.skip("an ensemble of 8e4 trajectories needs the JIT")
    layer = _device()
    amplitude, width = np.array([6e10, 8e10]), np.array([1e-9, 2e-9])
    fp = write_error_rate(layer, current_density=amplitude, width=width, temperature=300.0, relax=2e-9)
    sp = switching_probability(
        layer,
        current_density=Pulse(amplitude, width),
        polarization=(0, 0, 1),
        temperature=300.0,
        n_trajectories=20_000,
        seed=2,
        confidence=0.999,
    )
    np.testing.assert_allclose(sp["amplitude"], fp["current_density"])
    np.testing.assert_allclose(sp["width"], fp["width"])
    p_fp = fp["p_switch"].to_numpy()
    assert ((sp["p_low"] <= p_fp) & (p_fp <= sp["p_high"])).all()
    assert (np.abs(sp["p_switch"] - p_fp) > 0.005).sum() <= 1  # not vacuous: the intervals are narrow
    assert 0.05 < p_fp.min() and p_fp.max() < 0.995


def test_zero_temperature_limit_follows_the_deterministic_switching_time():
    """At 1 mK, from a 0.1 rad tilt, a pulse switches exactly when it outlasts the deterministic crossing of the
    equator (simulate at T = 0 with the current held on)."""
    layer = _device()
    amplitude = 1.5e11
    tilt = (np.sin(0.1), 0.0, np.cos(0.1))
    crossing = simulate(layer, current_density=amplitude, polarization=(0, 0, 1), m0=tilt, duration=5e-9, dt=1e-12)[
        "first_crossing_time"
    ][0]
    assert 0.2e-9 < crossing < 4e-9
    width = crossing * np.array([0.8, 0.95, 1.05, 1.3])
    sp = switching_probability(
        layer,
        current_density=Pulse(amplitude, width),
        polarization=(0, 0, 1),
        m0=tilt,
        equilibrate=0.0,
        temperature=1e-3,
        n_trajectories=16,
        seed=1,
        relax=3e-9 if JIT else 0.3e-9,
    )
    if JIT:
        assert sp["p_switch"].tolist() == [0.0, 0.0, 1.0, 1.0]
        assert sp["p_high"].iloc[0] < 0.25 and sp["p_low"].iloc[-1] > 0.75


def test_boltzmann_start_states_have_the_thermal_distribution():
    """Uniaxial well: u = cos(theta) of the samples follows p(u) ~ exp(Delta u^2) on (0, 1] (KS test), and the
    azimuth is uniform."""
    layer = _device()
    delta = layer.ms * layer.thickness * layer.area * PMA["anisotropy_field"] / (2 * K_B * 300.0)
    m = boltzmann_directions(layer, (0, 0, 1), 300.0, 20_000, seed=5)
    u = m[:, 2]
    grid = np.linspace(0.0, 1.0, 20001)
    cdf = np.cumsum(np.exp(delta * (grid**2 - 1.0)))
    cdf /= cdf[-1]
    assert stats.kstest(u, lambda x: np.interp(x, grid, cdf)).pvalue > 0.01
    assert stats.kstest(np.mod(np.arctan2(m[:, 1], m[:, 0]), 2 * np.pi) / (2 * np.pi), "uniform").pvalue > 0.01
    np.testing.assert_allclose(np.linalg.norm(m, axis=1), 1.0, rtol=1e-14)


def test_wilson_interval_coverage_on_bernoulli_trials():
    """Exact coverage of the 95 % interval, sum of the binomial probabilities of the counts whose interval holds p:
    0.935-0.968 for n p >= 2.5 (p = 0.05-0.5, n = 50-1000; e.g. 0.9351 at p = 0.5, n = 50), and still 0.90-0.95 at
    p = 0.002 where the normal (Wald) interval covers 0.10-0.86; a simulation of 2e4 binomial draws agrees with
    the exact coverage within its sampling error."""
    z = stats.norm.ppf(0.975)

    def coverage(p, n):
        k = np.arange(n + 1)
        low, high = wilson_interval(k, n)
        pmf = stats.binom.pmf(k, n, p)
        return pmf[(low <= p) & (p <= high)].sum(), pmf[np.abs(k / n - p) <= z * np.sqrt(k / n * (1 - k / n) / n)].sum()

    for p in (0.05, 0.3, 0.5):
        for n in (50, 200, 1000):
            assert 0.935 <= coverage(p, n)[0] <= 0.968, (p, n)
    for n in (50, 200, 1000):
        wilson, wald = coverage(0.002, n)
        assert 0.90 <= wilson <= 0.95 and wald < 0.87 and wilson > wald
    rng = np.random.default_rng(0)
    draws = rng.binomial(200, 0.05, size=20_000)
    low, high = wilson_interval(draws, 200)
    simulated = np.mean((low <= 0.05) & (0.05 <= high))
    exact = coverage(0.05, 200)[0]
    assert abs(simulated - exact) < 4 * np.sqrt(exact * (1 - exact) / 20_000)


@pytest.mark.compiled
def test_a_system_thermalizes_before_the_pulse():
    """A one-magnet System equilibrated for 1 ns before its pulse: a strong pulse always switches, none without."""
    layer = FreeLayer(**PMA, area=np.pi * (20e-9) ** 2, name="free")
    from fastspin.dynamics import SpinTransfer

    system = System([layer], [SpinTransfer("free", (0, 0, 1))])
    sp = switching_probability(
        system,
        current_density=Pulse(np.array([0.0, 3e11]), 2e-9),
        m0={"free": (0, 0, 1)},
        equilibrate=1e-9,
        temperature=300.0,
        n_trajectories=64,
        seed=3,
        relax=2e-9 if JIT else 0.2e-9,
    )
    if JIT:
        assert sp["p_switch"].tolist() == [0.0, 1.0]


@pytest.mark.parametrize(
    "changes, word",
    [
        (dict(temperature=0.0), "temperature"),
        (dict(temperature=-1.0), "temperature"),
        (dict(n_trajectories=0), "n_trajectories"),
        (dict(n_trajectories=2.5), "n_trajectories"),
        (dict(duration=1e-9), "longer than the run"),
        (dict(backend="gpu"), "backend"),
        (dict(voltage=Pulse(0.1, 1e-9)), "one of them"),
        (dict(current_density=1e11), "Pulse"),
        (dict(equilibrate=-1.0), "equilibrate"),
    ],
)
def test_bad_input(changes, word):
    kw = dict(current_density=Pulse(1e11, 2e-9), temperature=300.0, n_trajectories=4, polarization=(0, 0, 1))
    with pytest.raises(ValueError, match=word):
        switching_probability(_device(), **{**kw, **changes})


def test_command_line_writes_the_table_and_the_figure(tmp_path):
    from fastspin.cli import main

    out = tmp_path / "wer"
    assert (
        main(
            [
                "switching",
                "--out",
                str(out),
                "--amplitude",
                "6",
                "8",
                "2",
                "--width",
                "1",
                "2",
                "2",
                "--trajectories",
                "200" if JIT else "0",
            ]
        )
        == 0
    )
    import pandas as pd

    table = pd.read_csv(out / "switching.csv")
    assert len(table) == 4 and (table["wer_fokker_planck"].between(0, 1)).all()
    np.testing.assert_allclose(table["amplitude"], np.repeat([6e10, 8e10], 2))
    if JIT:
        assert ((table["p_low"] <= table["p_switch"]) & (table["p_switch"] <= table["p_high"])).all()
    assert (out / "write_error_rate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["switching", "--out", str(out), "--trajectories", "-1"]) == 2
