"""One physics source, two targets: the generated right-hand side of a system, composed of the leaf
functions of fastspin.dynamics.core, compiled as numba.cuda device functions (on numba's CUDA simulator, in
a subprocess so that the rest of the suite is unaffected) gives what the compiled CPU kernels integrate
(fast-math arithmetic there: equal to rounding)."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

pytest.importorskip("numba.cuda")

_SETUP = textwrap.dedent("""
    import numpy as np
    from fastspin.dynamics import (Exchange, FreeLayer, MTJ, MTJDrive, Pulse, Sine, SpinOrbit, SpinTransfer, System,
                                   VoltageControlledAnisotropy, SlonczewskiTorque)
    from fastspin.dynamics.api import _prepare
    from fastspin.dynamics.core.jit import namespace
    from fastspin.dynamics.cpu import KernelSource

    a = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, area=1e-16, name="a")
    b = FreeLayer(1e6, 3e-9, 0.02, anisotropy_field=0.01, easy_axis=(0, 0, 1), demag=(0, 0, 0.3), area=1e-16, name="b")
    c = FreeLayer(1e6, 3e-9, 0.0, name="c")
    terms = [
        Exchange("a", "b", -2e-4, 1e-5),
        SpinTransfer("a", "b", 0.3, 0.1, SlonczewskiTorque(0.4)),
        SpinOrbit("b", 0.2, field_like_ratio=-0.3),
        VoltageControlledAnisotropy("b", 0.05),
        MTJDrive("b", "c", MTJ(1e3, 2e3)),
    ]
    system = System([a, b, c], terms, fixed=["c"])
    m0 = {"a": (0.6, 0.8, 0.0), "b": (0.0, 0.6, 0.8), "c": (1.0, 0.0, 0.0)}
    _, _, compiled = _prepare(system, Pulse(2e11, 1e-9, 0.1e-9), 1e11, Sine(0.3, 2e9), np.array([0.01, 0.0, 0.002]),
                              m0, np.array(0.0), 1e-12, "rk4", None, None, None)
    source = KernelSource(compiled)
    times = np.array([0.0, 0.05e-9, 0.7e-9])
    state = (0.6, 0.8, 0.0, 0.0, 0.6, 0.8)
""")

_CUDA = _SETUP + textwrap.dedent("""
    import json
    from numba import cuda
    scope = namespace("cuda")
    scope.update(np=np, cuda=cuda)
    exec(source.rhs("@cuda.jit(device=True)"), scope)
    rhs = scope["rhs"]

    @cuda.jit
    def kernel(P, TB, ts, out):
        i = cuda.grid(1)
        if i < ts.shape[0]:
            d = rhs(ts[i], P, 0, TB, (), 0.6, 0.8, 0.0, 0.0, 0.6, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            for k in range(6):
                out[i, k] = d[k]

    out = np.zeros((len(times), 6))
    kernel[1, len(times)](compiled.P, compiled.tables, times, out)
    print(json.dumps(out.tolist()))
""")


def _cpu():
    """The right-hand side as the CPU kernels compile it (the generated module's ``rhs``)."""
    from fastspin.dynamics import cpu

    scope = {}
    exec(_SETUP, scope)
    rhs = cpu.kernels(scope["compiled"]).rhs
    compiled = scope["compiled"]
    return np.array(
        [
            rhs(t, compiled.P, 0, compiled.tables, (), *scope["state"], 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            for t in scope["times"]
        ]
    )


def test_generated_rhs_is_the_same_on_the_cpu_and_as_cuda_device_functions():
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1", NUMBA_DISABLE_JIT="1")
    run = subprocess.run([sys.executable, "-c", _CUDA], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    cuda = np.array(json.loads(run.stdout.strip().splitlines()[-1]))
    cpu = _cpu()
    assert np.abs(cpu).max() > 1e8  # a right-hand side that moves both magnets
    np.testing.assert_allclose(cuda, cpu, rtol=1e-12, atol=1e-12 * np.abs(cpu).max())
