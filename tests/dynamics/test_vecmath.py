"""Branch-free log / sin / cos (fastspin.dynamics.core.vecmath) and the normal deviates of
fastspin.dynamics.rng: errors against extended-precision NumPy, moments and a Kolmogorov-Smirnov test
of the deviates, independence, streams reproducible per trajectory index, and vector code."""

import platform
import re

import numba
import numpy as np
import pytest
from numba import njit, prange
from scipy import stats

from fastspin.dynamics.core.jit import KERNEL, LANE_LOOP
from fastspin.dynamics.core.vecmath import cos_any, log_unit, sin_any, sincos, sincos_2pi
from fastspin.dynamics.rng import load_states, next_uniform, normal_pair, seed_states, stack_states, store_states

JIT = not numba.config.DISABLE_JIT
N_POINTS = 1_000_000 if JIT else 20_000  # per range; without the JIT every call runs in Python
LD = np.longdouble
PI = LD("3.14159265358979323846264338327950288419716939937510")
EXTENDED = np.finfo(LD).eps < 1e-18
needs_extended = pytest.mark.skipif(not EXTENDED, reason="reference needs an extended long double")
GEN = np.random.default_rng(20250601)
TEST = dict(KERNEL, cache=False)  # compiled afresh: the assembly of a cached kernel cannot be read


@njit(**TEST)
def _log_all(u, out):
    for i in range(u.size):
        out[i] = log_unit(u[i])


@njit(**TEST)
def _sincos_2pi_all(u, s, c):
    for i in range(u.size):
        s[i], c[i] = sincos_2pi(u[i])


@njit(**TEST)
def _sincos_all(x, s, c, s_only, c_only):
    for i in range(x.size):
        s[i], c[i] = sincos(x[i])
        s_only[i] = sin_any(x[i])
        c_only[i] = cos_any(x[i])


def _neighbours(values):
    """``values`` and the floats 1 and 2 ulp away on each side."""
    values = np.asarray(values, dtype=float)
    down = np.nextafter(values, -np.inf)
    up = np.nextafter(values, np.inf)
    return np.concatenate([values, down, up, np.nextafter(down, -np.inf), np.nextafter(up, np.inf)])


# --- log ----------------------------------------------------------------------------------------------


