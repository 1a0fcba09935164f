"""Extreme and malformed inputs that once crashed a kernel, hung, returned NaN or were silently accepted.

Each test pins one such case: the call now returns finite values or raises a ValueError/TypeError naming
the parameter (and, for a range, the supported range).
"""

import re
import shutil
import tracemalloc
import warnings

import numpy as np
import pandas as pd
import pytest

import fastspin
from fastspin import evaluate, mtj
from fastspin.circuit import EasyPlaneFreeLayer, FixedLayer, MTJCircuit, NgspiceError, run_ngspice, write_netlist
from fastspin.circuit import trajectories as circuit_trajectories
from fastspin.dynamics import FreeLayer, StabilityWarning, api, simulate, trajectories
from fastspin.materials import Ferromagnet, Interface, NormalMetal
from fastspin.scan.errors import SpecError
from fastspin.scan.toml_spec import spec_from_toml
from fastspin.transport import profile

STACK = fastspin.presets.barnas2005("i")
LAYER = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.02)
RUN = dict(duration=1e-9, dt=1e-12)
ELECTRODE = dict(lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9)


def finite(frame):
    return np.isfinite(frame.select_dtypes("number").to_numpy()).all()


# ---------------------------------------------------------------------------- transport and MTJ kernels
@pytest.mark.parametrize(
    "key, value",
    [
        ("N.l_sf", 5e-324),
        ("N.thickness", 1e-200),
        ("N.l_sf", 1e-200),
        ("N.rho_star", 1e-200),
        ("F2.l_sf", 1e300),
        ("N|F2.r_star", 1e-300),
    ],
)
def test_lengths_and_resistivities_outside_the_supported_range_are_refused(key, value):
    field = key.split(".")[-1]
    low, high, unit = fastspin.validation.TRANSPORT_RANGES[field]
    with pytest.raises(ValueError, match=re.escape(f"'{key}': {field} must be in [{low:.3g}, {high:.3g}] {unit}")):
        evaluate(STACK, {key: [value], "phi": 1.0})


def test_every_corner_of_the_supported_ranges_is_finite_or_refused_by_name():
    """The corners of the spin valve's ranges, all parameters at once: finite torques, or (where the layers'
    conductances differ beyond double precision) a ValueError naming the point; never a kernel exception."""
    ranges = fastspin.validation.TRANSPORT_RANGES
    keys = {
        "N.thickness": "thickness",
        "N.l_sf": "l_sf",
        "N.rho_star": "rho_star",
        "F2.thickness": "thickness",
        "F2.l_sf": "l_sf",
        "F2.rho_star": "rho_star",
        "N|F2.r_star": "r_star",
        "N|F2.g_mix_real": "g_mix",
    }
    rng = np.random.default_rng(7)
    refused = 0
    for _ in range(40):
        params = {
            key: [
                ranges[field][rng.integers(2)]
                if rng.random() < 0.7
                else 10 ** rng.uniform(np.log10(max(ranges[field][0], 1e-30)), np.log10(ranges[field][1]))
            ]
            for key, field in keys.items()
        }
        try:
            frame = evaluate(STACK, {**params, "phi": 1.0})
        except ValueError as err:
            assert "double precision" in str(err) and "point 0" in str(err)
            refused += 1
            continue
        assert finite(frame)
    assert refused < 40


@pytest.mark.parametrize("method", ["engine", "closed_form"])
def test_electrode_lengths_outside_the_range_are_refused(method):
    with pytest.raises(ValueError, match=r"thickness must be in \[1e-15, 1e\+03\] m"):
        mtj.electrode_torque(1e-30, method=method, **ELECTRODE)
    with pytest.raises(ValueError, match="lambda_j must be in"):
        mtj.electrode_torque(2e-9, method=method, **{**ELECTRODE, "lambda_j": 1e-200})


def test_a_system_singular_to_rounding_is_a_named_error_not_a_kernel_exception():
    # a 1 km magnet that dephases within a femtometre beside a metal of 1e10 times its diffusion constant
    with pytest.raises(ValueError, match="double precision"):
        mtj.electrode_torque(
            1e3, lambda_j=1e3, lambda_phi=1e-15, lambda_sf_f=1e3, lambda_sf_n=1e3, diffusion_ratio=1e-10
        )


def test_huge_mixing_conductance_and_fermi_energy_are_refused():
    with pytest.raises(ValueError, match="g_mix"):
        evaluate(STACK, {"N|F2.g_mix_real": [1e300], "phi": 1.0})
    with pytest.raises(ValueError, match="g_mix"):
        Interface(5e-16, 0.7, 1e300)
    with pytest.raises(ValueError, match=r"fermi_energy must be in \[1e-22, 1e-15\] J"):
        fastspin.presets.barnas2005("i", fermi_energy=1e300)


