"""One switch that compiles the leaf physics for a target, and the Numba options of the CPU kernels.

Leaf physics (fields, torques, waveforms, random numbers, outcome trackers) is written once, as scalar
Python functions decorated with :func:`leaf`.  Each is compiled for the CPU at once (``njit`` with
``LEAF``: LLVM inlines it into the kernels) and registered by name, so that another target can compile
the very same Python source: :func:`namespace` gives the compiled leaves of a target as a dict of
global names, which the generated kernels of fastspin.dynamics.build import (``"cpu"``), and from which
a GPU driver builds ``numba.cuda`` device functions (``"cuda"``) without a second copy of the physics.

Options of the CPU kernels:

* ``FASTMATH``: FMA contraction, no care for NaN, inf or the sign of zero, approximate functions and
  reciprocals, but no reassociation: each trajectory's arithmetic is independent of its neighbours in
  a SIMD block (bitwise the same result whatever block it lands in).
* ``LEAF``: loop-free helpers.  Numba compiles each once and LLVM inlines it into the kernels
  (``forceinline``): far cheaper to compile than Numba's IR inlining, which copies and re-types the
  callee at every call site.
* ``LANE_LOOP``: functions holding a loop over the lanes of a block.  Numba inlines them
  (``inline="always"``) so that LLVM first sees, and vectorizes, the loop inside the kernel, where
  the block buffer is known not to overlap the arrays (fastspin.dynamics.core.stack_buffer).
* ``STRICT``: IEEE arithmetic for a kernel that tests for NaN (the adaptive RK45 step control).
* ``error_model="numpy"``: divisions never raise, so no exception path sits in a loop.
"""
import importlib
import types

from numba import njit

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "nnan", "ninf"})
KERNEL = dict(cache=True, fastmath=set(FASTMATH), error_model="numpy")
LEAF = dict(KERNEL, forceinline=True)
LANE_LOOP = dict(KERNEL, inline="always")
STRICT = dict(cache=True, error_model="numpy")

TARGETS = ("cpu", "cuda")
#: the modules whose leaves make up the physics (imported by :func:`namespace`, which registers them)
LEAF_MODULES = ("fastspin.dynamics.core.physics", "fastspin.dynamics.core.vecmath", "fastspin.dynamics.rng",
                "fastspin.dynamics.outcomes")
_SOURCES = {}  # leaf name -> the undecorated Python function
_COMPILED = {"cpu": {}}


def leaf(func):
    """Register ``func`` as leaf physics and return its CPU compilation (``njit(**LEAF)``)."""
    name = func.__name__
    if name in _SOURCES and _SOURCES[name].__module__ != func.__module__:
        raise RuntimeError(f"two leaf functions are named {name!r}")
    _SOURCES[name] = func
    compiled = njit(**LEAF)(func)
    _COMPILED["cpu"][name] = compiled
    return compiled


def namespace(target):
    """``{name: compiled leaf}`` of every registered leaf for ``target`` (``"cpu"`` or ``"cuda"``).

    For ``"cuda"`` each leaf's Python function is recompiled as a ``numba.cuda`` device function
    whose global names of other leaves resolve to their device versions (one shared namespace).
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    for module in LEAF_MODULES:
        importlib.import_module(module)
    if target not in _COMPILED or len(_COMPILED[target]) != len(_SOURCES):
        from numba import cuda

        device = {}
        for name, func in _SOURCES.items():
            scope = dict(func.__globals__)
            rebound = types.FunctionType(func.__code__, scope, name, func.__defaults__, func.__closure__)
            device[name] = (cuda.jit(device=True, inline=True)(rebound), scope)
        for compiled, scope in device.values():
            scope.update({name: fn for name, (fn, _) in device.items()})
        _COMPILED[target] = {name: fn for name, (fn, _) in device.items()}
    return dict(_COMPILED[target])
