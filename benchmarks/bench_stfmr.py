"""ST-FMR map: 100 bias fields x 20 frequencies of a voltage-driven in-plane MTJ, one batch of 2000 trajectories.

Free layer Ms = 1e6 A/m, d = 1.5 nm, alpha = 0.015, B_k = 5 mT along x, 100 nm diameter; MTJ 500 / 1000 Ohm with
its reference along x; V_rf = 1 mV, b_J = 0.3 a_J; fields 10-400 mT at 45 degrees from the reference in the plane
(the default direction), 5-20 GHz.  Default run of :func:`fastspin.experiments.stfmr.st_fmr`: the equilibrium of
every field, the transient (8 decay times of the slowest free precession) and the lock-in window (10 periods of
5 GHz) at dt = 1 ps, recorded at >= 16 samples per period of 20 GHz; then :func:`fit_lineshape` on the 20 sweeps.
Target on the 2-core machine: < 10 s for the map.  Run: ``python -m pytest benchmarks/bench_stfmr.py
--benchmark-only -s``.
"""

import time

import numpy as np

from fastspin.dynamics import MTJ, FreeLayer
from fastspin.experiments.stfmr import fit_lineshape, st_fmr

FREQUENCIES = np.linspace(5e9, 20e9, 20)
FIELDS = np.linspace(0.01, 0.4, 100)


def test_st_fmr_map_100_fields_x_20_frequencies(benchmark):
    layer = FreeLayer(1.0e6, 1.5e-9, 0.015, anisotropy_field=0.005, area=np.pi * (50e-9) ** 2)

    def run():
        return st_fmr(
            layer, frequency=FREQUENCIES, field=FIELDS, rf_voltage=1e-3, field_like_ratio=0.3, mtj=MTJ(500.0, 1000.0)
        )

    frame = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    seconds = benchmark.stats.stats.min
    start = time.perf_counter()
    fit = fit_lineshape(frame)
    fit_seconds = time.perf_counter() - start
    attrs = frame.attrs
    steps = round((attrs["settle"] + attrs["window"]) / attrs["dt"])
    print(
        f"\nst_fmr, {FIELDS.size} fields x {FREQUENCIES.size} frequencies ({len(frame)} trajectories x {steps} RK4 "
        f"steps: {attrs['settle'] * 1e9:.2f} ns transient + {attrs['window'] * 1e9:.2f} ns window at "
        f"{attrs['dt'] * 1e12:.3g} ps): {seconds:.3f} s ({len(frame) * steps / seconds:.3g} steps/s); "
        f"fit_lineshape of the {len(fit)} sweeps: {fit_seconds:.3f} s"
    )
    benchmark.extra_info.update(seconds=seconds, fit_seconds=fit_seconds, steps=steps)
    assert len(frame) == 2000 and np.isfinite(frame["v_mix"]).all()
    assert np.all(np.diff(fit["resonance_field"]) > 0)  # the dispersion: higher frequency, higher resonance field
    assert seconds < 10.0