def test_collinear_stack_without_phi_has_finite_torque_components():
    frame = evaluate(STACK, {"N.thickness": [5e-9, 1e-8]})  # F1 and F2 both along z
    assert np.all(frame[["tau_phi", "tau_x"]].to_numpy() == pytest.approx(0.0, abs=1e-15))
    assert frame[["a", "b"]].isna().all().all()  # the documented exception: no rotation plane


def test_direction_override_of_huge_length_is_normalised_before_the_kernel():
    big = evaluate(STACK, {"F2.direction": [[1e200, 1e200, 0.0]]})
    unit = evaluate(STACK, {"F2.direction": [[1.0, 1.0, 0.0]]})
    assert finite(big)
    np.testing.assert_allclose(big["tau_phi"], unit["tau_phi"], rtol=1e-14)


# ---------------------------------------------------------------------------- types and shapes
@pytest.mark.parametrize(
    "build, word",
    [
        (lambda: NormalMetal("Cu", None, 1e-9), "rho_star"),
        (lambda: NormalMetal("Cu", "abc", 1e-9), "rho_star"),
        (lambda: Ferromagnet("Co", "5e-8", 0.5, 1e-9), "rho_star"),
        (lambda: Ferromagnet("Co", 5e-8, True, 1e-9), "beta"),
        (lambda: Interface(True, 0.7, 5e14), "r_star"),
        (lambda: Interface(5e-16, 0.7, "5e14"), "g_mix"),
        (lambda: simulate(LAYER, current_density=True, **RUN), "current_density"),
        (lambda: simulate(LAYER, current_density="1e11", **RUN), "current_density"),
        (lambda: evaluate(STACK, {"phi": [1 + 1j]}), "phi"),
        (lambda: evaluate(STACK, {"phi": [True]}), "phi"),
        (lambda: evaluate(STACK, {"phi": [0.1, 0.2, 0.3]}, current_density=[1, 2]), "current_density"),
        (lambda: profile(STACK, {"phi": 1.0}, points_per_layer=-1), "points_per_layer"),
        (lambda: profile(STACK, {"phi": 1.0}, points_per_layer=0), "points_per_layer"),
        (lambda: profile(STACK, {"phi": 1.0}, lead_length=-1), "lead_length"),
    ],
)
def test_bools_strings_complex_and_bad_shapes_are_refused_by_name(build, word):
    with pytest.raises(ValueError, match=word):
        build()


def test_a_missing_stack_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="stack must be a fastspin.Stack"):
        fastspin.torque_vs_angle(None, [1.0])


# ---------------------------------------------------------------------------- work bounds and steps
@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(method="rk45", max_step=1e-30, duration=1e-12, dt=1e-12), "max_step"),
        (dict(duration=3.0, dt=1e-12), "MAX_STEPS"),
        (dict(duration=1e300, dt=1e-300), "MAX_STEPS"),
        (dict(duration=1e-9, dt=1e-30), "MAX_STEPS"),
        (dict(duration=1e-9, dt=1e-12, method="heun", seed=2**70), "seed"),
    ],
)
def test_runs_that_would_not_end_or_overflow_are_refused(kwargs, word):
    with pytest.raises(ValueError, match=word):
        simulate(LAYER, **kwargs)


def test_record_every_beyond_any_run_is_refused():
    with pytest.raises(ValueError, match="record_every"):
        trajectories(LAYER, record_every=10**19, **RUN)


def test_a_toml_step_count_beyond_the_limit_is_refused_when_the_spec_is_read():
    text = """
[model]
kind = "dynamics"
preset = "fig5"
dt = 1e-300

[axes]
current_density = [1e11, 2e11]
"""
    with pytest.raises(SpecError, match="model.dt"):
        spec_from_toml(text)


