"""The leaf physics for another target or precision: the same Python source, recompiled (core.jit.namespace).

* ``"cuda"``: bit reinterpretation (fastspin.dynamics.core.vecmath's ``_bits`` / ``_from_bits``, LLVM
  intrinsics of the CPU target) becomes libdevice's ``__nv_double_as_longlong`` /
  ``__nv_longlong_as_double`` on a GPU and a NumPy view on numba's CUDA simulator.
* ``"float32"``: every float literal of a leaf becomes ``np.float32(literal)``, ``np.float64`` becomes
  ``np.float32`` and the module-level float constants float32, so that arithmetic on float32 state and
  parameters stays float32 (Numba types a Python float literal as float64, which would promote it).
  The branch-free float64 logarithm, sine and cosine of vecmath rely on the float64 bit layout: in
  single precision they become the math library's (``logf``, ``sinf``, ``cosf`` on a GPU).

:func:`import_cuda` is the one place that imports ``numba.cuda``.
"""

from __future__ import annotations

import ast
import inspect
import math
import textwrap
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import numpy as np


def import_cuda() -> ModuleType:
    """``numba.cuda``.  Some numba-cuda releases call ``np.row_stack`` at import, which NumPy 2.5 removed:
    it is aliased to ``np.vstack`` only when missing."""
    if not hasattr(np, "row_stack"):
        np.row_stack = np.vstack
    from numba import cuda

    return cuda


def device_jit() -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The decorator of device functions: inlined by NVVM (``forceinline``, LLVM ``alwaysinline``) on a GPU.
    On numba's simulator they stay plain Python functions: they use nothing of ``cuda``, and the simulator's
    wrapper would lock and swap module globals at every call (its threads then queue on those locks)."""
    if on_simulator():
        return _plain
    return import_cuda().jit(device=True, forceinline=True)


def _plain(func: Callable[..., Any]) -> Callable[..., Any]:
    return func


def on_simulator() -> bool:
    """True when numba runs CUDA kernels on its simulator (``NUMBA_ENABLE_CUDASIM=1``)."""
    from numba.core import config

    return bool(config.ENABLE_CUDASIM)  # type: ignore[attr-defined]  # set at run time from the environment


# single-precision versions of the vecmath leaves (same names, same contracts)
def log_unit(u: float) -> float:
    return math.log(u)


def sincos_2pi(u: float) -> tuple[float, float]:
    x = 6.283185307179586 * u
    return math.sin(x), math.cos(x)


def sincos(x: float) -> tuple[float, float]:
    return math.sin(x), math.cos(x)


def sin_any(x: float) -> float:
    return math.sin(x)


def cos_any(x: float) -> float:
    return math.cos(x)


_SINGLE_LEAVES = {f.__name__: f for f in (log_unit, sincos_2pi, sincos, sin_any, cos_any)}


def _view_bits(x: float) -> np.int64:
    return np.float64(x).view(np.int64)


def _view_float(b: int) -> np.float64:
    return np.int64(b).view(np.float64)


class _Single(ast.NodeTransformer):
    """Float literals to ``np.float32(literal)``, ``np.float64`` to ``np.float32``."""

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if type(node.value) is float:
            call = ast.Call(
                func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="float32", ctx=ast.Load()),
                args=[node],
                keywords=[],
            )
            return ast.copy_location(call, node)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.Attribute:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "np" and node.attr == "float64":
            node.attr = "float32"
        return node


def single_source(source: str) -> str:
    """``source`` (Python text) with float32 literals (see the module docstring)."""
    tree = _Single().visit(ast.parse(source))
    return ast.unparse(ast.fix_missing_locations(tree))


def _scope(module_globals: Mapping[str, Any], target: str, precision: str) -> dict[str, Any]:
    scope = dict(module_globals)
    scope.update(np=np, math=math)
    if precision == "float32":
        scope.update({k: np.float32(v) for k, v in scope.items() if type(v) is float or isinstance(v, np.float64)})
    if target == "cuda":
        if on_simulator():
            scope.update(_bits=_view_bits, _from_bits=_view_float)
        else:
            from numba.cuda import libdevice

            scope.update(_bits=libdevice.double_as_longlong, _from_bits=libdevice.longlong_as_double)
    return scope


def _bare(definition: ast.FunctionDef) -> None:
    """Drop the decorators and the annotations of a leaf's definition: its source is executed again in the
    target's namespace, where the names of its annotations need not exist (and the float32 rewrite must not
    touch them)."""
    definition.decorator_list = []
    definition.returns = None
    args = definition.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if arg is not None:
            arg.annotation = None


def rebuild(sources: Mapping[str, Callable[..., Any]], target: str, precision: str) -> dict[str, Callable[..., Any]]:
    """``{name: Python function}``: each of ``sources`` (``{name: leaf function}``) recompiled from its source
    for ``target`` and ``precision``, leaves of one module sharing one namespace (not yet holding the
    compiled leaves: the caller adds them)."""
    scopes: dict[str, dict[str, Any]] = {}
    functions: dict[str, Callable[..., Any]] = {}
    for name, func in sources.items():
        origin = _SINGLE_LEAVES[name] if precision == "float32" and name in _SINGLE_LEAVES else func
        key = func.__module__
        if key not in scopes:
            scopes[key] = _scope(func.__globals__, target, precision)
        tree = ast.parse(textwrap.dedent(inspect.getsource(origin)))
        definition = tree.body[0]
        assert isinstance(definition, ast.FunctionDef)
        _bare(definition)
        text = ast.unparse(tree)
        if precision == "float32":
            text = single_source(text)
        exec(compile(text, f"<{key}.{name} for {target} {precision}>", "exec"), scopes[key])
        functions[name] = scopes[key][name]
    return functions
