"""GPU throughput of the CUDA backend, one command: ``python benchmarks/gpu_benchmark.py [--json PATH]``.

Prints a Markdown table (for benchmarks/RESULTS.md) of:

1. the ``bench_llgs`` constant-torque sweep (in-plane macrospin, Slonczewski-like constant torque, currents
   0 .. 3e11 A/m^2) scaled to 2^21 trajectories x 20,000 RK4 steps of 1 ps, float64 then float32, with the
   float32 error against float64 (max |dm| of the final m, share of equal states), target >= 5e10 steps/s
   in float64 on an H200;
2. the same sweep with stochastic Heun at 300 K (50 x 50 nm^2 pillar), float64 and float32, target >= 2e10;
3. agreement with the CPU backend on 4096 trajectories of the sweep (max |dm|, equal states and switched);
4. the CPU backend on this machine's cores, for the ratio (2^16 trajectories of the same sweep);
5. the 1000 x 1000 current x field state map of the Fig. 5 valve (tabulated transport torque, 20 ns at 1 ps,
   both starts: 2e6 runs) end to end through ``run_scan`` into Parquet, target <= 10 s; with ``--cpu-map`` also
   the 200 x 200 map on this machine's CPU.

Compilation is paid outside the timings (a first small call; reported).  ``--smoke`` shrinks every size (for a
check of the script on numba's CUDA simulator: ``NUMBA_ENABLE_CUDASIM=1``).  No network is needed.
"""

import argparse
import json
import sys
import tempfile
import time

import numpy as np

from fastspin.dynamics import FreeLayer, simulate
from fastspin.scan import Axis, DynamicsModel, ScanSpec, run_scan
from fastspin.scan.phase import GPU_CHUNK_POINTS

MS, THICKNESS, ALPHA, BK, FIELD_X, EFFICIENCY = 8.0e5, 2e-9, 0.01, 0.02, 0.01, 0.4  # as bench_llgs
M0 = np.array([np.cos(0.1), np.sin(0.1), 0.0])
DT = 1e-12
FULL = dict(n=1 << 21, steps=20_000, check=4096, cpu_n=1 << 16, map_side=1000, cpu_map_side=200, map_duration=20e-9)
SMOKE = dict(n=256, steps=100, check=32, cpu_n=256, map_side=4, cpu_map_side=3, map_duration=0.1e-9)


def _sweep(n, steps, backend, precision="float64", method="rk4", rows=None):
    layer = FreeLayer(MS, THICKNESS, ALPHA, anisotropy_field=BK, area=2.5e-15)
    currents = np.linspace(0.0, 3e11, n) if rows is None else np.linspace(0.0, 3e11, n)[rows]
    thermal = dict(method="heun", temperature=300.0, seed=1) if method == "heun" else {}
    return simulate(
        layer,
        current_density=currents,
        field=(FIELD_X, 0, 0),
        efficiency=EFFICIENCY,
        m0=M0,
        duration=steps * DT,
        dt=DT,
        backend=backend,
        precision=precision,
        **thermal,
    )


