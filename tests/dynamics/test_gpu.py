"""The CUDA backend against the CPU kernels: the same leaf physics, steps and random streams.

The CUDA kernels run on numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``) in a subprocess, so that the rest of
the suite keeps the real target; every case below runs there with ``backend="cuda"`` and here with
``backend="cpu"``.  The CPU kernels contract multiply-adds (fast math), the simulator does not: the two agree to
rounding, amplified over the run.  Deterministic RK4 must agree to 1e-12 in m and every outcome column (times,
frequencies and resistances relative), seeded Heun step by step to 1e-12; a batch split into chunks equals one
chunk bitwise;
float32 stays within its rounding of float64.
"""

import json
import os
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

if os.environ.get("CI") != "true":  # CI installs fastspin[cuda] and must run these
    pytest.importorskip("numba_cuda", reason="the CUDA backend's tests need numba-cuda (pip install 'fastspin[cuda]')")

CASES = textwrap.dedent('''
    import math

    import numpy as np

    from fastspin import Layer, Stack
    from fastspin.dynamics import (AsymmetricTorque, Dipolar, Exchange, FreeLayer, MTJ, MTJDrive, PiecewiseLinear,
                                   Pulse, Sine, SlonczewskiTorque, SpinOrbit, SpinTransfer, Staircase, System,
                                   TabulatedTorque,
                                   TransportTorque, VoltageControlledAnisotropy, simulate, trajectories)
    from fastspin.materials import CO_CU, COBALT, COPPER

    N = 6
    LAYER = FreeLayer(8e5, 2e-9, 0.02, anisotropy_field=0.05, demag=(0.0, 0.0, 1.0), area=1e-16)
    RUN = dict(duration=300e-12, dt=1e-12, window=0.5)
    CURRENT = np.linspace(-6e11, 6e11, N)
    ANGLE = np.linspace(0.0, math.pi, 91)
    TORQUES = {"constant": "constant", "slonczewski": SlonczewskiTorque(0.4),
               "asymmetric": AsymmetricTorque(0.35, 2.0),
               "tabulated": TabulatedTorque(ANGLE, 0.3 + 0.1 * np.cos(ANGLE), 0.05 * np.sin(ANGLE) + 0.02)}


    def layer_torque(backend, name, **extra):
        return simulate(LAYER, current_density=CURRENT, torque=TORQUES[name],
                        field_like_ratio=0.0 if name == "tabulated" else 0.1,
                        field=(0.02, 0.0, 0.004), m0=(0.9, 0.3, 0.3), backend=backend, **RUN, **extra)


    def layer_waveforms(backend, **extra):
        pulse = Pulse(8e11, 120e-12, rise=10e-12, fall=0.0, delay=40e-12)
        current = pulse + PiecewiseLinear([0.0, 300e-12], [0.0, 1e11])
        field = Sine((0.0, 0.004, 0.0), 9e9) + Staircase((0.0, 0.0, 0.01), 3, 50e-12, delay=0.25e-12)
        return simulate(LAYER, current_density=current, field=field, ac_field=(0.002, 0, 0),
                        ac_frequency=5e9, polarization=(0.0, 0.0, 1.0), m0=(0.0, 0.1, 0.995), backend=backend, **RUN,
                        **extra)


    def layer_mtj(backend, **extra):
        return simulate(LAYER, voltage=np.linspace(-0.4, 0.4, N), mtj=MTJ(1e3, 2e3), m0=(0.95, 0.3, 0.1),
                        field=(0.0, 0.002, 0.0), backend=backend, **RUN, **extra)


    def coupled():
        a = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02, area=1e-16, name="a")
        b = FreeLayer(1e6, 3e-9, 0.02, anisotropy_field=0.01, easy_axis=(0, 0, 1), demag=(0, 0, 0.3), area=1e-16,
                      name="b")
        c = FreeLayer(1e6, 3e-9, 0.0, area=1e-16, name="c")
        tensor = np.array([[0.02, 0.0, 0.0], [0.0, 0.03, 0.0], [0.0, 0.0, -0.05]])
        return System([a, b, c], [Exchange("a", "b", -2e-4, 1e-5), Dipolar("a", "b", tensor),
                                  SpinTransfer("a", "b", 0.3, 0.1, SlonczewskiTorque(0.4)),
                                  SpinOrbit("b", 0.2, field_like_ratio=-0.3), VoltageControlledAnisotropy("b", 0.05),
                                  MTJDrive("b", "c", MTJ(1e3, 2e3))], fixed=["c"])


    COUPLED_M0 = {"a": (0.6, 0.8, 0.0), "b": (0.0, 0.6, 0.8), "c": (1.0, 0.0, 0.0)}


    def coupled_drives():
        return dict(current_density=Pulse(np.linspace(1e11, 4e11, N), 100e-12, delay=80e-12),
                    sot_current_density=Sine(2e11, 7e9) + 5e10,
                    voltage=PiecewiseLinear([0.0, 150e-12, 300e-12], [0.0, 0.3, -0.1]),
                    field=np.column_stack([np.linspace(0.0, 0.02, N), np.zeros(N), np.full(N, 0.003)]))


    def system_terms(backend, **extra):
        return simulate(coupled(), m0=COUPLED_M0, backend=backend, **coupled_drives(), **RUN, **extra)


    def system_record(backend, **extra):
        return trajectories(coupled(), m0=COUPLED_M0, record_every=25, backend=backend, **coupled_drives(), **RUN,
                            **extra)


    def valve(method):
        """Co 8 nm / Cu 10 nm / Co 4 nm between Cu leads, both Co layers free, with the transport torque."""
        layers = [Layer("L", COPPER, math.inf), Layer("F1", COBALT, 8e-9, (0, 0, 1)), Layer("N", COPPER, 10e-9),
                  Layer("F2", COBALT, 4e-9, (0, 1, 0)), Layer("R", COPPER, math.inf)]
        magnets = [FreeLayer(1.4e6, d, 0.01, name=n) for n, d in (("a", 8e-9), ("b", 4e-9))]
        return System(magnets, [TransportTorque(Stack(layers, (CO_CU,) * 4), {"F1": "a", "F2": "b"}, method=method,
                                                angles=129)])


    def transport_table(backend, **extra):
        system = valve("table")
        return simulate(system, current_density=np.linspace(-3e11, 3e11, N), field=(0.01, 0.0, 0.0),
                        m0={"a": (0.0, 0.6, 0.8), "b": (1.0, 0.0, 0.0)}, backend=backend, **RUN, **extra)


    def heun_layer(backend, **extra):
        return trajectories(LAYER, current_density=CURRENT, field=(0.02, 0.0, 0.0), m0=(1.0, 0.0, 0.0),
                            temperature=300.0, seed=11, method="heun", record_every=1, duration=60e-12, dt=1e-12,
                            backend=backend, **extra)


    def heun_system(backend, **extra):
        return simulate(coupled(), m0=COUPLED_M0, temperature=np.linspace(0.0, 400.0, N), seed=5, method="heun",
                        backend=backend, **coupled_drives(), **RUN, **extra)


    def state_map(backend):
        from fastspin.scan.phase import dynamic_state_map

        return dynamic_state_map(np.linspace(-1.2e13, 1.2e13, 3), np.array([-0.05, 0.05]), duration=0.2e-9, dt=1e-12,
                                 progress=False, backend=backend)


    def switching(backend):
        from fastspin.dynamics import Pulse
        from fastspin.experiments import switching_probability

        pma = FreeLayer(1e6, 1e-9, 0.05, anisotropy_field=0.3, easy_axis=(0, 0, 1), demag=(0, 0, 0), area=1e-15)
        return switching_probability(pma, current_density=Pulse(np.array([5e11, 2e12]), 0.2e-9),
                                     polarization=(0, 0, 1), temperature=300.0, n_trajectories=8, seed=2,
                                     relax=0.1e-9, backend=backend)


    CASES = {"constant": lambda b, **k: layer_torque(b, "constant", **k),
             "slonczewski": lambda b, **k: layer_torque(b, "slonczewski", **k),
             "asymmetric": lambda b, **k: layer_torque(b, "asymmetric", **k),
             "tabulated": lambda b, **k: layer_torque(b, "tabulated", **k),
             "waveforms": layer_waveforms, "mtj": layer_mtj, "system_terms": system_terms,
             "system_record": system_record, "transport_table": transport_table, "heun_layer": heun_layer,
             "heun_system": heun_system, "state_map": state_map, "switching": switching}
''')

