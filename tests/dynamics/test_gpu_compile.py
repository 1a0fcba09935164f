"""The CUDA kernels as the GPU compiles them, checked without a GPU.

* Single precision: the float32 right-hand side (fastspin.dynamics.core.targets), compiled by Numba for the CPU
  with float32 inputs, returns float32 (no float64 literal or integer promotes the arithmetic).
* The real target: numba-cuda compiles the generated kernels of a system with every term to PTX for sm_90 (an
  H100/H200) through NVVM, with no GPU at hand: the physics is fully inlined (no ``call``), the state and the
  outcome trackers live in registers (no ``.local`` memory in float64), and the float32 kernel does its
  right-hand side in single precision (no float64 multiply).
"""

import os
import re
import types

import numpy as np
import pytest
from numba import njit
from numba import types as nt

from fastspin.dynamics import (
    MTJ,
    Exchange,
    FreeLayer,
    MTJDrive,
    Pulse,
    Sine,
    SlonczewskiTorque,
    SpinOrbit,
    SpinTransfer,
    System,
    TabulatedTorque,
    VoltageControlledAnisotropy,
    gpu,
)
from fastspin.dynamics.api import _prepare
from fastspin.dynamics.core.jit import namespace
from fastspin.dynamics.core.targets import single_source


def _compiled(method):
    angle = np.linspace(0.0, np.pi, 31)
    a = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, area=1e-16, name="a")
    b = FreeLayer(1e6, 3e-9, 0.02, anisotropy_field=0.01, easy_axis=(0, 0, 1), area=1e-16, name="b")
    c = FreeLayer(1e6, 3e-9, 0.0, area=1e-16, name="c")
    system = System(
        [a, b, c],
        [
            Exchange("a", "b", -2e-4, 1e-5),
            SpinTransfer(
                "a", "b", 0.3, 0.0, TabulatedTorque(angle, 0.3 + 0.1 * np.cos(angle), 0.02 * np.ones_like(angle))
            ),
            SpinTransfer("b", "c", 0.3, 0.1, SlonczewskiTorque(0.4)),
            SpinOrbit("b", 0.2, field_like_ratio=-0.3),
            VoltageControlledAnisotropy("b", 0.05),
            MTJDrive("b", "c", MTJ(1e3, 2e3)),
        ],
        fixed=["c"],
    )
    m0 = {"a": (0.6, 0.8, 0.0), "b": (0.0, 0.6, 0.8), "c": (1.0, 0.0, 0.0)}
    _, _, compiled = _prepare(
        system,
        Pulse(2e11, 1e-9, delay=0.1e-9),
        Sine(1e11, 2e9),
        0.2,
        np.array([0.01, 0.0, 0.002]),
        m0,
        np.array(300.0),
        1e-12,
        method,
        None,
        None,
        None,
    )
    return compiled


@pytest.mark.parametrize("precision, real", [("float32", nt.float32), ("float64", nt.float64)])
@pytest.mark.compiled
def test_right_hand_side_keeps_its_precision(precision, real):
    compiled = _compiled("heun")
    source = gpu.GpuSource(compiled).rhs("@njit")
    if precision == "float32":
        source = single_source(source)
    scope = namespace("cpu", precision)
    scope.update(np=np, njit=njit)
    exec(source, scope)
    rhs = scope["rhs"]
    dtype = np.float32 if precision == "float32" else np.float64
    state = [dtype(x) for x in (0.6, 0.8, 0.0, 0.0, 0.6, 0.8)]
    noise = [dtype(1e-3)] * 6
    P = gpu._device_parameters(compiled.P, dtype)  # the step slope of the pulse clamped in float32
    result = rhs(dtype(1e-10), P, 0, compiled.tables.astype(dtype), (), *state, *noise)
    assert np.abs(result).max() > 1e8  # both magnets move
    signature = rhs.nopython_signatures[0]
    assert signature.return_type == nt.UniTuple(real, 6)


def _nvvm():
    try:
        from numba.cuda.cudadrv import nvvm

        nvvm.NVVM()
        return True
    except Exception:
        return False


@pytest.mark.skipif(
    os.environ.get("CI") != "true" and not _nvvm(), reason="needs numba-cuda and NVVM (pip install 'fastspin[cuda]')"
)
@pytest.mark.parametrize("method", ["rk4", "heun"])
@pytest.mark.parametrize("precision", ["float64", "float32"])
def test_kernels_compile_to_ptx_for_sm90(monkeypatch, method, precision):
    from numba import cuda
    from numba.cuda import dispatcher

    # device functions are compiled for the current device's compute capability: there is none here
    monkeypatch.setattr(dispatcher, "get_current_device", lambda: types.SimpleNamespace(compute_capability=(9, 0)))
    compiled = _compiled(method)
    kernel = getattr(gpu.kernels(compiled, precision), f"{method}_kernel")
    real = nt.float32 if precision == "float32" else nt.float64
    signature = (
        [nt.Array(real, 2, "C"), nt.Array(real, 1, "C"), nt.Array(real, 2, "C")]
        + ([nt.Array(nt.uint64, 2, "C")] if method == "heun" else [])
        + [real]
        + [nt.int64] * 5
        + [real, nt.int64, nt.Array(real, 4, "C"), nt.Array(nt.float64, 2, "C")]
    )
    ptx, _ = cuda.compile_ptx(kernel.py_func, tuple(signature), cc=(9, 0))
    body = ptx[ptx.index(".entry") :]
    assert not re.search(r"\bcall(\.uni)?\b", body)  # every leaf inlined
    if precision == "float64":
        assert ".local" not in body  # state and trackers in registers
        assert len(re.findall(r"\bfma\.rn\.f64\b", body)) > 100
    else:  # the right-hand side and the steps in float32; only the outcome trackers accumulate in float64
        single = len(re.findall(r"\b(?:mul|fma|add|sub)(?:\.rn)?\.f32\b", body))
        double = len(re.findall(r"\b(?:mul|fma|add|sub)(?:\.rn)?\.f64\b", body))
        assert single > 500 and double < 0.15 * single, (single, double)
