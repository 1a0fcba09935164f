"""Every frame of fastspin carries the unit of every column (fastspin.columns), and gridded frames view as xarray.

* one small call of every public function that returns a DataFrame (the ``__all__`` of fastspin and of its
  public packages): ``frame.attrs["units"]`` names exactly the columns, none ``"?"``;
* a new public frame-returning function without a call here fails ``test_every_public_frame_function_is_covered``;
* the units against the docstrings (torques per ``hbar I0/|e|``, the registry's stack parameters, ...);
* :func:`fastspin.to_xarray`: a transport grid, a pulse grid and a scan read back from Parquet, with units; a frame
  that is not a product grid is a ``ValueError`` naming the columns.
"""

import importlib
import inspect
import math
import shutil
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.polynomial import Polynomial

import fastspin
from fastspin import analysis, circuit, experiments, mtj, presets, transport
from fastspin.columns import RULES, UNKNOWN, attach_units, column_units, grid_dims, to_xarray
from fastspin.dynamics import MTJ, FreeLayer, Pulse, Sine, SpinTransfer, System, simulate
from fastspin.parameters import REGISTRY
from fastspin.scan import Axis, FunctionModel, ScanSpec, SystemModel, TransportModel, load_scan, phase, run_scan

PUBLIC = (
    "fastspin",
    "fastspin.transport",
    "fastspin.mtj",
    "fastspin.dynamics",
    "fastspin.circuit",
    "fastspin.experiments",
    "fastspin.analysis",
    "fastspin.scan",
    "fastspin.scan.phase",
)

STACK = presets.barnas2005("i")
FIG5 = presets.barnas2005("fig5")
LAYER = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.05, area=1e-15)
FILM = FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=5e-3, area=1e-14)  # in-plane film, easy axis x
TILTED = (math.cos(0.1), math.sin(0.1), 0.0)
ELECTRODE = dict(lambda_j=1e-9, lambda_phi=1e-9, lambda_sf_f=15e-9, lambda_sf_n=2e-9)
BIAS = dict(j0_par=Polynomial([1.0, 0.1]), j0_perp=Polynomial([0.0, 0.1]), **ELECTRODE)


def _circuit():
    free = circuit.EasyPlaneFreeLayer(
        ms=1e6,
        volume=2e-9 * 3.925e-15,
        alpha=0.01,
        hard_axis_field=1.0,
        easy_axis_field=0.02,
        applied_field=(0.05, 0, 0),
    )
    return circuit.MTJCircuit(free, (circuit.FixedLayer(1000.0, 2000.0, (1.0, 0.0, 0.0)),), circuit.VoltageDrive(0.1))


M0_CIRCUIT = (math.cos(0.3) * math.cos(0.5), math.cos(0.3) * math.sin(0.5), math.sin(0.3))


def _loop():
    return experiments.hysteresis_loop(LAYER, field=0.1, points=3, dwell=1e-11, dt=1e-12)


def _st_fmr():
    layer = FreeLayer(8e5, 1.5e-9, 0.02, anisotropy_field=0.01, area=1e-14)
    return experiments.st_fmr(
        layer,
        frequency=[8e9],
        field=np.linspace(0.05, 0.1, 6),
        rf_current_density=5e8,
        mtj=MTJ(100.0, 200.0),
        settle=1e-10,
        window=2.5e-10,
    )


def _state_map():
    return phase.dynamic_state_map([-1e12, 1e12], [0.0], duration=0.2e-9, dt=1e-12, progress=False)


def _run_ngspice():
    if shutil.which("ngspice") is None:
        pytest.skip("needs ngspice")
    return circuit.run_ngspice(_circuit(), m0=M0_CIRCUIT, duration=2e-11)


def _stored_scan(directory):
    assert run_scan(_transport_spec(), directory, progress=False, load=False) is None
    return load_scan(directory)


def _transport_spec():
    return ScanSpec(TransportModel("barnas2005:i"), [Axis("phi", [0.1, 0.2, 0.3]), Axis("N.thickness", [5e-9, 1e-8])])


