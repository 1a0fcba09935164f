"""One argument at a time, every public entry point meets valid-normal, valid-extreme and invalid values.

The contract (fastspin.validation): a call either returns finite results (NaN only in the columns where NaN
means "did not happen", listed per entry point below) or raises a ValueError/TypeError whose message names the
parameter; never another exception from inside a kernel, never NaN in a physical result, never a run that does
not end (each call is timed).  Two refusals name the remedy rather than the value: a trajectory that diverges
names the step ``dt`` (any field large enough makes a given step unstable), and a charge-flux trajectory that
reaches a pole is the circuit's documented :class:`~fastspin.circuit.PoleError`.
"""

import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fastspin
from fastspin import mtj
from fastspin.circuit import EasyPlaneFreeLayer, FixedLayer, MTJCircuit, PoleError
from fastspin.circuit import trajectories as circuit_trajectories
from fastspin.dynamics import Exchange, FreeLayer, Pulse, SpinOrbit, System, simulate
from fastspin.materials import Ferromagnet, Interface, NormalMetal
from fastspin.scan.toml_spec import spec_from_toml
from fastspin.validation import StabilityWarning

TIME_BOUND_S = 60.0  # per call, compile included

#: values every number-valued argument meets: invalid ones (refused) and extreme ones (computed or refused)
INVALID = [math.nan, math.inf, -math.inf, True, "abc", "5e-8", None, 1 + 1j, [], [[1.0, 2.0]]]
EXTREME = [0.0, -0.0, 5e-324, 1e-300, 1e-200, -1e-200, 1e-30, 1e30, 1e200, 1e300, -1e300, 2.0**70, -1.0]


def values(normal):
    """Valid-normal (the default and nearby), valid-extreme and invalid values for one argument."""
    near = st.floats(0.5, 2.0).map(lambda f: normal * f) if isinstance(normal, float) else st.just(normal)
    return st.one_of(near, st.sampled_from(EXTREME), st.sampled_from(INVALID))


