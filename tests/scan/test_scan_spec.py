"""Scan specifications: axes, product/zip order, chunking, units, and one-line errors before any work."""

import numpy as np
import pytest
from scan_helpers import polynomial

from fastspin.scan import Axis, AxisInfo, FunctionModel, ScanSpec, SpecError, run_scan, spec_from_toml

LENGTH_MODEL = FunctionModel(
    polynomial,
    axes={
        "a": AxisInfo(),
        "b": AxisInfo(),
        "thickness": AxisInfo("length", check="positive"),
        "start": AxisInfo(kind="category", categories=("P", "AP")),
    },
)


def test_product_is_c_order_and_chunks_cover_every_point_once():
    spec = ScanSpec(polynomial, [Axis("a", [1.0, 2.0, 3.0]), Axis("b", [10.0, 20.0])], chunk_size=4)
    assert spec.shape == (3, 2) and spec.n_points == 6 and spec.n_chunks == 2
    chunks = [spec.points(i) for i in range(spec.n_chunks)]
    a = np.concatenate([c["a"] for c in chunks])
    b = np.concatenate([c["b"] for c in chunks])
    points = np.concatenate([c["point"] for c in chunks])
    np.testing.assert_array_equal(points, np.arange(6))
    expected_a, expected_b = np.meshgrid([1.0, 2.0, 3.0], [10.0, 20.0], indexing="ij")
    np.testing.assert_array_equal(a, expected_a.ravel())
    np.testing.assert_array_equal(b, expected_b.ravel())


