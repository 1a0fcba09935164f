"""Normal deviates drawn inside a lane loop, as the stochastic Heun kernel draws its thermal field.

A batch of 8192 trajectories in blocks of 64 lanes (a stack buffer per block, ``prange`` over the
blocks, the lane loop inlined into the kernel: the layout of the kernels of fastspin.dynamics.cpu); every
step, every lane draws 3 standard normal deviates (two Box-Muller pairs, one deviate discarded) and
accumulates them.  Compared:

1. ``libm``: the Box-Muller transform with ``math.log``, ``math.cos``, ``math.sin`` and xoroshiro128+
   states stored per trajectory as rows ``(n, 2)`` (the baseline, kept here only);
2. ``vecmath``: fastspin.dynamics.rng.normal_pair, states ``(2, n)`` and the branch-free log and
   sincos of fastspin.dynamics.core.vecmath.

Without SVML, LLVM cannot vectorize a loop that calls libm, so (1) runs one lane at a time; (2) must
compile the lane loop to vector instructions: the test reads the kernel's assembly and requires
packed ``vsqrtpd`` / ``vdivpd`` on ``ymm`` or ``zmm`` registers and no call to ``log``, ``sin`` or
``cos``.  Rates are normal deviates per second (both cores).  Run:
``python -m pytest benchmarks/bench_rng.py --benchmark-only -s``.
"""

import math
import re

import numpy as np
import pytest
from numba import njit, prange

from fastspin.dynamics.core.jit import KERNEL, LANE_LOOP, LEAF
from fastspin.dynamics.core.stack_buffer import stack_buffer
from fastspin.dynamics.rng import normal_pair, seed_states

BLOCK = 64
N, N_STEPS = 8192, 2000
NORMALS_PER_STEP = 3
_SIZE = 3 * BLOCK  # per block: sums of g1, g2^2, g3
RATES = {}
FRESH = dict(KERNEL, cache=False)  # compiled in each run: the assembly of a cached kernel cannot be read


# --- baseline: states (n, 2), Box-Muller with libm -------------------------------------------------


@njit(**LEAF)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(**LEAF)
def _libm_uniform(state, j):
    s0 = state[j, 0]
    s1 = state[j, 1]
    result = s0 + s1
    s1 ^= s0
    state[j, 0] = _rotl(s0, 24) ^ s1 ^ (s1 << np.uint64(16))
    state[j, 1] = _rotl(s1, 37)
    return (np.float64(result >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


@njit(**LEAF)
def _libm_normal_pair(state, j):
    u1 = _libm_uniform(state, j)
    u2 = _libm_uniform(state, j)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)


# --- the two kernels: the same lane loop, one per transform ----------------------------------------


@njit(**LANE_LOOP)
def _draw_libm(lo, nb, rng, S):
    for i in range(nb):
        j = np.uint64(lo + i)
        g1, g2 = _libm_normal_pair(rng, j)
        g3, _ = _libm_normal_pair(rng, j)
        S[i] += g1
        S[BLOCK + i] += g2 * g2
        S[2 * BLOCK + i] += g3


@njit(**LANE_LOOP)
def _draw_vecmath(lo, nb, rng, S):
    for i in range(nb):
        j = np.uint64(lo + i)
        g1, g2 = normal_pair(rng, j)
        g3, _ = normal_pair(rng, j)
        S[i] += g1
        S[BLOCK + i] += g2 * g2
        S[2 * BLOCK + i] += g3


def _kernel(draw, axis):
    """The block kernel around the lane loop ``draw``: ``out[:, i]`` holds the sums of ``g1``, ``g2^2``,
    ``g3`` of trajectory ``i`` over ``n_steps``; the states are (n, 2) (``axis`` 0) or (2, n) (``axis`` 1)."""

    @njit(parallel=True, **FRESH)
    def kernel(rng, n_steps, out):
        n = rng.shape[axis]
        for blk in prange((n + BLOCK - 1) // BLOCK):
            lo = blk * BLOCK
            nb = min(BLOCK, n - lo)
            S = stack_buffer(_SIZE)
            for i in range(_SIZE):
                S[i] = 0.0
            for _ in range(n_steps):
                draw(lo, nb, rng, S)
            for i in range(nb):
                out[0, lo + i] = S[i]
                out[1, lo + i] = S[BLOCK + i]
                out[2, lo + i] = S[2 * BLOCK + i]

    return kernel


libm_kernel = _kernel(_draw_libm, 0)
vecmath_kernel = _kernel(_draw_vecmath, 1)


def _run(kernel, layout, n_steps):
    rng = seed_states(1, N)
    rng = np.ascontiguousarray(rng.T) if layout == "rows" else rng
    out = np.empty((3, N))
    kernel(rng, n_steps, out)
    return out


def _check_moments(out):
    """Per-lane sums over N_STEPS: mean 0 and variance 1 within 5 standard errors."""
    count = N * N_STEPS
    assert abs(out[0].sum() / count) < 5 / math.sqrt(count)
    assert abs(out[2].sum() / count) < 5 / math.sqrt(count)
    assert abs(out[1].sum() / count - 1.0) < 5 * math.sqrt(2 / count)


def _vector_ops(kernel):
    """Packed-double instructions on ymm/zmm registers in the kernel's assembly, and its libm calls."""
    asm = "\n".join(kernel.inspect_asm().values())
    packed = re.findall(r"^\s*(v\w+pd)\s+.*%([yz]mm)\d+", asm, flags=re.M)
    calls = re.findall(r"\$(log|sin|cos|sincos)\b", asm)  # addresses of libm functions, loaded to call
    return packed, calls


def _record(benchmark, name, kernel, layout):
    _run(kernel, layout, 2)  # compile (or load the cache) outside the timing
    out = benchmark.pedantic(lambda: _run(kernel, layout, N_STEPS), rounds=3, warmup_rounds=0)
    _check_moments(out)
    RATES[name] = NORMALS_PER_STEP * N * N_STEPS / benchmark.stats.stats.min
    benchmark.extra_info["normals_per_s"] = RATES[name]


def test_libm_box_muller(benchmark):
    _record(benchmark, "libm log/cos/sin, states (n, 2)", libm_kernel, "rows")


def test_vecmath_box_muller(benchmark):
    _record(benchmark, "vecmath, states (2, n)", vecmath_kernel, "columns")
    packed, calls = _vector_ops(vecmath_kernel)
    ops = {op for op, _ in packed}
    registers = sorted({reg for _, reg in packed})
    print(
        f"\nvecmath kernel: {len(packed)} packed-double instructions on {registers}, "
        f"sqrt/div: {sorted(op for op in ops if 'sqrt' in op or 'div' in op)}, libm calls: {calls}"
    )
    assert {"vsqrtpd", "vdivpd"} <= ops
    assert not calls


@pytest.fixture(scope="module", autouse=True)
def report():
    """Print the rates once the file has run (``-s`` shows it)."""
    yield
    print(f"\n{'transform':36s} {'normals/s':>12s} {'vs libm':>8s}")
    base = RATES.get("libm log/cos/sin, states (n, 2)")
    for name, rate in RATES.items():
        ratio = f"{rate / base:8.2f}" if base else ""
        print(f"{name:36s} {rate:12.3e} {ratio}")
