"""Spin-valve transport throughput: the batched Numba solver against the per-point NumPy solve.

Target on the 2-core machine: >= 1,000,000 torque evaluations per second over a 1000 x 1000
(angle x spacer thickness) grid of the F/N/F/N Co/Cu valve, and >= 100x the per-point NumPy solve,
both measured in this run.  Run: ``python -m pytest benchmarks/bench_transport.py --benchmark-only``.
"""

import numpy as np

from fastspin import presets
from fastspin.transport import solve, torque_vs_angle
from fastspin.transport.reference import solve_reference

N_SIDE = 1000
N_REFERENCE = 300
RATES = {}


def _grid():
    return {"phi": np.linspace(0.0, np.pi, N_SIDE), "N.thickness": np.linspace(1e-9, 50e-9, N_SIDE)}


def test_numba_grid_1e6(benchmark):
    stack = presets.barnas2005("i")
    solve(stack, {"phi": np.array([0.5]), "N.thickness": np.array([5e-9])})  # compile (cached) outside timing
    result = benchmark.pedantic(solve, args=(stack, _grid()), kwargs={"grid": True}, rounds=5, warmup_rounds=1)
    assert result.torque.shape == (N_SIDE**2, 2, 3) and np.all(np.isfinite(result.torque))
    rate = N_SIDE**2 / benchmark.stats.stats.min
    RATES["numba"] = rate
    benchmark.extra_info["evaluations_per_s"] = rate


def test_torque_vs_angle_1e6(benchmark):
    """The public call with a million angles, DataFrame included."""
    stack = presets.barnas2005("i")
    phi = np.linspace(0.0, np.pi, N_SIDE**2)
    frame = benchmark.pedantic(torque_vs_angle, args=(stack, phi), rounds=3, warmup_rounds=1)
    assert len(frame) == N_SIDE**2
    benchmark.extra_info["evaluations_per_s"] = N_SIDE**2 / benchmark.stats.stats.min


def test_numpy_per_point_reference(benchmark):
    stack = presets.barnas2005("i")
    c = stack.compile()
    rng = np.random.default_rng(0)
    phis = rng.uniform(0, np.pi, N_REFERENCE)
    thicknesses = rng.uniform(1e-9, 50e-9, N_REFERENCE)

    def run():
        for phi, d0 in zip(phis, thicknesses):
            thick = c.thickness.copy()
            thick[1] = d0
            dirs = c.direction.copy()
            dirs[2] = (0.0, -np.sin(phi), np.cos(phi))
            solve_reference(c, (c.rho_star, c.beta, c.l_sf, thick), None, dirs)

    benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    rate = N_REFERENCE / benchmark.stats.stats.min
    RATES["numpy"] = rate
    benchmark.extra_info["evaluations_per_s"] = rate
    if "numba" in RATES:
        benchmark.extra_info["numba_over_numpy"] = RATES["numba"] / rate
