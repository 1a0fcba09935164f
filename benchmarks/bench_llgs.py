"""Macrospin LLGS throughput: 10,000 in-plane macrospins, constant Slonczewski torque, a sweep
over current density, 20 ns at dt = 1 ps with RK4 (2e8 macrospin steps).

Compared side by side, on the same sweep and the same physics:

1. fastspin.dynamics.simulate (Numba, SIMD blocks, both cores), the full sweep; and the same with the
   tabulated transport torque a_n(theta), b_n(theta) of the Fig. 5 valve of Barnas et al. 2005 (Co free
   layer of 10 nm, 181-angle table, currents of both signs), the angle-dependent path of the kernels;
2. a plain vectorised NumPy RK4 over the whole batch (one core, as NumPy runs), 200 steps, extrapolated;
3. scipy.integrate.solve_ivp (RK45, rtol 1e-6) per point for 4 points, extrapolated (per 20 ns point);
4. cmtj (C++, one Junction per point, RK4 at the same dt) on an evenly spaced 64-point subset of the
   sweep in 2 worker processes (both cores).  cmtj counts the current with the opposite sign
   (electron flow), so it is given -J; the switched / not switched outcomes are compared.

Rates are macrospin RK4 steps per second (for solve_ivp: 20,000 1-ps steps' worth of simulated time per
point).  Run: ``python -m pytest benchmarks/bench_llgs.py --benchmark-only -s``.
"""

import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from fastspin.constants import GAMMA_E, MU0
from fastspin.conventions import stt_field_tesla
from fastspin.dynamics import FreeLayer, TabulatedTorque, simulate

N, DURATION, DT = 10_000, 20e-9, 1e-12
N_STEPS = round(DURATION / DT)
MS, THICKNESS, ALPHA, BK, FIELD_X, EFFICIENCY = 8.0e5, 2e-9, 0.01, 0.02, 0.01, 0.4
CURRENTS = np.linspace(0.0, 3e11, N)  # threshold (Sun 2000) at about 6.6e10 A/m^2
M0 = np.array([np.cos(0.1), np.sin(0.1), 0.0])
N_CMTJ = 64
RATES = {}
OUTCOMES = {}


def _layer():
    return FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK)


def _sweep(currents, duration):
    return simulate(
        _layer(),
        current_density=currents,
        field=(FIELD_X, 0, 0),
        efficiency=EFFICIENCY,
        m0=M0,
        duration=duration,
        dt=DT,
    )


def test_fastspin_rk4_sweep(benchmark):
    _sweep(CURRENTS[:8], 10 * DT)  # compile (or load the cache) outside the timing
    frame = benchmark.pedantic(lambda: _sweep(CURRENTS, DURATION), rounds=3, warmup_rounds=0)
    RATES["fastspin (2 cores)"] = N * N_STEPS / benchmark.stats.stats.min
    OUTCOMES["fastspin"] = frame
    benchmark.extra_info["rk4_steps_per_s"] = RATES["fastspin (2 cores)"]
    assert frame.switched.any() and not frame.switched.all()


def test_fastspin_heun_sweep_300K(benchmark):
    """The same sweep with stochastic Heun at 300 K (a 50 x 50 nm^2 pillar): half the right-hand-side work of
    RK4 per step plus three normal deviates."""
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK, area=2.5e-15)

    def sweep(n, duration):
        return simulate(
            layer,
            current_density=CURRENTS[:n],
            field=(FIELD_X, 0, 0),
            efficiency=EFFICIENCY,
            m0=M0,
            duration=duration,
            dt=DT,
            method="heun",
            temperature=300.0,
            seed=1,
        )

    sweep(8, 10 * DT)  # compile (or load the cache) outside the timing
    benchmark.pedantic(lambda: sweep(N, DURATION), rounds=3, warmup_rounds=0)
    RATES["fastspin heun 300 K (2 cores)"] = N * N_STEPS / benchmark.stats.stats.min
    benchmark.extra_info["heun_steps_per_s"] = RATES["fastspin heun 300 K (2 cores)"]


def test_fastspin_rk4_tabulated_sweep(benchmark):
    from fastspin import presets, torque_vs_angle

    table = TabulatedTorque.from_frame(torque_vs_angle(presets.barnas2005("fig5"), np.linspace(0, np.pi, 181)))
    layer = FreeLayer(1.4e6, 10e-9, 0.01, anisotropy_field=0.01)
    currents = np.linspace(-1.2e13, 1.2e13, N)

    def sweep(n, duration):
        return simulate(layer, current_density=currents[:n], torque=table, m0=M0, duration=duration, dt=DT)

    sweep(8, 10 * DT)  # compile (or load the cache) outside the timing
    frame = benchmark.pedantic(lambda: sweep(N, DURATION), rounds=3, warmup_rounds=0)
    RATES["fastspin tabulated (2 cores)"] = N * N_STEPS / benchmark.stats.stats.min
    benchmark.extra_info["rk4_steps_per_s"] = RATES["fastspin tabulated (2 cores)"]
    state = frame.state.astype(str).to_numpy()  # P held for J > 0; J < 0 destabilises P (threshold ~ -7e12)
    assert (state[currents > 0] == "parallel").all() and state[0] == "in_plane_precession"