# ---------------------------------------------------------------------------- stability
def test_a_step_beyond_the_stable_range_warns_and_names_a_step_that_converges():
    drive = dict(current_density=1e15, efficiency=0.4, m0=(0.99, 0.1, 0.0), duration=1e-10)
    with pytest.warns(StabilityWarning, match=r"gamma\*B_max\*dt = 14\.\d") as caught:
        coarse = simulate(LAYER, dt=1e-12, **drive)
    suggested = float(str(caught[0].message).rsplit("dt <= ", 1)[1].split(" s")[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", StabilityWarning)
        fine = simulate(LAYER, dt=1e-13, **drive)
        finer = simulate(LAYER, dt=2.5e-14, **drive)
    assert 1e-13 <= suggested < 2e-13
    assert fine.state[0] == finer.state[0] == "antiparallel" != coarse.state[0]
    assert fine.mx[0] == pytest.approx(finer.mx[0], abs=1e-6)


def test_rate_bound_is_the_precession_rate_of_the_demagnetizing_and_anisotropy_fields():
    # thin film along x: the largest stiffness is gamma (mu0 Ms + B_k) / (1 + alpha^2) about the equilibrium
    from fastspin.constants import GAMMA_E, MU0

    with warnings.catch_warnings():
        warnings.simplefilter("error", StabilityWarning)
        simulate(LAYER, m0=(1.0, 0.0, 0.0), duration=1e-12, dt=1e-12)
    system, drives, compiled = api._prepare(
        LAYER,
        0.0,
        0.0,
        None,
        np.zeros(3),
        (1.0, 0.0, 0.0),
        np.zeros(1),
        1e-12,
        "rk4",
        None,
        None,
        dict(polarization=(1.0, 0.0, 0.0), torque="constant", efficiency=None, field_like_ratio=0.0, mtj=None),
    )
    rate, _ = fastspin.dynamics.cpu.rate_bound(compiled, 1e-9)
    expected = GAMMA_E * (MU0 * 8e5 + 0.02) / (1 + 0.01**2)
    assert rate == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("kwargs", [dict(layer=FreeLayer(1e20, 2e-9, 0.01)), dict(current_density=1e30)])
def test_a_diverging_integration_is_an_error_not_nan(kwargs):
    layer = kwargs.pop("layer", LAYER)
    with pytest.warns(StabilityWarning), pytest.raises(ValueError, match=r"trajectory 0 .*diverged.*take dt <="):
        simulate(layer, m0=(0.9, 0.1, 0.3), **kwargs, **RUN)


# ---------------------------------------------------------------------------- vectors
def test_vectors_are_normalised_without_overflow_or_underflow():
    reference = simulate(
        LAYER, m0=(0.0, 0.0, 1.0), current_density=1e11, polarization=(1.0, 1.0, 0.0), duration=1e-11, dt=1e-12
    )
    for m0, polarization in (((0.0, 0.0, 1.35e154), (1e200, 1e200, 0.0)), ((0.0, 0.0, 1e-200), (1e-200, 1e-200, 0))):
        frame = simulate(LAYER, m0=m0, current_density=1e11, polarization=polarization, duration=1e-11, dt=1e-12)
        np.testing.assert_allclose(frame[["mx", "my", "mz"]], reference[["mx", "my", "mz"]], rtol=0, atol=1e-15)


CIRCUIT = MTJCircuit(EasyPlaneFreeLayer(1e6, 1e-24, 0.01, 1.0, 0.01), (FixedLayer(1e3, 2e3, (1.0, 0.0, 0.0)),))


def test_circuit_takes_a_huge_equatorial_m0_and_integer_durations():
    t, q, _ = circuit_trajectories(CIRCUIT, m0=(1e200, 1e200, 0.0), duration=1e-12, dt=1e-13)
    assert np.all(np.isfinite(q))
    assert "TRAN" in write_netlist(CIRCUIT, m0=(1.0, 1.0, 0.0), duration=np.int64(1)).upper()


def test_circuit_numbers_are_refused_by_name():
    with pytest.raises(ValueError, match="min_sin_theta"):
        circuit_trajectories(CIRCUIT, m0=(1.0, 1.0, 0.0), duration=1e-12, dt=1e-13, min_sin_theta="a")
    with pytest.raises(ValueError, match="volume"):
        EasyPlaneFreeLayer(1e6, True, 0.01, 1.0)


@pytest.mark.skipif(shutil.which("ngspice") is None, reason="ngspice is not installed")
def test_an_ngspice_timeout_is_an_ngspice_error_naming_the_timeout():
    with pytest.raises(NgspiceError, match="timeout"):
        run_ngspice(CIRCUIT, m0=(1.0, 1.0, 0.1), duration=1e-7, timeout=1e-3)


# ---------------------------------------------------------------------------- memory of large batches
def test_a_large_batch_runs_in_chunks_with_the_same_results(monkeypatch):
    n = 1000
    layer = FreeLayer(np.linspace(7e5, 9e5, n), 2e-9, 0.01, anisotropy_field=0.02, area=1e-16)
    kwargs = dict(
        current_density=np.linspace(0, 1e12, n),
        m0=(0.99, 0.1, 0.0),
        duration=2e-11,
        dt=1e-12,
        method="heun",
        temperature=300.0,
        seed=3,
    )
    whole = simulate(layer, **kwargs)
    monkeypatch.setattr(api, "SIMULATE_CHUNK", 128)
    chunked = simulate(layer, **kwargs)
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)


@pytest.mark.compiled
def test_simulate_peaks_below_twice_its_output_frame():
    n = 1_000_000
    current = np.linspace(0, 1e12, n)
    simulate(LAYER, current_density=current[:2], m0=(0.99, 0.1, 0.0), duration=1e-11, dt=1e-12)
    tracemalloc.start()
    try:
        frame = simulate(LAYER, current_density=current, m0=(0.99, 0.1, 0.0), duration=1e-11, dt=1e-12)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.0 * frame.memory_usage(deep=True).sum()


def test_tqdm_is_a_core_dependency():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert any(dep.split(">")[0].split("=")[0].strip() == "tqdm" for dep in project["dependencies"])
