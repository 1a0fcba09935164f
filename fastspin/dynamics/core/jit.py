"""One switch that compiles the leaf physics for a target, and the Numba options of the CPU kernels.

Leaf physics (fields, torques, waveforms, random numbers, outcome trackers) is written once, as scalar
Python functions decorated with :func:`leaf`.  Each is compiled for the CPU at once (``njit`` with
``LEAF``: LLVM inlines it into the kernels) and registered by name, so that another target can compile
the very same Python source: :func:`namespace` gives the compiled leaves of a target as a dict of
global names, which the generated kernels of fastspin.dynamics.build import (``"cpu"``), and from which
the GPU driver (fastspin.dynamics.gpu) builds ``numba.cuda`` device functions (``"cuda"``) without a
second copy of the physics.  A target's namespace may also be built in single precision
(fastspin.dynamics.core.targets: the same source with float32 constants).

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

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from numba import njit
from numba.core.dispatcher import Dispatcher

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "nnan", "ninf"})
KERNEL: dict[str, Any] = dict(cache=True, fastmath=set(FASTMATH), error_model="numpy")
LEAF: dict[str, Any] = dict(KERNEL, forceinline=True)
LANE_LOOP: dict[str, Any] = dict(KERNEL, inline="always")
STRICT: dict[str, Any] = dict(cache=True, error_model="numpy")

TARGETS = ("cpu", "cuda")
PRECISIONS = ("float64", "float32")
#: the modules whose leaves make up the physics (imported by :func:`namespace`, which registers them)
LEAF_MODULES = (
    "fastspin.dynamics.core.physics",
    "fastspin.dynamics.core.vecmath",
    "fastspin.dynamics.rng",
    "fastspin.dynamics.outcomes",
)
_SOURCES: dict[str, Callable[..., Any]] = {}  # leaf name -> the undecorated Python function
_COMPILED: dict[tuple[str, str], dict[str, Callable[..., Any]]] = {("cpu", "float64"): {}}

_F = TypeVar("_F", bound=Callable[..., Any])


def leaf(func: _F) -> Dispatcher[_F]:
    """Register ``func`` as leaf physics and return its CPU compilation (``njit(**LEAF)``)."""
    name = func.__name__
    if name in _SOURCES and _SOURCES[name].__module__ != func.__module__:
        raise RuntimeError(f"two leaf functions are named {name!r}")
    _SOURCES[name] = func
    compiled = njit(**LEAF)(func)
    _COMPILED["cpu", "float64"][name] = compiled
    return compiled


def namespace(target: str, precision: str = "float64") -> dict[str, Callable[..., Any]]:
    """``{name: compiled leaf}`` of every registered leaf for ``target`` (``"cpu"`` or ``"cuda"``) in
    ``precision`` (``"float64"`` or ``"float32"``).

    Other than the CPU kernels' own float64 leaves, each leaf's Python source is recompiled (as a
    ``numba.cuda`` device function for ``"cuda"``, as a plain ``njit`` function for ``"cpu"``, which
    serves to check the typing of single precision on a machine without a GPU) in a namespace where
    the global names of other leaves resolve to their versions of the same target and precision,
    with the replacements of fastspin.dynamics.core.targets.
    """
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}, got {target!r}")
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    for module in LEAF_MODULES:
        importlib.import_module(module)
    key = (target, precision)
    if key not in _COMPILED or len(_COMPILED[key]) != len(_SOURCES):
        from . import targets

        decorate = targets.device_jit() if target == "cuda" else njit(**dict(LEAF, cache=False))  # no file to cache
        functions = targets.rebuild(_SOURCES, target, precision)
        compiled = {name: decorate(func) for name, func in functions.items()}
        for func in functions.values():
            func.__globals__.update(compiled)
        _COMPILED[key] = compiled
    return dict(_COMPILED[key])
