"""The "system" scan model: coupled magnets, terms and waveforms scanned over any of their parameters."""

import json

import numba
import numpy as np
import pandas as pd
import pytest

from fastspin.dynamics import Exchange, FreeLayer, Pulse, SpinTransfer, System, simulate
from fastspin.scan import (
    Axis,
    ScanMismatchError,
    ScanSpec,
    SpecError,
    SystemModel,
    load_scan,
    model_from_dict,
    read_manifest,
    run_scan,
    spec_from_toml,
)

JIT = not numba.config.DISABLE_JIT  #: without the JIT (coverage runs) the ensembles shrink
PERPENDICULAR = dict(ms=1e6, thickness=1e-9, alpha=0.1, anisotropy_field=0.5, easy_axis=[0, 0, 1], demag=[0, 0, 0])


def outcomes(frame, magnets=("free",)):
    return frame[[c for c in frame.columns if c.split(".")[0] in magnets]].reset_index(drop=True)


def test_pulse_width_by_amplitude_equals_direct_simulate_calls():
    """A fixed polarizer magnet, spin transfer and a current pulse: the scan rows are those of one simulate call."""
    tilt = [np.sin(0.05), 0.0, np.cos(0.05)]
    model = SystemModel(
        magnets=[dict(name="free", **PERPENDICULAR), dict(name="ref", ms=1e6, thickness=3e-9, alpha=0.01)],
        fixed=["ref"],
        terms=[dict(kind="SpinTransfer", target="free", polarizer="ref", efficiency=0.6)],
        drives=dict(current_density=dict(pulse=dict(amplitude=1e11, width=1e-9, rise=50e-12)), field=[0.0, 0.0, -0.01]),
        m0=dict(free=tilt, ref=[0, 0, 1]),
        duration=1e-9,
        dt=1e-12,
    )
    widths, amplitudes = [0.1e-9, 0.3e-9, 0.6e-9], [2e11, 4e11, 6e11, 8e11]
    spec = ScanSpec(
        model, [Axis("current_density.pulse.width", widths), Axis("pulse.amplitude", amplitudes)], chunk_size=5
    )
    frame = run_scan(spec, progress=False)

    system = System(
        [FreeLayer(name="free", **PERPENDICULAR), FreeLayer(1e6, 3e-9, 0.01, name="ref")],
        [SpinTransfer("free", "ref", efficiency=0.6)],
        fixed=["ref"],
    )
    pulse = Pulse(np.tile(amplitudes, 3), np.repeat(widths, 4), rise=50e-12)
    direct = simulate(
        system,
        current_density=pulse,
        field=(0.0, 0.0, -0.01),
        m0={"free": tilt, "ref": (0, 0, 1)},
        duration=1e-9,
        dt=1e-12,
    )
    np.testing.assert_array_equal(frame["current_density.pulse.width"], np.repeat(widths, 4))
    np.testing.assert_array_equal(frame["pulse.amplitude"], np.tile(amplitudes, 3))
    pd.testing.assert_frame_equal(outcomes(frame), outcomes(direct), check_exact=True, check_categorical=False)
    assert not [c for c in frame.columns if c.startswith("ref.")]
    assert frame["free.switched"].any() and not frame["free.switched"].all()


WER_TOML = """
[model]
kind = "system"
duration = {value = 2, unit = "ns"}
dt = 1e-12
method = "heun"
trajectories = 200
seed = 7

[[model.magnets]]
name = "free"
ms = {value = 1000, unit = "kA/m"}
thickness = {value = 1, unit = "nm"}
alpha = 0.1
anisotropy_field = 0.5
easy_axis = [0, 0, 1]
demag = [0, 0, 0]
area = {value = 700, unit = "nm^2"}

[[model.terms]]
kind = "SpinTransfer"
target = "free"
polarizer = [0, 0, 1]

[model.drives.current_density.pulse]
amplitude = 2e11
width = 1e-9

[model.m0]
free = [0, 0, 1]

[scan]
chunk_size = 4

[axes]
"pulse.amplitude" = {values = [15, 25, 40], unit = "MA/cm^2"}
"pulse.width" = {values = [0.2, 0.5, 1.0], unit = "ns"}
temperature = [150, 300]
"""