#: test id -> (the public function, a small call of it taking tmp_path); one id per function, then variants
CASES = {
    "evaluate": (
        transport.evaluate,
        lambda tmp: fastspin.evaluate(STACK, {"phi": [0.1, 0.5], "N.thickness": [5e-9, 1e-8]}, grid=True),
    ),
    "evaluate[g_mix,direction,current_density]": (
        transport.evaluate,
        lambda tmp: fastspin.evaluate(
            STACK, {"F1|N.g_mix": [1e15 + 1e14j], "F1.direction": [(0.0, 1.0, 0.0)]}, current_density=1e10
        ),
    ),
    "torque_vs_angle": (transport.torque_vs_angle, lambda tmp: fastspin.torque_vs_angle(STACK, np.linspace(0, 3, 4))),
    "profile": (transport.profile, lambda tmp: transport.profile(STACK, {"phi": 1.0}, points_per_layer=3)),
    "electrode_torque": (mtj.electrode_torque, lambda tmp: mtj.electrode_torque(2e-9, **ELECTRODE)),
    "electrode_profile": (
        mtj.electrode_profile,
        lambda tmp: mtj.electrode_profile(np.linspace(0, 5e-9, 4), 2e-9, **ELECTRODE),
    ),
    "bias_dependence": (mtj.bias_dependence, lambda tmp: mtj.bias_dependence([-0.1, 0.0, 0.1], [2e-9], **BIAS)),
    "bias_coefficients": (
        mtj.bias_coefficients,
        lambda tmp: mtj.bias_coefficients(mtj.bias_dependence([-0.1, 0.0, 0.1, 0.2], [2e-9, 3e-9], **BIAS), 3),
    ),
    "dynamics.simulate": (
        simulate,
        lambda tmp: simulate(
            LAYER,
            current_density=Pulse([1e11, 2e11], 1e-10, rise=1e-11),
            field=(0.01, 0, 0),
            m0=TILTED,
            duration=2e-10,
            dt=1e-12,
        ),
    ),
    "dynamics.simulate[system,rk45,sine]": (
        simulate,
        lambda tmp: simulate(
            System([FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.05, name="free")], [SpinTransfer("free", (1, 0, 0))]),
            current_density=1e10,
            field=Sine((0.01, 0, 0), 1e9),
            m0={"free": TILTED},
            duration=1e-10,
            dt=1e-12,
            method="rk45",
        ),
    ),
    "dynamics.simulate[mtj,voltage]": (
        simulate,
        lambda tmp: simulate(LAYER, voltage=[0.1, 0.2], mtj=MTJ(100.0, 200.0), m0=TILTED, duration=1e-10, dt=1e-12),
    ),
    "circuit.simulate": (
        circuit.simulate,
        lambda tmp: circuit.simulate(_circuit(), m0=M0_CIRCUIT, duration=1e-11, dt=1e-13),
    ),
    "circuit_frame": (
        circuit.circuit_frame,
        lambda tmp: _circuit_frame(),
    ),
    "run_ngspice": (circuit.run_ngspice, lambda tmp: _run_ngspice()),
    "hysteresis_loop": (experiments.hysteresis_loop, lambda tmp: _loop()),
    "hysteresis_loop[voltage,mtj]": (
        experiments.hysteresis_loop,
        lambda tmp: experiments.hysteresis_loop(
            LAYER, voltage=0.5, mtj=MTJ(100.0, 200.0), points=3, dwell=1e-11, dt=1e-12
        ),
    ),
    "loop_switching": (experiments.loop_switching, lambda tmp: experiments.loop_switching(_loop())),
    "st_fmr": (experiments.st_fmr, lambda tmp: _st_fmr()),
    "fit_lineshape": (experiments.fit_lineshape, lambda tmp: experiments.fit_lineshape(_st_fmr())),
    "spectrum": (
        experiments.spectrum,
        lambda tmp: experiments.spectrum(
            FILM,
            current_density=3.5e10,
            field=(0.05, 0, 0),
            m0=(math.cos(0.5), math.sin(0.5), 0.0),
            duration=2e-10,
            dt=1e-12,
            segments=1,
            psd=True,
        ),
    ),
    "spectral_line": (
        experiments.spectral_line,
        lambda tmp: experiments.spectral_line(np.arange(8.0), [[0, 1, 3, 7, 3, 1, 0, 0], [0, 0, 1, 2, 5, 2, 1, 0]]),
    ),
    "pimm": (
        experiments.pimm,
        lambda tmp: experiments.pimm(
            FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=5e-3),
            field=(0.05, 0, 0),
            field_pulse=Pulse((0, 0, 5e-3), 20e-12),
            duration=3e-10,
            dt=1e-12,
            relax=1e-10,
        ),
    ),
    "switching_probability": (
        experiments.switching_probability,
        lambda tmp: experiments.switching_probability(
            LAYER,
            current_density=Pulse([1e11], [1e-10, 2e-10]),
            temperature=300.0,
            n_trajectories=4,
            relax=1e-11,
            seed=1,
        ),
    ),
    "write_error_rate": (
        experiments.write_error_rate,
        lambda tmp: experiments.write_error_rate(
            FreeLayer(1e6, 1e-9, 0.01, anisotropy_field=1.4, easy_axis=(0, 0, 1), demag=(0.05, 0.05, 0.9), area=1e-16),
            current_density=[0.0, 1e10],
            width=[1e-9],
            temperature=300.0,
            grid=50,
        ),
    ),
    "thermal_stability": (experiments.thermal_stability, lambda tmp: experiments.thermal_stability(LAYER, 300.0)),
    "thermal_stability[dwell]": (
        experiments.thermal_stability,
        lambda tmp: experiments.thermal_stability(
            FreeLayer(8e5, 2e-9, 1.0, anisotropy_field=0.05, area=1e-15),
            300.0,
            method="dwell",
            temperatures=[960.0, 720.0],  # E_b / k_B T = 3, 4: escapes within a few relaxation times
            n_trajectories=8,
            seed=1,
        ),
    ),
    "critical_currents_linear": (
        analysis.critical_currents_linear,
        lambda tmp: analysis.critical_currents_linear(
            FIG5, FreeLayer(1.44e6, 2e-9, 0.01, anisotropy_field=0.05), [0.0]
        ),
    ),
    "critical_currents_dynamic": (
        analysis.critical_currents_dynamic,
        lambda tmp: analysis.critical_currents_dynamic(_state_map()),
    ),
    "find_phi_c": (
        analysis.find_phi_c,
        lambda tmp: analysis.find_phi_c(FIG5, {"N.thickness": [5e-9, 1e-8]}, n_coarse=8),
    ),
    "run_scan": (run_scan, lambda tmp: run_scan(_transport_spec(), progress=False)),
    "run_scan[system,pulse.amplitude,trajectories]": (
        run_scan,
        lambda tmp: run_scan(
            ScanSpec(
                SystemModel(
                    magnets=[dict(name="free", ms=1e6, thickness=1e-9, alpha=0.1, anisotropy_field=0.5, area=1e-16)],
                    terms=[dict(kind="SpinTransfer", target="free", polarizer=[1, 0, 0])],
                    drives=dict(current_density=dict(pulse=dict(amplitude=1e11, width=1e-10))),
                    m0=dict(free=list(TILTED)),
                    duration=2e-10,
                    trajectories=2,
                ),
                [Axis("pulse.amplitude", [1e11, 2e11]), Axis("free.ms", [1e6, 1.1e6])],
            ),
            progress=False,
        ),
    ),
    "load_scan": (
        load_scan,
        lambda tmp: _stored_scan(tmp / "scan"),
    ),
    "dynamic_state_map": (phase.dynamic_state_map, lambda tmp: _state_map()),
    "phi_c_map": (phase.phi_c_map, lambda tmp: phase.phi_c_map({"N.thickness": [5e-9, 1e-8]}, progress=False)),
}


