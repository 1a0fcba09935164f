"""Per-trajectory random streams for the thermal field, reproducible whatever the threading.

Each trajectory ``i`` owns a xoroshiro128+ state (Blackman and Vigna 2018, parameters 24, 16, 37)
seeded by splitmix64 from ``(seed, i)``: its noise depends only on the seed and its index, not on
the number of threads, the block it lands in, or the other trajectories of the batch.  Normal
deviates come from the Box-Muller transform.  (uint64 arithmetic wraps modulo 2^64 by design.)
"""
import math

import numpy as np
from numba import njit

from ._jit import LEAF

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(z):
    z = z + _GOLDEN
    x = (z ^ (z >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return z, x ^ (x >> np.uint64(31))


def seed_states(seed, n, first_index=0):
    """xoroshiro128+ states (n, 2) for trajectories ``first_index .. first_index + n - 1``."""
    with np.errstate(over="ignore"):
        index = np.arange(first_index, first_index + n, dtype=np.uint64)
        z = np.uint64(seed) * _MIX2 ^ (index * _GOLDEN)
        z, s0 = _splitmix64(z)
        z, s1 = _splitmix64(z)
    return np.ascontiguousarray(np.stack([s0, s1], axis=1))


@njit(**LEAF)
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(**LEAF)
def next_uniform(state, j):
    """Uniform deviate in (0, 1] from trajectory ``j``'s stream (advances it)."""
    s0 = state[j, 0]
    s1 = state[j, 1]
    result = s0 + s1
    s1 ^= s0
    state[j, 0] = _rotl(s0, 24) ^ s1 ^ (s1 << np.uint64(16))
    state[j, 1] = _rotl(s1, 37)
    return (np.float64(result >> np.uint64(11)) + 1.0) * (1.0 / 9007199254740992.0)


@njit(**LEAF)
def normal_pair(state, j):
    """Two independent standard normal deviates (Box-Muller) from trajectory ``j``'s stream."""
    u1 = next_uniform(state, j)
    u2 = next_uniform(state, j)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)