def interrupt_after(count):
    """An executor that hands over ``count`` chunks and then stops as a Ctrl-C would."""

    def executor(task, items, *, on_result, **_):
        for item in list(items)[:count]:
            on_result(item, task(item))
        raise KeyboardInterrupt

    return executor


def recording(calls):
    def executor(task, items, *, on_result, **_):
        for item in items:
            calls.append(item)
            on_result(item, task(item))

    return executor


def test_write_error_rate_map_from_toml_is_reproducible_and_resumes(tmp_path):
    n = 200 if JIT else 2
    text = WER_TOML.replace("trajectories = 200", f"trajectories = {n}")
    spec = spec_from_toml(text)
    assert isinstance(spec.model, SystemModel) and spec.n_points == 18 and spec.n_chunks == 5
    frame = run_scan(spec, progress=False)
    assert (frame["n"] == n).all()
    p, low, high = frame["free.p_switch"], frame["free.p_low"], frame["free.p_high"]
    assert ((0 <= p) & (p <= 1)).all() and (low <= p).all() and (p <= high).all()
    assert (high - low < 0.2).all() or not JIT
    np.testing.assert_array_equal(frame["free.n_switched"], np.round(p * n))
    np.testing.assert_allclose(frame["free.wer"], 1 - p, rtol=0, atol=0)
    switched = frame["free.n_switched"] > 0
    assert frame.loc[switched, "free.switching_time"].between(0, 2e-9).all()
    assert frame.loc[~switched, "free.switching_time"].isna().all()

    grid = p.to_numpy().reshape(3, 3, 2)  # amplitude x width x temperature
    if JIT:
        assert (np.diff(grid, axis=0) >= 0).all() and (np.diff(grid, axis=1) >= 0).all()
        assert grid[0, 0].max() < 0.1 and grid[-1, -1].min() == 1.0 and 0.3 < grid[1, 1].mean() < 0.95

    again = run_scan(spec_from_toml(text), progress=False)
    pd.testing.assert_frame_equal(again, frame, check_exact=True)

    out = tmp_path / "wer"
    with pytest.raises(KeyboardInterrupt):
        run_scan(spec, out=out, executor=interrupt_after(2), progress=False)
    assert sorted(p.name for p in out.glob("chunk-*.parquet")) == ["chunk-000000.parquet", "chunk-000001.parquet"]
    calls = []
    resumed = run_scan(spec_from_toml(text), out=out, executor=recording(calls), progress=False)
    assert calls == [2, 3, 4]
    pd.testing.assert_frame_equal(resumed, frame, check_exact=True)
    pd.testing.assert_frame_equal(load_scan(out), frame, check_exact=True)

    recorded = read_manifest(out)["spec"]["model"]
    assert recorded == json.loads(json.dumps(spec.model.to_dict()))
    assert model_from_dict(recorded).to_dict() == spec.model.to_dict()
    assert recorded["magnets"][0]["ms"] == 1e6 and recorded["duration"] == 2e-9
    with pytest.raises(ScanMismatchError, match=r"spec.model.magnets\[free\].alpha: 0.1 -> 0.2"):
        run_scan(spec_from_toml(WER_TOML.replace("alpha = 0.1", "alpha = 0.2")), out=out, progress=False)