def _timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def _map_spec(side, duration):
    model = DynamicsModel(preset="fig5", duration=duration, dt=DT)
    return ScanSpec(
        model,
        [
            Axis("start", ["P", "AP"]),
            Axis.linspace("field", -0.1, 0.1, side),
            Axis.linspace("current_density", -1.2e13, 1.2e13, side),
        ],
        chunk_size=GPU_CHUNK_POINTS,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (a check of the script)")
    parser.add_argument("--cpu-map", action="store_true", help="also time the 200 x 200 map on the CPU")
    args = parser.parse_args(argv)
    size = SMOKE if args.smoke else FULL
    n, steps = size["n"], size["steps"]
    rows, figures = [], {}

    def row(case, runs, n_steps, seconds, target="", check=""):
        rate = runs * n_steps / seconds
        rows.append(f"| {case} | {runs:,} | {n_steps:,} | {seconds:.3f} | {rate:.3g} | {target} | {check} |")
        figures[case] = dict(trajectories=runs, steps=n_steps, seconds=seconds, steps_per_s=rate)
        print(rows[-1], file=sys.stderr, flush=True)

    compile_s = {}
    for method in ("rk4", "heun"):
        for precision in ("float64", "float32"):
            _, compile_s[f"{method} {precision}"] = _timed(lambda p=precision, m=method: _sweep(64, 10, "cuda", p, m))
    _, compile_s["cpu rk4"] = _timed(lambda: _sweep(64, 10, "cpu"))
    figures["first_call_s"] = compile_s

    f64, seconds = _timed(lambda: _sweep(n, steps, "cuda"))
    row("RK4 float64, constant torque", n, steps, seconds, ">= 5e10 steps/s")
    f32, seconds = _timed(lambda: _sweep(n, steps, "cuda", "float32"))
    m64, m32 = f64[["mx", "my", "mz"]].to_numpy(), f32[["mx", "my", "mz"]].to_numpy()
    error = float(np.abs(m64 - m32).max())
    same = float((f64["state"].astype(str) == f32["state"].astype(str)).mean())
    figures["float32_error"] = dict(
        max_abs_dm=error, same_state=same, same_switched=float((f64["switched"] == f32["switched"]).mean())
    )
    row(
        "RK4 float32, constant torque",
        n,
        steps,
        seconds,
        "",
        f"max abs dm vs float64 {error:.2g}; same state {same:.4%}",
    )
    for precision in ("float64", "float32"):
        _, seconds = _timed(lambda p=precision: _sweep(n, steps, "cuda", p, "heun"))
        row(f"Heun 300 K {precision}", n, steps, seconds, ">= 2e10 steps/s" if precision == "float64" else "")

    pick = np.linspace(0, n - 1, size["check"]).astype(int)
    cpu, _ = _timed(lambda: _sweep(n, steps, "cpu", rows=pick))
    gpu, _ = _timed(lambda: _sweep(n, steps, "cuda", rows=pick))
    dm = float(np.abs(cpu[["mx", "my", "mz"]].to_numpy() - gpu[["mx", "my", "mz"]].to_numpy()).max())
    agree = bool(
        (cpu["state"].astype(str) == gpu["state"].astype(str)).all() and (cpu["switched"] == gpu["switched"]).all()
    )
    figures["cpu_agreement"] = dict(trajectories=len(pick), max_abs_dm=dm, same_states_and_switching=agree)
    rows.append(
        f"| CPU vs CUDA float64, {len(pick)} runs of the sweep | | | | | | max abs dm {dm:.2g}; "
        f"same states and switching: {agree} |"
    )
    _, seconds = _timed(lambda: _sweep(size["cpu_n"], steps, "cpu"))
    row("RK4 float64 on this machine's CPU", size["cpu_n"], steps, seconds, "", "the ratio's baseline")

    map_steps = round(size["map_duration"] / DT)
    run_scan(_map_spec(2, 10 * DT), progress=False, backend="cuda")  # compile the tabulated kernel
    side = size["map_side"]
    with tempfile.TemporaryDirectory() as folder:
        frame, seconds = _timed(
            lambda: run_scan(_map_spec(side, size["map_duration"]), out=f"{folder}/map", progress=False, backend="cuda")
        )
    states = frame["state"].astype(str).value_counts().to_dict()
    figures["map_states"] = states
    row(
        f"Fig. 5 map {side} x {side} x 2 starts, end to end",
        len(frame),
        map_steps,
        seconds,
        "<= 10 s",
        f"{len(states)} states",
    )
    if args.cpu_map:
        side = size["cpu_map_side"]
        run_scan(_map_spec(2, 10 * DT), progress=False)
        frame, seconds = _timed(lambda: run_scan(_map_spec(side, size["map_duration"]), progress=False))
        row(f"Fig. 5 map {side} x {side} x 2 starts on this machine's CPU", len(frame), map_steps, seconds)

    print("| case | trajectories | steps | time (s) | steps/s | target | check |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print("first calls (compile or load, s): " + ", ".join(f"{k} {v:.1f}" for k, v in compile_s.items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
    return figures


if __name__ == "__main__":
    main()