def _circuit_frame():
    t, charge, flux = circuit.trajectories(_circuit(), m0=M0_CIRCUIT, duration=1e-12, dt=1e-13, record_every=5)
    return circuit.circuit_frame(_circuit(), t, charge[0], flux[0])


def _frames(result):
    return result if isinstance(result, tuple) else (result,)


@pytest.mark.parametrize("case", list(CASES))
def test_every_column_has_a_unit(case, tmp_path):
    _, call = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fixed points, unsettled runs: not what is tested here
        frames = _frames(call(tmp_path))
    for frame in frames:
        assert isinstance(frame, pd.DataFrame)
        units = frame.attrs["units"]
        assert list(units) == list(frame.columns)
        unknown = [column for column, unit in units.items() if unit == UNKNOWN]
        assert not unknown, f"{case}: columns without a unit: {unknown}"
        assert all(isinstance(unit, str) for unit in units.values())


def _public_frame_functions():
    """``{id(function): "module.name"}`` of the functions (and public methods of the classes) in the ``__all__``
    of the public packages whose return annotation names a DataFrame."""
    found = {}
    for module_name in PUBLIC:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            members = [(name, obj)]
            if inspect.isclass(obj):
                members = [(f"{name}.{k}", v) for k, v in vars(obj).items() if not k.startswith("_") and callable(v)]
            for label, member in members:
                if not callable(member) or inspect.isclass(member):
                    continue
                try:
                    annotation = inspect.signature(member).return_annotation
                except (TypeError, ValueError):
                    continue
                if "DataFrame" in str(annotation):
                    found.setdefault(id(member), f"{module_name}.{label}")
    return found