def test_term_and_magnet_parameter_axes_equal_separate_runs():
    """Two free magnets coupled by interlayer exchange in a field: exchange.bilinear x free.alpha."""
    magnets = [
        dict(name="free", ms=8e5, thickness=2e-9, alpha=0.02, anisotropy_field=0.02),
        dict(name="soft", ms=1.2e6, thickness=3e-9, alpha=0.05, anisotropy_field=0.005),
    ]
    model = SystemModel(
        magnets=magnets,
        terms=[dict(kind="Exchange", a="free", b="soft", bilinear=-1e-4)],
        drives=dict(field=[0.0, 0.05, 0.0]),
        m0=dict(free=[1, 0, 0.1], soft=[-1, 0.2, 0]),
        duration=0.4e-9,
        dt=1e-12,
    )
    couplings, dampings = [-2e-4, -5e-5, 1e-4], [0.01, 0.1]
    spec = ScanSpec(model, [Axis("exchange.bilinear", couplings), Axis("free.alpha", dampings)])
    frame = run_scan(spec, progress=False)
    assert len(frame) == 6
    rows = []
    for coupling in couplings:
        for alpha in dampings:
            layers = [FreeLayer(**dict(magnets[0], alpha=alpha)), FreeLayer(**magnets[1])]
            system = System(layers, [Exchange("free", "soft", coupling)])
            rows.append(
                simulate(
                    system,
                    field=(0.0, 0.05, 0.0),
                    m0={"free": (1, 0, 0.1), "soft": (-1, 0.2, 0)},
                    duration=0.4e-9,
                    dt=1e-12,
                )
            )
    separate = outcomes(pd.concat(rows, ignore_index=True), ("free", "soft"))
    scanned = outcomes(frame.drop(columns=["free.alpha"]), ("free", "soft"))
    assert list(scanned.columns) == list(separate.columns)
    for column in separate.columns:
        if separate[column].dtype.kind == "f":
            np.testing.assert_allclose(scanned[column], separate[column], rtol=1e-10, atol=1e-13, err_msg=column)
        else:
            assert scanned[column].astype(str).tolist() == separate[column].astype(str).tolist(), column
    assert scanned["free.mx"].nunique() == 6


BAD_BASE = WER_TOML.replace(
    "[scan]",
    """[[model.terms]]
kind = "Exchange"
a = "free"
b = "ref"
bilinear = 1e-4

[[model.magnets]]
name = "ref"
ms = 1e6
thickness = 2e-9
alpha = 0.01
area = 700e-18

[scan]""",
)


@pytest.mark.parametrize(
    "old, new, line, key, phrase",
    [
        ('"pulse.width" =', '"pulse.length" =', 50, "axes.pulse.length", "unknown axis 'pulse.length'"),
        ('kind = "Exchange"', 'kind = "Exchang"', 33, "model.terms[1].kind", "unknown term kind 'Exchang'"),
        ('b = "ref"', 'b = "reff"', 35, "model.terms[1].b", "unknown magnet 'reff'"),
        ('target = "free"', 'target = "fre"', 22, "model.terms[0].target", "unknown magnet 'fre'"),
        (
            'kind = "Exchange"',
            'kind = "Exchange"\nname = "spin_transfer"',
            34,
            "model.terms[1].name",
            "term name 'spin_transfer' is used by model.terms[0] too",
        ),
        (
            'kind = "Exchange"\na = "free"\nb = "ref"\nbilinear = 1e-4',
            'kind = "SpinTransfer"\ntarget = "ref"',
            32,
            "model.terms[1].name",
            "term name 'spin_transfer' is used by model.terms[0] too",
        ),
        ('name = "ref"', 'name = "free"', 39, "model.magnets[1].name", "magnet name 'free' is used twice"),
        ("alpha = 0.01", "alpha = -0.01", 42, "model.magnets[1].alpha", "must be >= 0"),
        ("thickness = 2e-9", "thick = 2e-9", 41, "model.magnets[1].thick", "unknown keyword"),
        ("bilinear = 1e-4", 'bilinear = "strong"', 36, "model.terms[1].bilinear", "must be a number"),
        ("width = 1e-9", "length = 1e-9", 27, "model.drives.current_density.pulse.length", "unknown keyword"),
        ("free = [0, 0, 1]", "fred = [0, 0, 1]", 30, "model.m0.fred", "unknown magnet 'fred'"),
        ('method = "heun"', 'method = "rk4"', 51, "axes.temperature", 'a temperature axis needs method = "heun"'),
        ('duration = {value = 2, unit = "ns"}', "duration = 2.0005e-9", 4, "model.duration", "whole number of steps"),
        (
            'area = {value = 700, unit = "nm^2"}',
            "",
            51,
            "axes.temperature",
            "needs the area of every free magnet (free has none)",
        ),
        ("area = 700e-18", "", 51, "axes.temperature", "(ref has none)"),
    ],
)
def test_bad_specs_name_key_and_line(old, new, line, key, phrase):
    assert old in BAD_BASE
    with pytest.raises(SpecError) as info:
        spec_from_toml(BAD_BASE.replace(old, new, 1), source="wer.toml")
    message = str(info.value)
    assert message.startswith(f"wer.toml:{line}: {key}: "), message
    assert phrase in message and "\n" not in message