def test_zip_pairs_axes_and_requires_equal_lengths():
    spec = ScanSpec(polynomial, {"a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]}, combine="zip", chunk_size=2)
    assert spec.n_points == 3 and spec.n_chunks == 2
    np.testing.assert_array_equal(spec.points(1)["b"], [6.0])
    with pytest.raises(SpecError, match="equal lengths"):
        ScanSpec(polynomial, {"a": [1.0, 2.0], "b": [4.0, 5.0, 6.0]}, combine="zip")


def test_result_is_one_row_per_point_with_inputs_and_outputs():
    spec = ScanSpec(polynomial, {"a": np.linspace(0, 1, 5), "b": [0.0, 1.0]}, chunk_size=3)
    frame = run_scan(spec, progress=False)
    assert list(frame.columns) == ["point", "a", "b", "y", "z"]
    np.testing.assert_allclose(frame["y"], frame["a"] ** 2 + 3 * frame["b"], rtol=0, atol=0)


def test_units_are_converted_to_si_and_recorded_in_si():
    spec = ScanSpec(LENGTH_MODEL, [Axis.linspace("thickness", 2.0, 10.0, 5, unit="nm")])
    np.testing.assert_allclose(spec.axes[0].values, np.linspace(2e-9, 10e-9, 5), rtol=1e-15)
    assert spec.to_dict()["axes"][0]["linear"] == [2e-9, 1e-8, 5]
    same = ScanSpec(LENGTH_MODEL, [Axis.linspace("thickness", 2e-9, 10e-9, 5)])
    assert same.fingerprint() == spec.fingerprint()


def test_fingerprint_changes_with_any_part_of_the_spec():
    base = ScanSpec(polynomial, {"a": [1.0, 2.0], "b": [3.0]})
    variants = [
        ScanSpec(polynomial, {"a": [1.0, 2.5], "b": [3.0]}),
        ScanSpec(polynomial, {"a": [1.0, 2.0], "b": [3.0]}, chunk_size=1),
        ScanSpec(polynomial, {"b": [3.0], "a": [1.0, 2.0]}),
        ScanSpec(lambda p: polynomial(p), {"a": [1.0, 2.0], "b": [3.0]}),
    ]
    for other in variants:
        assert other.fingerprint() != base.fingerprint()


@pytest.mark.parametrize(
    "axes, key, phrase",
    [
        ({"c": [1.0]}, "axes.c", "unknown axis 'c'"),
        ({"a": []}, "axes.a", "empty axis"),
        ({"a": [1.0, "x"]}, "axes.a", "expected a number"),
        ({"a": [1.0, True]}, "axes.a", "expected a number"),
        ({"a": [1.0, np.nan]}, "axes.a", "must be finite"),
        ({"thickness": [1e-9, -2e-9, 3e-9]}, "axes.thickness", "must be > 0"),
        ({"start": ["P", "sideways"]}, "axes.start", "not one of P, AP"),
    ],
)
def test_bad_axes_give_one_line_errors_naming_the_key(axes, key, phrase):
    with pytest.raises(SpecError) as info:
        ScanSpec(LENGTH_MODEL, axes)
    assert info.value.key == key
    assert phrase in str(info.value) and "\n" not in str(info.value)


def test_bad_grid_parameters():
    with pytest.raises(SpecError, match="empty axis: num = 0"):
        Axis.linspace("a", 0.0, 1.0, 0)
    with pytest.raises(SpecError, match="must be an integer"):
        Axis.linspace("a", 0.0, 1.0, 2.5)
    with pytest.raises(SpecError, match=r"axes.thickness.unit: unit 'T' is a field unit, but this axis is a length"):
        ScanSpec(LENGTH_MODEL, [Axis.linspace("thickness", 1.0, 2.0, 3, unit="T")])
    with pytest.raises(SpecError, match="unknown unit 'furlong'"):
        ScanSpec(LENGTH_MODEL, [Axis.linspace("thickness", 1.0, 2.0, 3, unit="furlong")])
    with pytest.raises(SpecError, match="scan.chunk_size"):
        ScanSpec(polynomial, {"a": [1.0]}, chunk_size=0)
    with pytest.raises(SpecError, match="axis given twice"):
        ScanSpec(polynomial, [Axis("a", [1.0]), Axis("a", [2.0])])


TOML_OK = """
# a comment
[model]
kind = "transport"
preset = "fig5"

[scan]
chunk_size = 50

[axes]
phi = {start = 0, stop = 180, num = 7, unit = "deg"}
"N.thickness" = {values = [2, 5, 10], unit = "nm"}
"""


def test_toml_spec_reads_axes_units_and_chunking():
    spec = spec_from_toml(TOML_OK)
    assert spec.axis_names == ("phi", "N.thickness") and spec.chunk_size == 50
    np.testing.assert_allclose(spec.axes[0].values, np.linspace(0, np.pi, 7), rtol=1e-15)
    np.testing.assert_allclose(spec.axes[1].values, [2e-9, 5e-9, 10e-9], rtol=1e-15)


@pytest.mark.parametrize(
    "old, new, line, key, phrase",
    [
        (
            'phi = {start = 0, stop = 180, num = 7, unit = "deg"}',
            'psi = {start = 0, stop = 180, num = 7, unit = "deg"}',
            11,
            "axes.psi",
            "unknown axis 'psi'",
        ),
        ("num = 7", "num = 0", 11, "axes.phi.num", "empty axis"),
        (
            '"N.thickness" = {values = [2, 5, 10], unit = "nm"}',
            '"N.thickness" = {values = [2, -5, 10], unit = "nm"}',
            12,
            "axes.N.thickness",
            "must be > 0",
        ),
        ('unit = "nm"', 'unit = "mT"', 12, "axes.N.thickness.unit", "is a field unit"),
        ("num = 7", 'num = "seven"', 11, "axes.phi.num", "must be an integer"),
        ("chunk_size = 50", "chunk_size = -1", 8, "scan.chunk_size", "positive integer"),
        ("chunk_size = 50", "chunks = 50", 8, "scan.chunks", "unknown key"),
        ('preset = "fig5"', 'preset = "fig6"', 5, "model.preset", "unknown preset"),
        ('kind = "transport"', 'kind = "magic"', 4, "model.kind", "unknown model"),
        ('"N.thickness"', '"lead.thickness"', 12, "axes.lead.thickness", "semi-infinite lead"),
        ('"N.thickness"', '"N.beta"', 12, "axes.N.beta", "normal metal"),
    ],
)
def test_toml_errors_name_key_and_line(old, new, line, key, phrase):
    assert old in TOML_OK
    with pytest.raises(SpecError) as info:
        spec_from_toml(TOML_OK.replace(old, new, 1), source="spec.toml")
    message = str(info.value)
    assert message.startswith(f"spec.toml:{line}: {key}: "), message
    assert phrase in message and "\n" not in message


def test_toml_syntax_error_is_one_line_with_the_line_number():
    with pytest.raises(SpecError) as info:
        spec_from_toml(TOML_OK.replace("chunk_size = 50", "chunk_size = = 50"), source="spec.toml")
    assert str(info.value).startswith("spec.toml:8: invalid TOML") and "\n" not in str(info.value)