_CHILD = CASES + textwrap.dedent("""
    import pickle
    import sys

    from fastspin.dynamics import gpu
    from fastspin.dynamics.api import _prepare

    results = {name: case("cuda") for name, case in CASES.items()}
    results["state_map_auto"] = state_map("auto")  # a usable (simulated) GPU
    results["rk45_auto"] = layer_torque("auto", "constant", method="rk45")  # not on the GPU: the CPU runs it
    results["float32"] = layer_torque("cuda", "slonczewski", precision="float32")
    results["float32_heun"] = heun_layer("cuda", precision="float32")

    # chunking: one heun batch of 7 in one chunk, in chunks of 3 (partial last chunk) and of 1
    _, _, compiled = _prepare(LAYER, np.linspace(-6e11, 6e11, 7), 0.0, None, np.array([0.02, 0.0, 0.0]),
                              (1.0, 0.0, 0.0), np.array(300.0), 1e-12, "heun", None, None,
                              dict(polarization=(1.0, 0.0, 0.0), torque="constant", efficiency=None,
                                   field_like_ratio=0.0, mtj=None))
    runs = [gpu.run(compiled, "heun", 1e-12, 40, 20, 30, 0.0, 4, seed=3, chunk_size=chunk) for chunk in (None, 3, 1)]
    results["chunks"] = runs
    with open(sys.argv[1], "wb") as f:
        pickle.dump(results, f)
""")


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """Every case on the CUDA simulator (one subprocess)."""
    path = tmp_path_factory.mktemp("cudasim") / "results.pkl"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], env=env, capture_output=True, text=True, timeout=1200
    )
    assert run.returncode == 0, run.stderr[-4000:]
    with open(path, "rb") as f:
        return pickle.load(f)