def test_bad_axes_and_python_errors():
    model = SystemModel(
        magnets=[dict(name="free", **PERPENDICULAR)],
        terms=[dict(kind="SpinTransfer", target="free", polarizer=[0, 0, 1])],
        drives=dict(current_density=dict(pulse=dict(amplitude=1e11, width=1e-9))),
        duration=1e-9,
    )
    with pytest.raises(SpecError, match=r"axes.free.spin: unknown axis 'free.spin' \(this model accepts: free.ms, "):
        ScanSpec(model, {"free.spin": [1.0]})
    with pytest.raises(SpecError, match="axes.current_density: unknown axis .*current_density.pulse.width"):
        ScanSpec(model, {"current_density": [1.0]})  # a waveform drive is scanned through its parameters
    with pytest.raises(SpecError, match="'pulse.width' and 'current_density.pulse.width' set the same parameter"):
        ScanSpec(model, {"pulse.width": [1e-9], "current_density.pulse.width": [2e-9]})
    with pytest.raises(SpecError, match="axes.temperature: a temperature above 0 needs the area of every free"):
        ScanSpec(model, {"temperature": [300.0]})
    with pytest.raises(SpecError, match=r"axes.pulse.width: value -1e-09 s in the grid: values must be >= 0"):
        ScanSpec(model, {"pulse.width": [-1e-9]})
    with pytest.raises(SpecError, match=r"model.terms\[0\].kind: unknown term kind 'Torque' \(use Exchange, "):
        SystemModel(magnets=[dict(name="free", **PERPENDICULAR)], terms=[dict(kind="Torque")], duration=1e-9)
    with pytest.raises(SpecError, match=r"model.terms\[1\].name: term name 'exchange' is used by model.terms\[0\]"):
        SystemModel(
            magnets=[dict(name="a", **PERPENDICULAR), dict(name="b", **PERPENDICULAR), dict(name="c", **PERPENDICULAR)],
            terms=[
                dict(kind="Exchange", a="a", b="b", bilinear=1e-4),
                dict(kind="Exchange", a="b", b="c", bilinear=1e-4),
            ],
            duration=1e-9,
        )
    with pytest.raises(SpecError, match=r"model.terms\[0\].polarizer: unknown magnet 'pinned' \(the magnets are fr"):
        SystemModel(
            magnets=[dict(name="free", **PERPENDICULAR)],
            terms=[dict(kind="SpinTransfer", target="free", polarizer="pinned")],
            duration=1e-9,
        )
    with pytest.raises(SpecError, match=r"model.magnets\[0\].name: 'voltage' is reserved"):
        SystemModel(magnets=[dict(name="voltage", **PERPENDICULAR)], duration=1e-9)
    with pytest.raises(SpecError, match=r"model.temperature: a temperature above 0 needs the area .*\(free has none\)"):
        SystemModel(magnets=[dict(name="free", **PERPENDICULAR)], temperature=300.0, duration=1e-9)
    with pytest.raises(SpecError, match="model.fixed: every magnet is fixed"):
        SystemModel(magnets=[dict(name="free", **PERPENDICULAR)], fixed=["free"], duration=1e-9)


