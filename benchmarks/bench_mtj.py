"""Diffusive MTJ electrode throughput over 1,000,000 (thickness, bias) points.

Target on the 2-core machine: >= 5,000,000 points/s through the closed form (Eq. 12), and the general
transport engine within 10x of it.  Run: ``python -m pytest benchmarks/bench_mtj.py --benchmark-only``.
"""

import numpy as np
from numpy.polynomial import Polynomial

from fastspin.transport import solve
from fastspin.transport.electrode import _engine_params, _eq12_batch, electrode_stack

N_SIDE = 1000
RATES = {}


def _points():
    """1000 thicknesses x 1000 biases with the Fig. 3 injection J0 = a1 V + i b2 V^2, flattened."""
    d, v = np.meshgrid(np.linspace(0.3e-9, 30e-9, N_SIDE), np.linspace(-0.5, 0.5, N_SIDE), indexing="ij")
    j0 = Polynomial([0, 1.0])(v) + 1j * Polynomial([0, 0, 0.3])(v)
    ones = np.ones(d.size)
    return dict(
        thickness=d.ravel(),
        lambda_j=1e-9 * ones,
        lambda_phi=1e-9 * ones,
        lambda_sf_f=10e-9 * ones,
        lambda_sf_n=1e-9 * ones,
        diffusion_ratio=ones,
        j0=j0.ravel(),
    )


def test_closed_form_1e6(benchmark):
    p = _points()
    out = np.empty(N_SIDE**2, complex)
    args = (
        p["thickness"],
        p["lambda_j"],
        p["lambda_phi"],
        p["lambda_sf_f"],
        p["lambda_sf_n"],
        p["diffusion_ratio"],
        p["j0"],
        out,
    )
    _eq12_batch(*args)
    benchmark.pedantic(_eq12_batch, args=args, rounds=5, warmup_rounds=1)
    assert np.all(np.isfinite(out))
    RATES["closed_form"] = N_SIDE**2 / benchmark.stats.stats.min
    benchmark.extra_info["points_per_s"] = RATES["closed_form"]


def test_engine_1e6(benchmark):
    p = _points()
    stack = electrode_stack()
    params = _engine_params(p)
    solve(stack, {k: v[:10] for k, v in params.items()})
    result = benchmark.pedantic(solve, args=(stack, params), rounds=3, warmup_rounds=1)
    assert np.all(np.isfinite(result.torque))
    rate = N_SIDE**2 / benchmark.stats.stats.min
    benchmark.extra_info["points_per_s"] = rate
    if "closed_form" in RATES:
        benchmark.extra_info["closed_form_over_engine"] = RATES["closed_form"] / rate
