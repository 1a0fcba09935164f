"""Numba options shared by the dynamics kernels (one place for how the kernels are compiled).

* ``FASTMATH``: FMA contraction, no care for NaN, inf or the sign of zero, approximate functions and
  reciprocals, but no reassociation: each trajectory's arithmetic is independent of its neighbours in
  a SIMD block (bitwise the same result whatever block it lands in).
* ``LEAF``: loop-free helpers (right-hand side, torque factors, outcome tracking, random numbers).
  Numba compiles each once and LLVM inlines it into the kernels (``forceinline``): far cheaper to
  compile than Numba's IR inlining, which copies and re-types the callee at every call site.
* ``LANE_LOOP``: functions holding a loop over the lanes of a block.  Numba inlines them
  (``inline="always"``) so that LLVM first sees, and vectorizes, the loop inside the kernel, where
  the block buffer is known not to overlap the arrays (fastspin.dynamics._stack); and so that a
  constant ``kind`` argument selects one torque form per copy.
* ``STRICT``: IEEE arithmetic for a kernel that tests for NaN (the adaptive RK45 step control).
* ``error_model="numpy"``: divisions never raise, so no exception path sits in a loop.
"""
FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "nnan", "ninf"})
KERNEL = dict(cache=True, fastmath=set(FASTMATH), error_model="numpy")
LEAF = dict(KERNEL, forceinline=True)
LANE_LOOP = dict(KERNEL, inline="always")
STRICT = dict(cache=True, error_model="numpy")
