"""The parameter registry is the one list of a stack's parameters: whatever ``evaluate`` accepts by name is a
scan axis with the same unit and bounds, and has a plot label."""

import numpy as np
import pytest

import fastspin
from fastspin.parameters import INTERFACE_PARAMETERS, LAYER_PARAMETERS, REGISTRY
from fastspin.plotting import display
from fastspin.scan.preset_stacks import transport_axis_info
from fastspin.scan.units import si_unit
from fastspin.transport import solve
from fastspin.transport.electrode import electrode_stack
from fastspin.transport.spinvalve import _split_key

STACKS = {"spin valve": fastspin.presets.barnas2005("i"), "MTJ electrode": electrode_stack()}


def accepted_names(stack):
    """Every ``<layer>.<field>`` and ``<left>|<right>.<field>`` that ``evaluate`` accepts on ``stack``."""
    names = []
    targets = [(name, LAYER_PARAMETERS) for name in stack.names]
    targets += [(name, INTERFACE_PARAMETERS) for name in stack.interface_names()]
    for target, fields in targets:
        for field in fields:
            try:
                _split_key(stack, f"{target}.{field}")
            except ValueError:
                continue
            names.append(f"{target}.{field}")
    return names


def value_of(stack, name):
    """The value the stack has for ``name`` (a valid input of ``evaluate``)."""
    target, field = name.rsplit(".", 1)
    c = stack.compile()
    if "|" in target:
        k = stack.interface_index(target)
        if field == "g_mix":
            return [complex(c.g_mix_real[k], c.g_mix_imag[k])]
        return [getattr(c, field)[k]]
    k = stack.layer_index(target)
    if field == "direction":
        return [c.direction[k]]
    return [c.layer_params[REGISTRY[field].slot, k]]


@pytest.mark.parametrize("stack_name", sorted(STACKS))
def test_every_accepted_parameter_is_a_scan_axis_with_a_plot_label(stack_name):
    stack = STACKS[stack_name]
    names = accepted_names(stack)
    assert len(names) >= 8
    for name in names:
        field = name.rsplit(".", 1)[1]
        declared = REGISTRY[field]
        result = solve(stack, {name: value_of(stack, name)})  # evaluate's solve (evaluate needs two magnets)
        assert np.isfinite(result.torque).all()
        info = transport_axis_info(stack, name)
        assert info.dimension == declared.dimension and si_unit(info.dimension) == (declared.unit or "1")
        assert info.bounds == declared.bounds
        label, factor = display(name)
        assert (
            label.startswith(declared.label.replace("{0}", name.rsplit(".", 1)[0]))
            and factor == declared.display_factor
        )


def test_registry_rows_are_the_kernels_rows():
    from fastspin.parameters import INTERFACE_FIELDS, LAYER_FIELDS, N_LAYER_FIELDS

    assert sorted(LAYER_FIELDS.values()) == list(range(N_LAYER_FIELDS))
    assert sorted(INTERFACE_FIELDS.values()) == list(range(N_LAYER_FIELDS, N_LAYER_FIELDS + 4))
    compiled = fastspin.presets.barnas2005("i").compile()
    assert compiled.layer_params.shape[0] == N_LAYER_FIELDS
    np.testing.assert_array_equal(compiled.rho_star, compiled.layer_params[LAYER_FIELDS["rho_star"]])


def test_a_direction_is_a_scan_axis_of_three_columns(tmp_path):
    from fastspin.scan import Axis, DynamicsModel, ScanSpec, SpecError, TransportModel, load_scan, run_scan

    directions = [[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]
    spec = ScanSpec(TransportModel("i"), [Axis("F2.direction", directions), Axis("N.thickness", [5e-9, 1e-8])])
    frame = run_scan(spec, out=tmp_path / "scan", progress=False)
    assert list(frame.columns[1:4]) == ["F2.direction_x", "F2.direction_y", "F2.direction_z"]
    direct = fastspin.evaluate(
        fastspin.presets.barnas2005("i"), {"F2.direction": directions, "N.thickness": [5e-9, 1e-8]}, grid=True
    )
    np.testing.assert_array_equal(frame["tau_phi"], direct["tau_phi"])
    pd_equal = load_scan(tmp_path / "scan").equals(run_scan(spec, out=tmp_path / "scan", progress=False))
    assert pd_equal  # the manifest keeps the vectors: the same spec resumes
    with pytest.raises(SpecError, match="3-vector: this model scans scalar parameters only"):
        ScanSpec(DynamicsModel(preset="fig5"), [Axis("F2.direction", directions)])


def test_the_command_line_help_lists_every_registered_parameter(capsys):
    """``fastspin scan --help`` is written from the registry: a new parameter appears there without editing cli.py."""
    from fastspin.cli import main

    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for p in REGISTRY.values():
        form = "<layer>" if p.owner == "layer" else "<left>|<right>"
        assert f"{form}.{p.name}" in text, p.name