def _numpy_rhs(m, a_j):
    """The same LLGS right-hand side, vectorised over the batch with NumPy (Landau-Lifshitz form)."""
    mx, my, mz = m
    bx = FIELD_X + BK * mx
    by = np.zeros_like(my)
    bz = -MU0 * MS * mz
    cx, cy, cz = np.zeros_like(mx), mz, -my  # m x p, p = x
    mcx, mcy, mcz = my * cz - mz * cy, mz * cx - mx * cz, mx * cy - my * cx
    tx = -(my * bz - mz * by) + a_j * mcx
    ty = -(mz * bx - mx * bz) + a_j * mcy
    tz = -(mx * by - my * bx) + a_j * mcz
    g = GAMMA_E / (1 + ALPHA**2)
    return np.array(
        [
            g * (tx + ALPHA * (my * tz - mz * ty)),
            g * (ty + ALPHA * (mz * tx - mx * tz)),
            g * (tz + ALPHA * (mx * ty - my * tx)),
        ]
    )


def _numpy_rk4(steps):
    a_j = stt_field_tesla(CURRENTS, MS, THICKNESS, EFFICIENCY)
    m = np.repeat(M0[:, None], N, axis=1)
    for _ in range(steps):
        k1 = _numpy_rhs(m, a_j)
        k2 = _numpy_rhs(m + 0.5 * DT * k1, a_j)
        k3 = _numpy_rhs(m + 0.5 * DT * k2, a_j)
        k4 = _numpy_rhs(m + DT * k3, a_j)
        m = m + DT / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        m /= np.linalg.norm(m, axis=0)
    return m


def test_numpy_rk4_baseline(benchmark):
    steps = 200
    m = benchmark.pedantic(lambda: _numpy_rk4(steps), rounds=3, warmup_rounds=0)
    RATES["NumPy RK4 (1 core)"] = N * steps / benchmark.stats.stats.min
    benchmark.extra_info["rk4_steps_per_s"] = RATES["NumPy RK4 (1 core)"]
    if "fastspin" in OUTCOMES:  # same physics: fastspin after 200 steps agrees
        short = _sweep(CURRENTS, steps * DT)
        assert np.abs(short[["mx", "my", "mz"]].to_numpy() - m.T).max() < 1e-10


def test_solve_ivp_per_point(benchmark):
    points = CURRENTS[:: N // 4][:4]

    def run():
        for current in points:
            a_j = stt_field_tesla(current, MS, THICKNESS, EFFICIENCY)
            solve_ivp(lambda _, m, a_j=a_j: _numpy_rhs(m, a_j), (0, DURATION), M0, rtol=1e-6, atol=1e-9)

    benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    RATES["solve_ivp per point (1 core)"] = len(points) * N_STEPS / benchmark.stats.stats.min
    benchmark.extra_info["equivalent_steps_per_s"] = RATES["solve_ivp per point (1 core)"]


def _cmtj_point(current):
    from cmtj import AxialDriver, CVector, Junction, Layer, constantDriver

    demag = [CVector(0, 0, 0), CVector(0, 0, 0), CVector(0, 0, 1)]
    layer = Layer.createSTTLayer(
        "free", CVector(*M0), CVector(1, 0, 0), MU0 * MS, THICKNESS, 1e-16, demag, ALPHA, 1.0, 0.0, EFFICIENCY
    )
    layer.setReferenceLayer(CVector(1, 0, 0))
    junction = Junction([layer])
    junction.setLayerAnisotropyDriver("free", constantDriver(0.5 * MS * BK))  # K = Ms B_k / 2, J/m^3
    junction.setLayerExternalFieldDriver(  # A/m
        "free", AxialDriver(constantDriver(FIELD_X / MU0), constantDriver(0.0), constantDriver(0.0))
    )
    junction.setLayerCurrentDriver("free", constantDriver(-current))
    junction.runSimulation(DURATION, DT, DURATION / 10)
    return junction.getLog()["free_mx"][-1]


def test_cmtj_two_processes(benchmark):
    pytest.importorskip("cmtj", reason="cmtj (the optional 'compare' extra) is not installed")
    subset = np.linspace(0, N - 1, N_CMTJ).astype(int)
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_cmtj_point, CURRENTS[subset[:2]]))  # start the workers outside the timing
        final_mx = benchmark.pedantic(
            lambda: np.array(list(pool.map(_cmtj_point, CURRENTS[subset]))), rounds=1, warmup_rounds=0
        )
    RATES["cmtj (2 processes)"] = N_CMTJ * N_STEPS / benchmark.stats.stats.min
    benchmark.extra_info["rk4_steps_per_s"] = RATES["cmtj (2 processes)"]
    if "fastspin" in OUTCOMES:
        ours = OUTCOMES["fastspin"].mx.to_numpy()[subset]
        agree = np.mean((ours < 0) == (final_mx < 0))
        benchmark.extra_info["same_final_side_fraction"] = agree
        assert agree > 0.9


@pytest.fixture(scope="module", autouse=True)
def report():
    """Print the side-by-side table once the file has run (``-s`` shows it)."""
    yield
    ours = RATES.get("fastspin (2 cores)")
    print(f"\n{'method':32s} {'steps/s':>12s} {'fastspin / it':>14s}   ({time.strftime('%Y-%m-%d')})")
    print("(ratios: fastspin's constant-torque rate over each)")
    for name, rate in RATES.items():
        ratio = f"{ours / rate:14.1f}" if ours else ""
        print(f"{name:32s} {rate:12.3e} {ratio}")