MANY_TERMS = """
[model]
kind = "system"
duration = 0.3e-9
method = "rk45"
fixed = ["pin"]

[[model.magnets]]
name = "free"
ms = 1e6
thickness = 1e-8
alpha = 0.02
anisotropy_field = 0.02

[[model.magnets]]
name = "pin"
ms = 1e6
thickness = 3e-9
alpha = 0.01

[[model.magnets]]
name = "top"
ms = 8e5
thickness = 2e-9
alpha = 0.01
easy_axis = [0, 1, 0]
area = 1e-15

[[model.terms]]
kind = "TransportTorque"
magnets = {F2 = "free"}

[[model.terms]]
kind = "Dipolar"
a = "free"
b = "top"
tensor = [[0.01, 0, 0], [0, 0.01, 0], [0, 0, -0.02]]

[[model.terms]]
kind = "SpinOrbit"
target = "top"
spin_hall_angle = 0.3

[[model.terms]]
kind = "VoltageControlledAnisotropy"
target = "top"
coefficient = 0.05

[[model.terms]]
kind = "MTJDrive"
name = "junction"
target = "top"
reference = "pin"
r_p = 1000
r_ap = 2000

[model.drives]
current_density = {sine = {amplitude = 1e11, frequency = 5e9}, offset = 1e10}
sot_current_density = 2e11
voltage = {piecewise_linear = {times = [0, 1e-10, 3e-10], values = [0, 0.2, 0.1]}}
field = {pulse = {amplitude = [0, 0.01, 0], width = 1e-10}, offset = [0.001, 0, 0]}

[model.m0]
free = [1, 0.1, 0]
pin = [0, 1, 0]

[axes]
"dipolar.tensor_zz" = [-0.02, -0.05]
"voltage.piecewise_linear.values_1" = [0.2, 0.4]
"field.pulse.amplitude_y" = [0.01, 0.03]
"""


def test_component_axes_equal_the_description_and_large_chunks_split(monkeypatch):
    """Entries of tensors, knots and field vectors as axes give the runs of a description holding those values;
    a chunk beyond the trajectory cap runs as several kernel calls with the same results."""
    import fastspin.scan.system_model as system_model

    spec = spec_from_toml(MANY_TERMS)
    frame = run_scan(spec, progress=False)
    assert frame["top.mean_resistance"].between(1000, 2000).all() and frame["accepted_steps"].gt(0).all()
    base = spec.model.to_dict()
    for point, zz, knot, pulse_y in frame[["point", *spec.axis_names]].itertuples(index=False):
        description = json.loads(json.dumps(base))
        description["terms"][1]["tensor"][2][2] = zz
        description["drives"]["voltage"]["piecewise_linear"]["values"][1] = knot
        description["drives"]["field"]["pulse"]["amplitude"][1] = pulse_y
        single = run_scan(
            ScanSpec(model_from_dict(description), {"spin_orbit.field_like_ratio": [0.0]}), progress=False
        )
        for column in ("free.mx", "free.mz", "top.mx", "top.my", "top.mean_resistance"):
            np.testing.assert_allclose(
                single[column].iloc[0], frame[column].iloc[point], rtol=1e-12, atol=1e-15, err_msg=column
            )
    assert frame["top.my"].nunique() == 8

    monkeypatch.setattr(system_model, "MAX_TRAJECTORIES", 3)
    pd.testing.assert_frame_equal(run_scan(spec, progress=False), frame, check_exact=True)
    monkeypatch.undo()
    stats = SystemModel.from_dict(dict(base, trajectories=10_000))
    assert stats.default_chunk_size == 104 and spec.model.default_chunk_size == 2048