@pytest.fixture(scope="module")
def cases():
    scope = {}
    exec(CASES, scope)
    return scope


_RELATIVE = ("switching_time", "first_crossing_time", "frequency", "mean_resistance", "duration")


def _assert_frames_equal(cpu, cuda, tol=1e-12):
    assert list(cpu.columns) == list(cuda.columns)
    for column in cpu.columns:
        a, b = cpu[column].to_numpy(), cuda[column].to_numpy()
        if a.dtype.kind in "fc":
            assert np.array_equal(np.isnan(a), np.isnan(b)), column
            finite = ~np.isnan(a)
            if column.endswith(_RELATIVE):
                scale = np.abs(a[finite]).max(initial=0.0)  # times (s), frequencies (Hz), resistances (Ohm)
            else:
                scale = 1.0  # m and its averages, ranges, counts
            assert np.abs(a[finite] - b[finite]).max(initial=0.0) <= tol * scale, column
        else:
            assert (cpu[column].astype(str) == cuda[column].astype(str)).all(), column


@pytest.mark.parametrize(
    "name",
    [
        "constant",
        "slonczewski",
        "asymmetric",
        "tabulated",
        "waveforms",
        "mtj",
        "system_terms",
        "transport_table",
        "heun_system",
    ],
)
def test_outcomes_on_the_gpu_equal_the_cpu(simulated, cases, name):
    cpu = cases["CASES"][name]("cpu")
    _assert_frames_equal(cpu, simulated[name])
    assert (
        cpu.filter(like="switched").to_numpy().any()
        or name in ("mtj", "heun_system", "transport_table")
        or cpu.filter(like="frequency").notna().to_numpy().any()
    )  # runs that move, not only rest


@pytest.mark.parametrize("name", ["state_map", "switching"])
def test_workflows_on_the_gpu_equal_the_cpu(simulated, cases, name):
    """A state map through run_scan (with its reruns of unsettled points) and switching statistics."""
    cpu = cases["CASES"][name]("cpu")
    _assert_frames_equal(cpu, simulated[name])
    if name == "switching":
        assert cpu["switched"].tolist() != [0, 0]  # the ensembles switch
    else:
        _assert_frames_equal(cpu, simulated["state_map_auto"])


def test_auto_runs_on_the_cpu_what_the_gpu_does_not(simulated, cases):
    cpu = cases["layer_torque"]("cpu", "constant", method="rk45")
    _assert_frames_equal(cpu, simulated["rk45_auto"], tol=0.0)  # the same CPU kernel: bitwise


def test_scans_refuse_what_they_cannot_run():
    from fastspin.cli import _build_parser
    from fastspin.scan import Axis, ScanSpec, TransportModel, run_scan

    spec = ScanSpec(TransportModel(), [Axis.linspace("phi", 0.0, 1.0, 3)])
    with pytest.raises(ValueError, match="backend='cuda': model 'transport' runs on the CPU only"):
        run_scan(spec, backend="cuda", progress=False)
    with pytest.raises(ValueError, match="backend must be one of"):
        run_scan(spec, backend="gpu", progress=False)
    assert len(run_scan(spec, backend="auto", progress=False)) == 3
    args = _build_parser().parse_args(["switching", "--backend", "auto", "--out", "x"])
    assert args.backend == "auto"


def test_states_cover_motion(cases, simulated):
    """The deterministic cases switch, precess and rest: the comparison covers every tracker."""
    states = set()
    for name in ("constant", "slonczewski", "asymmetric", "tabulated", "waveforms", "system_terms"):
        frame = simulated[name]
        states |= set(frame.filter(like="state").astype(str).to_numpy().ravel())
    assert len(states) >= 3, states


