"""Charge-flux circuit model: batched RK4 throughput against the Cartesian kernel, and against ngspice.

1. A batch of 256 driven MTJs (voltages spread around the auto-oscillation threshold), 5 ns at
   dt = 0.1 ps (50,000 RK4 steps each): RK4 steps per second of ``fastspin.circuit.trajectories``
   and of ``fastspin.dynamics.trajectories`` on the same physics (Louis Eq. 69 voltage drive).
2. One 20 ns driven trajectory: fastspin's charge-flux RK4 against ngspice running the exported
   netlist with the default SpiceSettings (the settings of tests/circuit/test_ngspice.py).

Run: ``python -m pytest benchmarks/bench_circuit.py --benchmark-only -s``.
"""

import shutil

import numpy as np
import pytest

import fastspin.dynamics as dyn
from fastspin.circuit import EasyPlaneFreeLayer, FixedLayer, MTJCircuit, VoltageDrive, run_ngspice, trajectories

MS, THICKNESS, AREA, HARD, EASY, FIELD = 1e6, 2e-9, 3.925e-15, 1.0, 0.02, (0.05, 0.0, 0.0)
N_BATCH, DURATION, DT = 256, 5e-9, 1e-13
VOLTS = np.linspace(0.2, 0.6, N_BATCH)
M0 = np.array([np.cos(0.1), np.sin(0.1), 0.05])
RATES = {}


def _free():
    return EasyPlaneFreeLayer(
        ms=MS, volume=THICKNESS * AREA, alpha=0.01, hard_axis_field=HARD, easy_axis_field=EASY, applied_field=FIELD
    )


def _circuit():
    return MTJCircuit(_free(), (FixedLayer(1000.0, 2000.0, (1, 0, 0)),), VoltageDrive(0.4))


def test_charge_flux_batch(benchmark):
    circuit = _circuit()
    trajectories(circuit, m0=M0, voltage=VOLTS[:2], duration=1e-12, dt=DT)  # compile outside timing
    run = lambda: trajectories(circuit, m0=M0, voltage=VOLTS, duration=DURATION, dt=DT, record_every=500)  # noqa: E731
    t, charge, _ = benchmark.pedantic(run, rounds=3, warmup_rounds=0)
    assert np.all(np.isfinite(charge))
    RATES["charge_flux"] = N_BATCH * round(DURATION / DT) / benchmark.stats.stats.min
    benchmark.extra_info["rk4_steps_per_s"] = RATES["charge_flux"]


def test_cartesian_batch_same_physics(benchmark):
    layer = _free().free_layer(THICKNESS)
    kw = dict(field=FIELD, mtj=dyn.MTJ(1000.0, 2000.0), polarization=(1, 0, 0), m0=M0, dt=DT, record_every=500)
    dyn.trajectories(layer, voltage=VOLTS[:2], duration=1e-12, **{**kw, "record_every": 1})  # compile
    run = lambda: dyn.trajectories(layer, voltage=VOLTS, duration=DURATION, **kw)  # noqa: E731
    benchmark.pedantic(run, rounds=3, warmup_rounds=0)
    RATES["cartesian"] = N_BATCH * round(DURATION / DT) / benchmark.stats.stats.min
    benchmark.extra_info["rk4_steps_per_s"] = RATES["cartesian"]
    if "charge_flux" in RATES:
        benchmark.extra_info["charge_flux_over_cartesian"] = RATES["charge_flux"] / RATES["cartesian"]
        print(
            f"\ncharge-flux {RATES['charge_flux']:.3g} steps/s, Cartesian {RATES['cartesian']:.3g} steps/s, "
            f"ratio {RATES['charge_flux'] / RATES['cartesian']:.2f}"
        )


@pytest.mark.skipif(shutil.which("ngspice") is None, reason="ngspice not installed")
def test_ngspice_against_fastspin_one_trajectory(benchmark):
    circuit = _circuit()
    trajectories(circuit, m0=M0, duration=1e-12, dt=DT)
    fast = benchmark.pedantic(lambda: trajectories(circuit, m0=M0, duration=20e-9, dt=DT), rounds=3)
    assert np.all(np.isfinite(fast[1]))
    frame = run_ngspice(circuit, m0=M0, duration=20e-9)
    ratio = frame.attrs["wall_time_s"] / benchmark.stats.stats.min
    benchmark.extra_info.update(
        ngspice_wall_time_s=frame.attrs["wall_time_s"], ngspice_over_fastspin=ratio, ngspice_time_points=len(frame)
    )
    print(
        f"\n20 ns: fastspin {benchmark.stats.stats.min:.3f} s, ngspice {frame.attrs['wall_time_s']:.3f} s "
        f"({len(frame)} time points), ratio {ratio:.1f}"
    )
