"""Hysteresis loops in one call: 1000 R-H loops (field angles 0.5-89.5 deg to the easy axis) of 400 field levels
(200 a branch) of a Stoner-Wohlfarth MTJ free layer, 2 ns at each level at dt = 2 ps (4e8 RK4 steps), one kernel
call; the switching fields against the astroid.  Run: ``python -m pytest benchmarks/bench_hysteresis.py
--benchmark-only -s``.
"""

import numpy as np

from fastspin.dynamics import MTJ, FreeLayer
from fastspin.experiments import hysteresis_loop, loop_switching

B_K, LOOPS, POINTS, DWELL, DT = 0.05, 1000, 200, 2e-9, 2e-12


def _loops(n, points):
    psi = np.radians(np.linspace(0.5, 89.5, n))
    layer = FreeLayer(8e5, 2e-9, 1.0, anisotropy_field=B_K, demag=(0, 0, 0), area=1e-16)
    direction = np.column_stack([np.cos(psi), np.sin(psi), np.zeros(n)])
    return psi, hysteresis_loop(
        layer, field=1.2 * B_K, direction=direction, points=points, dwell=DWELL, dt=DT, mtj=MTJ(1000.0, 2000.0)
    )


def test_thousand_r_h_loops(benchmark):
    _loops(2, 3)  # compile (or load the cache) outside the timing
    psi, frame = benchmark.pedantic(lambda: _loops(LOOPS, POINTS), rounds=1, iterations=1)
    seconds = benchmark.stats.stats.min
    steps = LOOPS * 2 * POINTS * round(DWELL / DT)
    switching = loop_switching(frame)
    up = switching[switching.branch == "up"]["switching_field"].to_numpy()
    astroid = B_K * (np.cos(psi) ** (2 / 3) + np.sin(psi) ** (2 / 3)) ** -1.5
    step = 2.4 * B_K / (POINTS - 1)
    info = {
        "loops": LOOPS,
        "levels": 2 * POINTS,
        "seconds": seconds,
        "rk4_steps_per_s": steps / seconds,
        "astroid_max_error_steps": float(np.max(np.abs(up - astroid)) / step),
    }
    benchmark.extra_info.update(info)
    print("\nhysteresis:", {k: round(v, 4) if isinstance(v, float) else v for k, v in info.items()})
    assert len(frame) == LOOPS * 2 * POINTS