def check_call(call, name, value, nan_allowed=(), also=()):
    """Run ``call`` and hold it to the contract; ``name`` is the perturbed argument, ``also`` other names an
    error may give for it (a TOML key of the table that holds it)."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StabilityWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = call()
    except PoleError:
        return
    except (ValueError, TypeError) as err:
        text = str(err)
        if "diverged" in text and "dt = " in text:
            return
        words = [name.split(".")[-1].split("[")[0], *also]
        assert any(word.lower() in text.lower() for word in words), (
            f"{name}={value!r}: {type(err).__name__} names none of {words}: {err}"
        )
        return
    finally:
        assert time.perf_counter() - start < TIME_BOUND_S, f"{name}={value!r} took over {TIME_BOUND_S} s"
    if result is None:
        return
    frames = result if isinstance(result, tuple) else (result,)
    for part in frames:
        if isinstance(part, pd.DataFrame):
            numbers = part.drop(columns=[c for c in part.columns if c.split(".")[-1] in nan_allowed])
            numbers = numbers.select_dtypes("number").to_numpy(dtype=float)
        else:
            numbers = np.asarray(part, dtype=float)
        assert np.all(np.isfinite(numbers)), f"{name}={value!r} returned non-finite values"


# ---------------------------------------------------------------------------- transport
STACK = fastspin.presets.barnas2005("i")
TRANSPORT = {
    "N.thickness": 1e-8,
    "N.l_sf": 1e-6,
    "N.rho_star": 5e-9,
    "F2.thickness": 1e-8,
    "F2.l_sf": 6e-8,
    "F2.rho_star": 5.1e-8,
    "F2.beta": 0.51,
    "N|F2.r_star": 5.2e-16,
    "N|F2.gamma": 0.76,
    "N|F2.g_mix_real": 5.4e14,
    "N|F2.g_mix_imag": 1.6e13,
    "phi": 1.0,
}
COLLINEAR_NAN = ("a", "b")  # a = tau_phi / sin(phi) is undefined at phi = 0 without a phi sweep


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_transport_evaluate(data):
    name = data.draw(st.sampled_from(sorted(TRANSPORT)))
    value = data.draw(values(TRANSPORT[name]))
    params = {key: [normal] for key, normal in TRANSPORT.items()}
    params[name] = value if isinstance(value, (list, str)) or value is None else [value]
    check_call(lambda: fastspin.evaluate(STACK, params, current_density=1e11), name, value, COLLINEAR_NAN)


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_transport_current_and_angles(data):
    value = data.draw(values(1e11))
    check_call(
        lambda: fastspin.evaluate(STACK, {"phi": [0.5, 1.0]}, current_density=value),
        "current_density",
        value,
        COLLINEAR_NAN,
    )
    angles = data.draw(values(1.0))
    check_call(
        lambda: fastspin.torque_vs_angle(STACK, angles if isinstance(angles, list) else [angles]),
        "phi",
        angles,
        COLLINEAR_NAN,
    )


MATERIALS = {
    "rho_star": (lambda x: NormalMetal("Cu", x, 1e-6), 5e-9),
    "l_sf": (lambda x: Ferromagnet("Co", 5e-8, 0.5, x), 6e-8),
    "beta": (lambda x: Ferromagnet("Co", 5e-8, x, 6e-8), 0.5),
    "r_star": (lambda x: Interface(x, 0.7, 5e14), 5e-16),
    "gamma": (lambda x: Interface(5e-16, x, 5e14), 0.7),
    "g_mix": (lambda x: Interface(5e-16, 0.7, x), 5e14),
}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_materials(data):
    name = data.draw(st.sampled_from(sorted(MATERIALS)))
    build, normal = MATERIALS[name]
    value = data.draw(values(normal))
    check_call(lambda: build(value) and None, name, value)


# ---------------------------------------------------------------------------- MTJ electrode (Manchon 2012)
ELECTRODE = dict(
    thickness=2e-9, lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9, diffusion_ratio=1.0, j0=1.0
)


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_electrode_torque(data):
    name = data.draw(st.sampled_from(sorted(ELECTRODE)))
    value = data.draw(values(ELECTRODE[name]))
    method = data.draw(st.sampled_from(["engine", "closed_form"]))
    kwargs = {**ELECTRODE, name: value}
    thickness = kwargs.pop("thickness")
    check_call(lambda: mtj.electrode_torque(thickness, method=method, **kwargs), name, value, ("ratio",))


# ---------------------------------------------------------------------------- dynamics
LAYER = dict(ms=8e5, thickness=2e-9, alpha=0.01, anisotropy_field=0.02)
RUN = dict(current_density=1e11, m0=(0.9, 0.1, 0.3), duration=1e-11, dt=1e-12, temperature=0.0)
NOT_HAPPENED = ("switching_time", "first_crossing_time", "frequency", "mean_resistance", "orbit_energy_ratio")


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_simulate_layer(data):
    name = data.draw(st.sampled_from(sorted([*LAYER, *RUN, "field", "seed", "method"])))
    normal = {**LAYER, **RUN, "field": (0.0, 0.0, 0.01), "seed": 1, "method": "heun"}[name]
    value = data.draw(values(normal) if name != "method" else st.sampled_from(["rk4", "heun", "rk45", "euler", 1]))
    layer = {**LAYER}
    run = dict(RUN, field=(0.0, 0.0, 0.01), method="rk4")
    if name in LAYER:
        layer[name] = value
    elif name == "seed":
        run.update(method="heun", temperature=300.0, seed=value)
    else:
        run[name] = value

    def call():
        free = FreeLayer(**layer, area=1e-16)
        return simulate(free, **run)

    check_call(call, name, value, NOT_HAPPENED)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_simulate_system(data):
    name = data.draw(st.sampled_from(["bilinear", "spin_hall_angle", "amplitude", "width"]))
    normal = {"bilinear": -1e-4, "spin_hall_angle": 0.3, "amplitude": 1e11, "width": 2e-12}[name]
    value = data.draw(values(normal))
    given_ = {"bilinear": -1e-4, "spin_hall_angle": 0.3, "amplitude": 1e11, "width": 2e-12, name: value}

    def call():
        free, other = FreeLayer(**LAYER, name="a"), FreeLayer(**LAYER, name="b")
        system = System(
            [free, other], [Exchange("a", "b", given_["bilinear"]), SpinOrbit("a", given_["spin_hall_angle"])]
        )
        pulse = Pulse(given_["amplitude"], given_["width"])
        return simulate(
            system,
            sot_current_density=pulse,
            m0={"a": (0.9, 0.1, 0.3), "b": (-0.9, 0.1, 0.3)},
            duration=1e-11,
            dt=1e-12,
        )

    check_call(call, name, value, NOT_HAPPENED)


# ---------------------------------------------------------------------------- circuit (Louis 2025)
CIRCUIT_LAYER = dict(ms=1e6, volume=1e-24, alpha=0.01, hard_axis_field=1.0, easy_axis_field=0.01)
CIRCUIT_RUN = dict(duration=1e-11, dt=1e-13, min_sin_theta=1e-3)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_circuit(data):
    name = data.draw(st.sampled_from(sorted([*CIRCUIT_LAYER, *CIRCUIT_RUN])))
    value = data.draw(values({**CIRCUIT_LAYER, **CIRCUIT_RUN}[name]))
    layer = {**CIRCUIT_LAYER}
    run = {**CIRCUIT_RUN}
    (layer if name in layer else run)[name] = value

    def call():
        circuit = MTJCircuit(EasyPlaneFreeLayer(**layer), (FixedLayer(1e3, 2e3, (1.0, 0.0, 0.0)),))
        return circuit_trajectories(circuit, m0=(0.9, 0.3, 0.1), **run)

    check_call(call, name, value)


# ---------------------------------------------------------------------------- scan specifications
SPEC = """
[model]
kind = "transport"
preset = "barnas2005:fig5"