def test_every_public_frame_function_is_covered():
    public = _public_frame_functions()
    tested = {id(function) for function, _ in CASES.values()}
    missing = sorted(name for key, name in public.items() if key not in tested)
    assert not missing, f"public functions returning DataFrames without a units test in CASES: {missing}"
    assert len(public) >= 28  # the discovery works: 28 functions when this test was written


# ------------------------------------------------------------------------------------------ the units themselves
def test_units_follow_the_docstrings():
    frame = fastspin.evaluate(STACK, {"phi": [0.5]}, current_density=1e10)
    units = frame.attrs["units"]
    assert units["phi"] == units["phi_g"] == "rad"
    for column in ("tau_phi", "tau_x", "a", "b", "torque_F2_x"):
        assert units[column] == "hbar*I0/|e|"  # normalised by hbar I0/|e| (Eqs 38-44)
    assert units["g_amplitude"] == "|I0/e|/(v_F*rho(E_F))"  # g v_F rho(E_F) / |I0/e|, Fig. 6(a)
    assert units["current_density"] == "A/m^2" and units["tau_phi_per_area"] == "N/m"
    assert units["resistance_area"] == "Ohm m^2"
    assert fastspin.torque_vs_angle(STACK, [0.0, 1.0]).attrs["units"]["resistance_change"] == "Ohm m^2"
    assert analysis.find_phi_c(FIG5).attrs["units"] == {
        "phi_c": "rad",
        "n_zeros": "1",
        **dict.fromkeys(("a_0", "a_pi", "b_0", "b_pi"), "hbar*I0/|e|"),
    }


def test_stack_parameters_take_the_registry_units():
    names = {"F1.rho_star", "N.l_sf", "N.thickness", "F1.beta", "F1|N.r_star", "F1|N.gamma", "F1|N.g_mix_real"}
    units = column_units([*names, "F1.direction_x", "F1|N.g_mix", "barrier.spin_current_y"])
    for name in names:
        assert units[name] == (REGISTRY[name.split(".")[1]].unit or "1")
    assert units["F1.direction_x"] == units["barrier.spin_current_y"] == "1"
    assert units["F1|N.g_mix"] == REGISTRY["g_mix"].unit == "S/m^2"
    assert REGISTRY["r_star"].unit == "Ohm m^2" and REGISTRY["thickness"].unit == "m"