def _log_points():
    edges = [
        1.0,
        0.5,
        0.25,
        2.0**-53,
        2.0**-52,
        2.0**-1022,
        2.0**-1074,
        1e-310,
        np.sqrt(0.5),
        np.sqrt(2.0),
        np.sqrt(0.5) / 2**20,
        2.0,
        10.0,
        1e300,
    ]
    rng_uniforms = (GEN.integers(0, 2**53, N_POINTS).astype(float) + 1.0) * 2.0**-53  # as next_uniform
    rng_uniforms[:100] = (np.arange(100) + 1.0) * 2.0**-53  # the smallest ones
    near_one = 1.0 + GEN.uniform(-1e-6, 1e-6, N_POINTS // 10)
    everywhere = 2.0 ** GEN.uniform(-1074, 1024, N_POINTS // 2)
    points = np.concatenate(
        [_neighbours(edges), [np.finfo(float).max], GEN.random(N_POINTS), rng_uniforms, near_one, everywhere]
    )
    points = points[(points > 0) & np.isfinite(points)]
    return points


@needs_extended
def test_log_unit_is_within_one_ulp_everywhere():
    u = _log_points()
    got = np.empty_like(u)
    _log_all(u, got)
    ref = np.log(u.astype(LD))
    assert got[u == 1.0].tolist() == [0.0]
    u, got, ref = u[u != 1.0], got[u != 1.0], ref[u != 1.0]
    ulps = np.abs(got - ref) / np.spacing(np.abs(ref).astype(float))
    assert np.max(ulps) < 1.0
    assert np.max(np.abs(got - ref) / np.abs(ref)) <= 1.6e-16
    assert np.max(np.abs(got - ref)[np.abs(u - 1) < 0.3]) <= 6e-17  # absolute, near u = 1


def test_log_unit_exact_values():
    u = np.array([1.0, 0.5, 2.0**-53, 2.0**-1074])
    got = np.empty_like(u)
    _log_all(u, got)
    assert got[0] == 0.0
    np.testing.assert_allclose(got[1:], np.log(u[1:]), rtol=2e-16, atol=0)


# --- sin, cos (2 pi u) ------------------------------------------------------------------------------


@needs_extended
def test_sincos_2pi_absolute_error_is_below_2e_16():
    eighths = np.arange(-8, 17) / 8
    u = np.concatenate(
        [
            _neighbours(eighths),
            [2.0**-53, 2.0**-1074, 1e-300],
            GEN.random(N_POINTS),
            GEN.uniform(-1.0, 1.0, N_POINTS // 10),
            GEN.uniform(-(2.0**40), 2.0**40, N_POINTS // 10),
        ]
    )
    s = np.empty_like(u)
    c = np.empty_like(u)
    _sincos_2pi_all(u, s, c)
    angle = 2 * PI * (u - np.round(u)).astype(LD)  # u - round(u) is exact
    assert np.max(np.abs(s - np.sin(angle))) <= 2e-16
    assert np.max(np.abs(c - np.cos(angle))) <= 2e-16


def test_sincos_2pi_exact_values():
    u = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    s = np.empty_like(u)
    c = np.empty_like(u)
    _sincos_2pi_all(u, s, c)
    np.testing.assert_array_equal(np.abs(s), [0.0, 1.0, 0.0, 1.0, 0.0])
    np.testing.assert_array_equal(c, [1.0, 0.0, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(s[[1, 3]], [1.0, -1.0])


# --- sin, cos (x) -------------------------------------------------------------------------------------


@needs_extended
@pytest.mark.parametrize("half_width, bound", [(1.0, 2e-16), (1e4, 2.5e-16), (1e6, 2.5e-16), (1e8, 2.5e-16)])
def test_sincos_absolute_error(half_width, bound):
    k = np.concatenate([np.arange(-16, 17), np.round(GEN.uniform(-1, 1, 200) * half_width * 4 / np.pi)])
    multiples = (k * (PI / 4)).astype(float)  # nearest doubles to k pi/4: the hardest reductions
    x = np.concatenate(
        [
            _neighbours(multiples[np.abs(multiples) <= half_width]),
            [0.0, -0.0, half_width, -half_width],
            GEN.uniform(-half_width, half_width, N_POINTS),
        ]
    )
    s, c, s_only, c_only = (np.empty_like(x) for _ in range(4))
    _sincos_all(x, s, c, s_only, c_only)
    xl = x.astype(LD)
    assert np.max(np.abs(s - np.sin(xl))) <= bound
    assert np.max(np.abs(c - np.cos(xl))) <= bound
    np.testing.assert_array_equal(s_only, s)
    np.testing.assert_array_equal(c_only, c)


# --- normal deviates ----------------------------------------------------------------------------------


@njit(**TEST)
def _draw(state, n_pairs, out):
    """``out[j, 2k], out[j, 2k + 1]``: pair ``k`` of stream ``j``."""
    for j in range(state.shape[1]):
        for k in range(n_pairs):
            out[j, 2 * k], out[j, 2 * k + 1] = normal_pair(state, np.uint64(j))


def _normals(seed, n_streams, n_pairs, first_index=0):
    state = seed_states(seed, n_streams, first_index)
    out = np.empty((n_streams, 2 * n_pairs))
    with np.errstate(over="ignore"):
        _draw(state, n_pairs, out)
    return out


N_STREAMS, N_PAIRS = (1000, 500) if JIT else (20, 100)


@pytest.fixture(scope="module")
def normals():
    return _normals(12345, N_STREAMS, N_PAIRS)


def test_normal_moments(normals):
    g = normals.ravel()
    n = g.size
    assert np.all(np.isfinite(g))
    assert np.max(np.abs(g)) <= np.sqrt(-2 * np.log(2.0**-53))  # the largest Box-Muller radius
    assert abs(np.mean(g)) < 5 / np.sqrt(n)
    assert abs(np.var(g) - 1) < 5 * np.sqrt(2 / n)
    assert abs(np.mean(g**3)) < 5 * np.sqrt(15 / n)
    assert abs(np.mean(g**4) - 3) < 5 * np.sqrt(96 / n)


def test_normals_pass_kolmogorov_smirnov(normals):
    assert stats.kstest(normals.ravel(), "norm").pvalue > 1e-3
    first, second = normals[:, 0::2].ravel(), normals[:, 1::2].ravel()  # each member of the pairs alone
    assert stats.kstest(first, "norm").pvalue > 1e-3
    assert stats.kstest(second, "norm").pvalue > 1e-3


def test_normals_are_uncorrelated(normals):
    first, second = normals[:, 0::2], normals[:, 1::2]
    bound = 5 / np.sqrt(first.size)
    assert abs(np.corrcoef(first.ravel(), second.ravel())[0, 1]) < bound  # within a pair
    assert abs(np.corrcoef(first.ravel() ** 2, second.ravel() ** 2)[0, 1]) < bound  # same radius
    assert abs(np.corrcoef(normals[:, :-1].ravel(), normals[:, 1:].ravel())[0, 1]) < bound  # successive
    assert abs(np.corrcoef(normals[:-1].ravel(), normals[1:].ravel())[0, 1]) < bound  # neighbouring streams


def _xoroshiro_uniforms(s0, s1, count):
    """NumPy reference: ``count`` outputs of xoroshiro128+ (24, 16, 37) as ``(m + 1) 2^-53``."""

    def rotl(x, k):
        return (x << np.uint64(k)) | (x >> np.uint64(64 - k))

    out = []
    with np.errstate(over="ignore"):
        for _ in range(count):
            result = s0 + s1
            s1 = s1 ^ s0
            s0, s1 = rotl(s0, 24) ^ s1 ^ (s1 << np.uint64(16)), rotl(s1, 37)
            out.append((float(result >> np.uint64(11)) + 1.0) * 2.0**-53)
    return np.array(out)


@njit(**TEST)
def _uniforms(state, j, count, out):
    for k in range(count):
        out[k] = next_uniform(state, np.uint64(j))


def test_uniforms_are_xoroshiro128_plus():
    state = seed_states(3, 5)
    s0, s1 = state[0, 4], state[1, 4]
    got = np.empty(50)
    with np.errstate(over="ignore"):
        _uniforms(state, 4, 50, got)
    np.testing.assert_array_equal(got, _xoroshiro_uniforms(s0, s1, 50))
    assert np.all((got > 0) & (got <= 1))


def test_streams_depend_only_on_seed_and_index():
    batch = seed_states(99, 10)
    single = seed_states(99, 1, first_index=7)
    np.testing.assert_array_equal(batch[:, 7:8], single)
    assert batch.shape == (2, 10) and batch.dtype == np.uint64
    in_batch = _normals(99, 10, 20)
    alone = _normals(99, 1, 20, first_index=7)
    np.testing.assert_array_equal(in_batch[7], alone[0])
    assert not np.array_equal(in_batch[6], in_batch[7])
    assert not np.array_equal(_normals(100, 10, 20)[7], in_batch[7])


BLOCK = 64  # lanes of a block, a compile-time constant


@njit(**LANE_LOOP)
def _draw_block(nb, block, out, k):
    for i in range(nb):
        out[0, k, i], out[1, k, i] = normal_pair(block, np.uint64(i))


@njit(parallel=True, **TEST)
def _draw_blocks(state, n_pairs, out):
    """As :func:`_draw`, through a stack copy of each block's states (the kernels' lane loops);
    ``out[r, k, j]``: member ``r`` of pair ``k`` of stream ``j``."""
    n = state.shape[1]
    for blk in prange((n + BLOCK - 1) // BLOCK):
        lo = blk * BLOCK
        nb = min(BLOCK, n - lo)
        block = stack_states(BLOCK)
        load_states(state, lo, nb, block)
        for k in range(n_pairs):
            _draw_block(nb, block, out[:, :, lo:], k)
        store_states(block, lo, nb, state)


def test_block_copies_draw_the_same_streams():
    n, n_pairs = 150, 30  # two full blocks and a partial one
    direct = seed_states(5, n)
    staged = seed_states(5, n)
    expected = np.empty((n, 2 * n_pairs))
    got = np.empty((2, n_pairs, n))
    with np.errstate(over="ignore"):
        _draw(direct, n_pairs, expected)
        _draw_blocks(staged, n_pairs, got)
    np.testing.assert_array_equal(got[0].T, expected[:, 0::2])
    np.testing.assert_array_equal(got[1].T, expected[:, 1::2])
    np.testing.assert_array_equal(staged, direct)  # states advanced alike and written back


# --- vector code ----------------------------------------------------------------------------------------


@njit(**LANE_LOOP)
def _lane_loop(nb, block, S):
    for i in range(nb):
        g1, g2 = normal_pair(block, np.uint64(i))
        g3, _ = normal_pair(block, np.uint64(i))
        S[i] += g1 + g2 * g3 + sin_any(g3)


@njit(**TEST)
def _vector_kernel(state, n_steps, out):
    block = stack_states(BLOCK)
    load_states(state, 0, BLOCK, block)
    for _ in range(n_steps):
        _lane_loop(BLOCK, block, out)
    store_states(block, 0, BLOCK, state)


@pytest.mark.skipif(not JIT or platform.machine() not in ("x86_64", "AMD64"), reason="x86-64 assembly")
def test_lane_loop_compiles_to_vector_code_without_libm_calls():
    state = seed_states(1, BLOCK)
    out = np.zeros(BLOCK)
    _vector_kernel(state, 2, out)
    asm = "\n".join(_vector_kernel.inspect_asm().values())
    packed = set(re.findall(r"^\s*(v\w+pd)\s+.*%[yz]mm\d+", asm, flags=re.M))
    assert {"vsqrtpd", "vdivpd"} <= packed, sorted(packed)  # sqrt of Box-Muller and division of log
    assert not re.findall(r"\$(log|sin|cos|sincos)\b", asm)  # no libm function loaded for a call
