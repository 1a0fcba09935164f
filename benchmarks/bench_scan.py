"""Scan throughput: a 200 x 200 current x field dynamic phase diagram of the Fig. 5 valve, end to end.

Target on the 2-core machine: the whole map (tabulated transport torque, 20 ns at dt = 1 ps,
both initial states: 80,000 RK4 runs, 1.6e9 steps) through ``run_scan`` into a Parquet directory
in under 120 s.  Recorded: wall time, time per point, RK4 steps per second and the share of the
time spent in the integrator kernels (``fastspin.dynamics.cpu.run``, timed by a wrapper).  Numba compilation is
paid once, before timing, by a tiny scan (the kernels are cached).
Also: the phi_c map throughput (points per second of the batched root finder).

Run: ``python -m pytest benchmarks/bench_scan.py --benchmark-only -s``; ``FASTSPIN_BENCH_SIDE=50``
runs a smaller map.
"""

import os
import time

import numpy as np

from fastspin.dynamics import cpu
from fastspin.scan import Axis, DynamicsModel, PhiCModel, ScanSpec, run_scan

SIDE = int(os.environ.get("FASTSPIN_BENCH_SIDE", "200"))
TARGET_S = 120.0 * (SIDE / 200) ** 2


def _dynamic_spec(side, model):
    return ScanSpec(
        model,
        [
            Axis("start", ["P", "AP"]),
            Axis.linspace("field", -0.1, 0.1, side),
            Axis.linspace("current_density", -1.2e13, 1.2e13, side),
        ],
    )


def test_dynamic_map_fig5(benchmark, tmp_path, monkeypatch):
    model = DynamicsModel(preset="fig5", duration=20e-9, dt=1e-12)
    run_scan(_dynamic_spec(2, DynamicsModel(preset="fig5", duration=1e-11, dt=1e-12)), progress=False)  # compile
    kernel_seconds = []
    run = cpu.run

    def timed_run(*args, **kwargs):
        start = time.perf_counter()
        result = run(*args, **kwargs)
        kernel_seconds.append(time.perf_counter() - start)
        return result

    monkeypatch.setattr(cpu, "run", timed_run)
    spec = _dynamic_spec(SIDE, model)
    rounds = iter(range(10))

    def end_to_end():
        return run_scan(spec, out=tmp_path / f"map{next(rounds)}", progress=False)

    frame = benchmark.pedantic(end_to_end, rounds=1, iterations=1)
    wall = benchmark.stats.stats.max
    n_points = spec.n_points
    steps = n_points * round(model.parameters["duration"] / model.parameters["dt"])
    info = {
        "points": n_points,
        "wall_s": wall,
        "target_s": TARGET_S,
        "per_point_ms": 1e3 * wall / n_points,
        "rk4_steps_per_s": steps / wall,
        "kernel_share": sum(kernel_seconds) / wall,
        "states": frame["state"].astype(str).value_counts().to_dict(),
    }
    benchmark.extra_info.update(info)
    print("\ndynamic map:", {k: (round(v, 4) if isinstance(v, float) else v) for k, v in info.items()})
    assert len(frame) == n_points and frame["state"].notna().all()


def test_phi_c_map_throughput(benchmark):
    side = 100
    spec = ScanSpec(
        PhiCModel("fig5"), [Axis.linspace("F1.beta", 0.0, 0.5, side), Axis.linspace("F1|N.gamma", -0.8, 0.8, side)]
    )
    run_scan(ScanSpec(PhiCModel("fig5"), {"F1.beta": [0.1]}), progress=False)  # compile
    frame = benchmark.pedantic(run_scan, args=(spec,), kwargs={"progress": False}, rounds=3, iterations=1)
    rate = spec.n_points / benchmark.stats.stats.min
    benchmark.extra_info["points_per_s"] = rate
    print(f"\nphi_c map: {rate:.0f} points/s ({np.isfinite(frame['phi_c']).sum()} zeros found)")
