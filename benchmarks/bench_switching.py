"""Switching statistics on the 2-core machine: a 20 x 20 (amplitude x width) switching-probability map with
10^4 stochastic-LLGS trajectories per pulse at 300 K (4e6 trajectories), and the Fokker-Planck write error
rate of the same device for 100 widths at one amplitude (to 1e-12).

Run: ``python -m pytest benchmarks/bench_switching.py --benchmark-only -s``; ``FASTSPIN_BENCH_TRAJECTORIES``
sets the trajectories per pulse (default 10000).
"""

import os

import numpy as np

from fastspin.dynamics import FreeLayer, Pulse
from fastspin.experiments import switching_probability, write_error_rate

N_TRAJECTORIES = int(os.environ.get("FASTSPIN_BENCH_TRAJECTORIES", "10000"))
LAYER = FreeLayer(
    1e6, 1e-9, 0.05, anisotropy_field=0.3, easy_axis=(0, 0, 1), demag=(0, 0, 0), area=np.pi * (20e-9) ** 2
)
AMPLITUDE = np.linspace(5e10, 1.5e11, 20)
WIDTH = np.linspace(0.25e-9, 5e-9, 20)


def test_switching_probability_map_20x20(benchmark):
    switching_probability(
        LAYER,
        current_density=Pulse(AMPLITUDE[:1], WIDTH[:1]),
        polarization=(0, 0, 1),
        temperature=300.0,
        n_trajectories=64,
        seed=1,
    )  # compile outside the timing

    def run():
        return switching_probability(
            LAYER,
            current_density=Pulse(AMPLITUDE, WIDTH),
            polarization=(0, 0, 1),
            temperature=300.0,
            n_trajectories=N_TRAJECTORIES,
            seed=1,
        )

    frame = benchmark.pedantic(run, rounds=1, iterations=1)
    seconds = benchmark.stats.stats.max
    trajectories = len(frame) * N_TRAJECTORIES
    steps = trajectories * round((WIDTH.max() + 2e-9) / 1e-12)
    benchmark.extra_info.update(seconds=seconds, trajectories=trajectories, heun_steps_per_s=steps / seconds)
    print(
        f"\n20 x 20 map, {N_TRAJECTORIES} trajectories per pulse: {seconds:.1f} s ({steps / seconds:.3g} Heun steps/s)"
    )
    assert (frame["p_low"] <= frame["p_high"]).all()


def test_fokker_planck_100_widths(benchmark):
    widths = np.linspace(0.1e-9, 10e-9, 100)
    frame = benchmark.pedantic(
        lambda: write_error_rate(LAYER, current_density=1.5e11, width=widths, temperature=300.0), rounds=3, iterations=1
    )
    print(f"\nFokker-Planck WER, 100 widths: {benchmark.stats.stats.min:.2f} s, smallest WER {frame['wer'].min():.3g}")
    assert benchmark.stats.stats.min < 5.0 and frame["wer"].min() < 1e-12