def test_recorded_traces_equal_step_by_step(simulated, cases):
    t_cpu, m_cpu = cases["system_record"]("cpu")
    t_gpu, m_gpu = simulated["system_record"]
    np.testing.assert_array_equal(t_cpu, t_gpu)
    assert np.abs(m_cpu - m_gpu).max() < 1e-12
    t_cpu, m_cpu = cases["heun_layer"]("cpu")
    t_gpu, m_gpu = simulated["heun_layer"]
    assert m_gpu.shape == m_cpu.shape == (6, 61, 3)
    assert np.abs(np.diff(m_cpu, axis=1)).max() > 1e-3  # the thermal field moves every step
    assert np.abs(m_cpu - m_gpu).max() < 1e-12  # the same random numbers, step by step


def test_chunks_equal_one_chunk(simulated):
    (out_one, rec_one), *split = simulated["chunks"]
    assert rec_one.shape == (7, 11, 1, 3)
    for out, rec in split:
        np.testing.assert_array_equal(out, out_one)
        np.testing.assert_array_equal(rec, rec_one)


def test_single_precision_rounds_at_float32(simulated, cases):
    cpu = cases["layer_torque"]("cpu", "slonczewski")
    single = simulated["float32"]
    error = np.abs(cpu[["mx", "my", "mz"]].to_numpy() - single[["mx", "my", "mz"]].to_numpy()).max()
    assert 1e-9 < error < 1e-4  # single precision, and within its rounding over 300 steps
    assert (cpu["state"].astype(str) == single["state"].astype(str)).all()
    _, m64 = cases["heun_layer"]("cpu")
    _, m32 = simulated["float32_heun"]
    assert np.abs(m64 - m32).max() < 1e-4


def test_missing_gpu_is_one_clear_error(monkeypatch, cases):
    from fastspin.dynamics import backends

    monkeypatch.setattr(backends, "cuda_available", lambda: (False, "no CUDA driver or no NVIDIA GPU"))
    with pytest.raises(ValueError, match=r"backend='cuda' needs an NVIDIA GPU .*pip install 'fastspin\[cuda\]'"):
        cases["layer_mtj"]("cuda")
    frame = cases["layer_mtj"]("auto")  # falls back to the CPU
    pd.testing.assert_frame_equal(frame, cases["layer_mtj"]("cpu"))
    with pytest.raises(ValueError, match="precision='float32' runs on backend='cuda' only"):
        cases["layer_mtj"]("cpu", precision="float32")
    with pytest.raises(ValueError, match="backend must be one of"):
        cases["layer_mtj"]("gpu")


def test_unsupported_methods_are_refused_before_running(cases):
    from fastspin.dynamics import gpu
    from fastspin.dynamics.api import _prepare

    _, _, compiled = _prepare(
        cases["LAYER"],
        1e11,
        0.0,
        None,
        np.zeros(3),
        (1.0, 0.0, 0.0),
        np.array(0.0),
        1e-12,
        "rk45",
        None,
        None,
        dict(polarization=(1.0, 0.0, 0.0), torque="constant", efficiency=None, field_like_ratio=0.0, mtj=None),
    )
    with pytest.raises(ValueError, match="method='rk45' runs on backend='cpu' only"):
        gpu.check(compiled, "rk45")
    gpu.check(compiled, "rk4")
    _, _, solve = _prepare(
        cases["valve"]("solve"),
        1e11,
        0.0,
        None,
        np.zeros(3),
        {"a": (1.0, 0.0, 0.0), "b": (0.0, 1.0, 0.0)},
        np.array(0.0),
        1e-12,
        "rk4",
        None,
        None,
        None,
    )
    with pytest.raises(ValueError, match=r"TransportTorque\(method='solve'\) runs on backend='cpu' only"):
        gpu.check(solve, "rk4")
    with pytest.raises(ValueError, match="MAX_STEPS_FLOAT32"):  # a float32 time resolves 2^20 steps
        gpu.check(compiled, "rk4", gpu.MAX_STEPS_FLOAT32 + 1, "float32")
    gpu.check(compiled, "rk4", gpu.MAX_STEPS_FLOAT32 + 1, "float64")


@pytest.mark.compiled
def test_gpu_benchmark_script_runs(tmp_path):
    """benchmarks/gpu_benchmark.py, the one command for a GPU machine, at its smoke sizes on the simulator."""
    script = os.path.join(os.path.dirname(__file__), "..", "..", "benchmarks", "gpu_benchmark.py")
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    run = subprocess.run(
        [sys.executable, script, "--smoke", "--json", str(tmp_path / "figures.json")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "| RK4 float64, constant torque | 256 | 100 |" in run.stdout
    assert "same states and switching: True" in run.stdout
    with open(tmp_path / "figures.json") as f:
        figures = json.load(f)
    assert figures["float32_error"]["max_abs_dm"] < 1e-4
