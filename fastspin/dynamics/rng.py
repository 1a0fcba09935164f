"""Per-trajectory random streams for the thermal field, reproducible whatever the threading.

Each trajectory ``i`` owns a xoroshiro128+ state (Blackman and Vigna 2018, parameters 24, 16, 37)
seeded by splitmix64 from ``(seed, i)``: its noise depends only on the seed and its index, not on
the number of threads, the block it lands in, or the other trajectories of the batch.  The states of
a batch are one ``(2, n)`` uint64 array (row 0: ``s0``, row 1: ``s1``), so that the states of
consecutive trajectories are contiguous and a loop over the lanes of a block loads and stores them
as vectors; only the functions of this module index it.  Normal deviates come from the Box-Muller
transform evaluated with the branch-free functions of fastspin.dynamics.core.vecmath, so a lane loop
drawing them vectorizes (SIMD) as a whole.

A kernel copies the states of a block into a buffer on its stack (:func:`stack_states`,
:func:`load_states`, :func:`store_states`) for the duration of the block: LLVM then knows that the
states overlap none of the kernel's array arguments, and the lane loop vectorizes with no runtime
overlap check (as the block buffers of fastspin.dynamics.core.stack_buffer).  The streams are the same.
(uint64 arithmetic wraps modulo 2^64 by design.)
"""

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from .core.jit import LANE_LOOP, leaf
from .core.stack_buffer import stack_rows
from .core.vecmath import log_unit, sincos_2pi

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(z):
    z = z + _GOLDEN
    x = (z ^ (z >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return z, x ^ (x >> np.uint64(31))


def seed_states(seed: int, n: int, first_index: int = 0) -> npt.NDArray[np.uint64]:
    """xoroshiro128+ states, a ``(2, n)`` uint64 array, of trajectories ``first_index .. first_index + n - 1``
    (column ``i`` is trajectory ``first_index + i``; pass column ``j`` of a batch as ``j`` to
    :func:`normal_pair`)."""
    with np.errstate(over="ignore"):
        index = np.arange(first_index, first_index + n, dtype=np.uint64)
        z = np.uint64(seed) * _MIX2 ^ (index * _GOLDEN)
        z, s0 = _splitmix64(z)
        z, s1 = _splitmix64(z)
    return np.ascontiguousarray(np.stack([s0, s1]))


@njit(cache=True, inline="always")
def stack_states(n: int) -> npt.NDArray[np.uint64]:
    """Uninitialised states of ``n`` trajectories (a compile-time constant), a ``(2, n)`` uint64 array on the
    stack, valid until the enclosing compiled function returns."""
    return stack_rows(2, n)


@njit(**LANE_LOOP)
def load_states(state: npt.NDArray[np.uint64], lo: int, nb: int, block: npt.NDArray[np.uint64]) -> None:
    """Copy the states of trajectories ``lo .. lo + nb - 1`` (columns of ``state``) to columns
    ``0 .. nb - 1`` of ``block`` (:func:`stack_states`)."""
    for i in range(nb):
        block[0, i] = state[0, lo + i]
        block[1, i] = state[1, lo + i]


@njit(**LANE_LOOP)
def store_states(block: npt.NDArray[np.uint64], lo: int, nb: int, state: npt.NDArray[np.uint64]) -> None:
    """Copy columns ``0 .. nb - 1`` of ``block`` back to the states of trajectories ``lo .. lo + nb - 1``."""
    for i in range(nb):
        state[0, lo + i] = block[0, i]
        state[1, lo + i] = block[1, i]


@leaf
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@leaf
def next_uniform(state: npt.NDArray[np.uint64], j: int | np.uint64) -> float:
    """Uniform deviate ``(m + 1) 2^-53``, ``m`` the top 53 bits of the output, in ``(0, 1]`` from
    trajectory ``j``'s stream (column ``j`` of ``state``; advances it)."""
    s0 = state[0, j]
    s1 = state[1, j]
    result = s0 + s1
    s1 ^= s0
    state[0, j] = _rotl(s0, 24) ^ s1 ^ (s1 << np.uint64(16))
    state[1, j] = _rotl(s1, 37)
    return (np.float64(result >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


@leaf
def normal_pair(state: npt.NDArray[np.uint64], j: int | np.uint64) -> tuple[float, float]:
    """Two independent standard normal deviates from the stream in column ``j`` of ``state`` (a batch
    from :func:`seed_states` or a block from :func:`load_states`; advances it by two outputs):
    Box-Muller, ``sqrt(-2 log u1) (cos 2 pi u2, sin 2 pi u2)`` with the uniforms of
    :func:`next_uniform`.  ``j`` an unsigned integer (``np.uint64``) in the kernels' lane loops."""
    u1 = next_uniform(state, j)
    u2 = next_uniform(state, j)
    r = math.sqrt(-2.0 * log_unit(u1))
    s, c = sincos_2pi(u2)
    return r * c, r * s
