"""Write error rate from the Fokker-Planck equation: 100 pulse widths at one amplitude, down to WER < 1e-12.

A perpendicular free layer (Ms = 1e6 A/m, d = 1 nm, B_eff = 0.3 T, alpha = 0.01, delta = 60 at 300 K) driven
at twice the critical current; widths 0.5-40 ns take the write error rate from 1 to below 1e-12.  Default
grid (400 cells in the polar angle).  Target on the 2-core machine: < 5 s for the whole call.
Run: ``python -m pytest benchmarks/bench_wer.py --benchmark-only -s``.
"""

import numpy as np

from fastspin.constants import K_B, MU0
from fastspin.dynamics import FreeLayer
from fastspin.experiments.fokker_planck import critical_current_density, write_error_rate

MS, THICKNESS, B_EFF, ALPHA, TEMP, DELTA = 1.0e6, 1.0e-9, 0.3, 0.01, 300.0, 60.0
WIDTHS = np.linspace(0.5e-9, 40e-9, 100)


def test_write_error_rate_100_widths(benchmark):
    volume = 2 * DELTA * K_B * TEMP / (MS * B_EFF)
    layer = FreeLayer(
        MS,
        THICKNESS,
        ALPHA,
        anisotropy_field=B_EFF + MU0 * MS,
        easy_axis=(0, 0, 1),
        demag=(0, 0, 1),
        area=volume / THICKNESS,
    )
    current = 2 * critical_current_density(layer)
    frame = benchmark.pedantic(
        lambda: write_error_rate(layer, current_density=current, width=WIDTHS, temperature=TEMP),
        rounds=3,
        warmup_rounds=1,
    )
    seconds = benchmark.stats.stats.min
    print(
        f"\nwrite_error_rate, 100 widths, one amplitude, grid 400: {seconds:.3f} s "
        f"(WER {frame.wer.max():.3g} .. {frame.wer.min():.3g})"
    )
    benchmark.extra_info["seconds"] = seconds
    assert frame.wer.min() < 1e-12 and frame.wer.max() > 0.99
    assert seconds < 5.0
