"""System-engine throughput on the 2-core machine: coupled magnets, the transport torque, thermal steps, and
the cold compile of a single-layer call.

1. Two exchange-coupled magnets (Co/Cu/Co valve with a finite F1, both free) driven by the two-magnet
   transport table (a_n, b_n of each magnet interpolated in cos theta), RK4: system steps per second
   (one system step advances both magnets);
2. the same valve as a three-magnet stack (a third free Co layer) through the in-kernel transport solve;
3. the cold compile of what ``simulate(layer, ...)`` needs (a fresh kernel folder and Numba cache, in a
   subprocess).

Run: ``python -m pytest benchmarks/bench_system.py --benchmark-only -s``.
"""

import math
import os
import subprocess
import sys
import time

import numpy as np

from fastspin import Layer, Stack
from fastspin.dynamics import Exchange, FreeLayer, System, TransportTorque, simulate
from fastspin.materials import CO_CU, COBALT, COPPER

MS, DT = 1.4e6, 0.25e-12


def _stack(thicknesses):
    layers = [Layer("L", COPPER, math.inf)]
    for k, d in enumerate(thicknesses):
        if k:
            layers.append(Layer(f"N{k}", COPPER, 5e-9))
        layers.append(Layer(f"F{k + 1}", COBALT, d, (0, 0, 1) if k % 2 == 0 else (1, 0, 0)))
    layers.append(Layer("R", COPPER, math.inf))
    return Stack(layers, (CO_CU,) * (len(layers) - 1))


def _system(thicknesses):
    names = [f"m{k}" for k in range(len(thicknesses))]
    magnets = [FreeLayer(MS, d, 0.01, anisotropy_field=0.05, name=n) for n, d in zip(names, thicknesses)]
    stack = _stack(thicknesses)
    terms = [TransportTorque(stack, {f"F{k + 1}": n for k, n in enumerate(names)})]
    terms += [Exchange(a, b, -1e-4) for a, b in zip(names, names[1:])]
    return System(magnets, terms), names


def _rate(benchmark, thicknesses, n, steps, key):
    system, names = _system(thicknesses)
    m0 = {name: (np.cos(0.3 * k), np.sin(0.3 * k), 0.1) for k, name in enumerate(names)}
    currents = np.linspace(-2e12, 2e12, n)

    def run(count, n_steps):
        return simulate(system, current_density=currents[:count], m0=m0, duration=n_steps * DT, dt=DT)

    run(8, 4)  # compile (or load the cache) outside the timing
    frame = benchmark.pedantic(lambda: run(n, steps), rounds=3 if n * steps > 1e6 else 1, warmup_rounds=0)
    rate = n * steps / benchmark.stats.stats.min
    benchmark.extra_info[key] = rate
    print(f"\n{len(thicknesses)} magnets: {rate:.3e} system steps/s")
    return frame


def test_two_magnets_transport_table_rk4(benchmark):
    frame = _rate(benchmark, (8e-9, 4e-9), 10_000, 8_000, "system_steps_per_s")
    assert frame["m1.state"].notna().all()


def test_three_magnets_in_kernel_transport_solve_rk4(benchmark):
    frame = _rate(benchmark, (8e-9, 4e-9, 6e-9), 256, 2_000, "system_steps_per_s")
    assert frame["m2.state"].notna().all()


_COLD = """
import time, numpy as np
start = time.perf_counter()
from fastspin.dynamics import FreeLayer, simulate
simulate(FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02), current_density=1e11, efficiency=0.4,
         m0=(0.99, 0.1, 0.0), duration=1e-11, dt=1e-12)
print(time.perf_counter() - start)
"""


def test_cold_compile_single_layer(benchmark, tmp_path):
    env = dict(os.environ, FASTSPIN_KERNEL_CACHE=str(tmp_path / "kernels"), NUMBA_CACHE_DIR=str(tmp_path / "numba"))

    def cold():
        return float(
            subprocess.run([sys.executable, "-c", _COLD], env=env, check=True, capture_output=True, text=True).stdout
        )

    start = time.perf_counter()
    seconds = benchmark.pedantic(cold, rounds=1, warmup_rounds=0)
    benchmark.extra_info["cold_compile_s"] = seconds
    print(
        f"\ncold compile + first call of simulate(layer): {seconds:.1f} s (process {time.perf_counter() - start:.1f} s)"
    )
    assert seconds < 60