def test_dynamics_and_experiment_units():
    units = column_units(
        [
            "mx",
            "free.mz",
            "state",
            "free.switched",
            "switching_time",
            "frequency",
            "field_x",
            "current_density.pulse.amplitude",
            "voltage.pulse2.amplitude",
            "field.sine.amplitude_z",
            "current_density.pulse.width",
            "field.sine.phase",
            "temperature",
            "ms",
            "alpha",
            "anisotropy_field",
            "exchange.bilinear",
            "vcma.coefficient",
            "pulse.amplitude",
        ]
    )
    assert units == {
        "mx": "1",
        "free.mz": "1",
        "state": "",
        "free.switched": "",
        "switching_time": "s",
        "frequency": "Hz",
        "field_x": "T",
        "current_density.pulse.amplitude": "A/m^2",
        "voltage.pulse2.amplitude": "V",
        "field.sine.amplitude_z": "T",
        "current_density.pulse.width": "s",
        "field.sine.phase": "rad",
        "temperature": "K",
        "ms": "A/m",
        "alpha": "1",
        "anisotropy_field": "T",
        "exchange.bilinear": "J/m^2",
        "vcma.coefficient": "T/V",
        "pulse.amplitude": UNKNOWN,  # the pulse of whichever drive holds one: a scan says which
    }
    assert column_units(["no_such_column", "free.no_such_column", 3]) == dict.fromkeys(
        ["no_such_column", "free.no_such_column", 3], UNKNOWN
    )
    assert all(isinstance(pattern, str) and isinstance(unit, str) for pattern, unit in RULES)


def test_units_a_name_does_not_say_come_from_the_call():
    """The amplitude of a voltage pulse, the count of switched runs, a spectrum's unit, a fit's."""
    sp = experiments.switching_probability(
        FreeLayer(8e5, 2e-9, 0.01, anisotropy_field=0.05, area=1e-15),
        voltage=Pulse([0.5], [1e-10]),
        mtj=MTJ(100.0, 200.0),
        temperature=300.0,
        n_trajectories=2,
        relax=1e-11,
        seed=1,
    )
    assert sp.attrs["units"]["amplitude"] == "V" and sp.attrs["units"]["switched"] == "1"
    frame, spectra = CASES["spectrum"][1](None)
    assert frame.attrs["units"]["peak_psd"] == spectra.attrs["units"]["psd"] == "1/Hz"
    assert frame.attrs["units"]["power"] == "1" and frame.attrs["units"]["peak_frequency"] == "Hz"
    fit = experiments.fit_lineshape(_st_fmr())
    assert fit.attrs["units"]["resonance_field"] == fit.attrs["units"]["linewidth_err"] == "T"
    assert fit.attrs["units"]["symmetric"] == fit.attrs["units"]["offset"] == "V"
    assert analysis.critical_currents_dynamic(_state_map()).attrs["units"] == {
        "field": "T",
        "j_c_p": "A/m^2",
        "j_c_ap": "A/m^2",
    }
    units = mtj.bias_coefficients(mtj.bias_dependence([-0.1, 0.0, 0.1], [2e-9], **BIAS)).attrs["units"]
    assert units["t_par_c0"] == "j0/m" and units["t_perp_c1"] == "j0/(m V)" and units["t_par_c2"] == "j0/(m V^2)"


def test_scan_axes_take_the_units_of_what_they_set():
    scan = CASES["run_scan[system,pulse.amplitude,trajectories]"][1](None)
    assert scan.attrs["units"]["pulse.amplitude"] == "A/m^2"  # the pulse of the current density
    assert scan.attrs["units"]["free.ms"] == "A/m" and scan.attrs["units"]["free.p_switch"] == "1"
    assert scan.attrs["units"]["point"] == ""
    unknown = run_scan(ScanSpec(FunctionModel(_polynomial), {"omega": [1.0, 2.0]}), progress=False)
    assert unknown.attrs["units"] == {"point": "", "omega": UNKNOWN, "y": UNKNOWN}  # a user's model: no rule


def _polynomial(points):
    return pd.DataFrame({"y": points["omega"] ** 2})


def test_attach_units_keeps_the_other_attrs_and_takes_given_units():
    frame = pd.DataFrame({"phi": [0.0], "mystery": [1.0]})
    frame.attrs["seed"] = 3
    assert attach_units(frame, {"mystery": "kg", "absent": "m"}) is frame
    assert frame.attrs == {"seed": 3, "units": {"phi": "rad", "mystery": "kg"}}