[scan]
chunk_size = {chunk_size}

[axes]
"N.thickness" = {{start = {start}, stop = {stop}, num = {num}, unit = "nm"}}
phi = [0.5, 1.0]
"""
SPEC_VALUES = dict(chunk_size=64, start=2, stop=20, num=3)


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_scan_spec(data):
    name = data.draw(st.sampled_from(sorted(SPEC_VALUES)))
    value = data.draw(
        st.one_of(st.sampled_from([0, -1, 1.5, 1e11, 10**15, "nan", "inf", "true", '"x"', "[]"]), st.integers(1, 50))
    )
    text = SPEC.format(**{**SPEC_VALUES, name: value})

    def call():
        spec = spec_from_toml(text)
        return fastspin.scan.run_scan(spec, progress=False) if spec.n_points <= 1000 else None

    check_call(call, name, value, also=["axes.N.thickness"] if name != "chunk_size" else [])


# ---------------------------------------------------------------------------- command line
#: options of ``fastspin switching --trajectories 0`` (the Fokker-Planck path: seconds, no integration) and
#: the words an error may name them by (the option, or the library parameter it becomes)
CLI_OPTIONS = {
    "--amplitude": (3, ["amplitude", "current_density"]),
    "--width": (3, ["width"]),
    "--temperature": (1, ["temperature"]),
    "--ms": (1, ["ms"]),
    "--thickness": (1, ["thickness"]),
    "--diameter": (1, ["diameter", "area"]),
    "--anisotropy-field": (1, ["anisotropy_field", "anisotropy-field"]),
    "--alpha": (1, ["alpha"]),
    "--efficiency": (1, ["efficiency"]),
}
CLI_DEFAULTS = {"--amplitude": ["6", "10", "2"], "--width": ["0.5", "5", "3"]}
CLI_VALUES = ["nan", "inf", "-1", "0", "1e300", "1e-300", "abc", "", "2.5", "1e30", "-1e30", "3"]


@settings(max_examples=40, deadline=None)
@given(st.data())
@pytest.mark.compiled
def test_command_line(data):
    import contextlib
    import io
    import tempfile

    from fastspin.cli import main

    option = data.draw(st.sampled_from(sorted(CLI_OPTIONS)))
    width, words = CLI_OPTIONS[option]
    values = list(CLI_DEFAULTS.get(option, ["1"] * width))
    position = data.draw(st.integers(0, width - 1))
    values[position] = data.draw(st.sampled_from(CLI_VALUES))
    stderr = io.StringIO()
    start = time.perf_counter()
    with (
        tempfile.TemporaryDirectory() as out,
        contextlib.redirect_stderr(stderr),
        contextlib.redirect_stdout(io.StringIO()),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            code = main(["switching", "--out", out, "--trajectories", "0", option, *values])
        except SystemExit as exit_:  # argparse refuses the value itself
            code = exit_.code
    assert time.perf_counter() - start < TIME_BOUND_S
    lines = stderr.getvalue().strip().splitlines()
    if code == 0:
        return
    assert len(lines) == 1 and lines[0].startswith("fastspin: error:"), (option, values, stderr.getvalue())
    assert any(word in lines[0] for word in [option, *words]), (option, values, lines[0])