# ------------------------------------------------------------------------------------------------ to_xarray
def test_to_xarray_of_a_transport_grid():
    phi, thickness = np.array([0.1, 0.5, 1.0]), np.array([5e-9, 1e-8])
    frame = fastspin.evaluate(STACK, {"phi": phi, "N.thickness": thickness}, grid=True)
    assert grid_dims(frame) == ("phi", "N.thickness")
    ds = fastspin.to_xarray(frame)
    assert tuple(ds.sizes) == ("phi", "N.thickness") and dict(ds.sizes) == {"phi": 3, "N.thickness": 2}
    np.testing.assert_array_equal(ds["phi"], phi)
    np.testing.assert_array_equal(ds["N.thickness"], thickness)
    expected = frame.set_index(["phi", "N.thickness"])["tau_phi"].unstack().to_numpy()
    np.testing.assert_array_equal(ds["tau_phi"].to_numpy(), expected)
    assert ds["tau_phi"].attrs["units"] == "hbar*I0/|e|" and ds["phi"].attrs["units"] == "rad"
    assert ds["N.thickness"].attrs["units"] == "m" and ds["resistance_area"].attrs["units"] == "Ohm m^2"
    assert set(ds.data_vars) == set(frame.columns) - {"phi", "N.thickness"}
    # the other order, and units from the rules when a pandas operation dropped the attrs
    bare = frame.copy()
    bare.attrs = {}
    swapped = to_xarray(bare, dims=["N.thickness", "phi"])
    assert tuple(swapped.sizes) == ("N.thickness", "phi") and swapped["tau_x"].attrs["units"] == "hbar*I0/|e|"
    np.testing.assert_array_equal(swapped["tau_phi"].to_numpy(), expected.T)


def test_to_xarray_of_a_pulse_grid_and_of_a_1d_frame():
    sp = CASES["switching_probability"][1](None)
    ds = to_xarray(sp)
    assert dict(ds.sizes) == {"width": 2}  # one amplitude: not an axis, a variable along the widths
    assert ds["amplitude"].attrs["units"] == "A/m^2" and ds["p_switch"].attrs["units"] == "1"
    assert dict(to_xarray(sp, dims=["amplitude", "width"]).sizes) == {"amplitude": 1, "width": 2}
    torque = fastspin.torque_vs_angle(STACK, np.linspace(0, 3, 4))
    assert tuple(to_xarray(torque).sizes) == ("phi",)
    frame, _ = CASES["spectrum"][1](None)
    assert grid_dims(frame) == ()  # one trajectory: one row
    assert to_xarray(frame)["peak_frequency"].attrs["units"] == "Hz"


def test_to_xarray_refuses_a_frame_that_is_not_a_product_grid():
    frame = fastspin.evaluate(STACK, {"phi": [0.1, 0.5], "N.thickness": [5e-9, 1e-8]}, grid=True).iloc[:3]
    with pytest.raises(ValueError, match=r"phi \(2 values\), N\.thickness \(2 values\)"):
        to_xarray(frame)
    with pytest.raises(ValueError, match=r"not a product grid of the columns \['phi', 'N\.thickness'\].*1 missing"):
        to_xarray(frame, dims=["phi", "N.thickness"])
    doubled = pd.concat([frame, frame], ignore_index=True)
    with pytest.raises(ValueError, match=r"\['phi'\].*repeated"):
        to_xarray(doubled, dims=["phi"])
    with pytest.raises(ValueError, match="dims must be distinct columns"):
        to_xarray(frame, dims=["nothing"])


def test_to_xarray_round_trip_of_a_scan(tmp_path):
    spec = _transport_spec()
    frame = run_scan(spec, tmp_path / "scan", progress=False)
    assert frame.attrs["units"] == load_scan(tmp_path / "scan").attrs["units"]
    ds = to_xarray(frame)
    assert dict(ds.sizes) == {"phi": 3, "N.thickness": 2}
    assert ds["point"].attrs["units"] == "" and ds["a"].attrs["units"] == "hbar*I0/|e|"
    back = ds.to_dataframe().reset_index()[list(frame.columns)].sort_values("point", ignore_index=True)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    memory = run_scan(spec, progress=False)
    assert memory.attrs["units"] == frame.attrs["units"]
    pd.testing.assert_frame_equal(to_xarray(memory).to_dataframe(), ds.to_dataframe())
