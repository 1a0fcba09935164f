"""The `fastspin` command: scan, phase-diagram, plot, presets, help with units, one-line errors."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from fastspin.cli import main
from fastspin.scan import load_scan, load_spec, read_manifest, run_scan

SPEC = """[model]
kind = "transport"
preset = "barnas2005:fig5"

[scan]
chunk_size = 40

[axes]
"N.thickness" = {values = [5, 10, 20], unit = "nm"}
phi = {start = 0, stop = 180, num = 37, unit = "deg"}
"""

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC)
    return path


def test_scan_writes_the_dataset_and_reruns_as_a_no_op(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["scan", str(spec_file), "--out", str(out), "--quiet"]) == 0
    assert "111 points" in capsys.readouterr().out
    frame = load_scan(out)
    pd.testing.assert_frame_equal(frame, run_scan(load_spec(spec_file), progress=False), check_exact=True)
    assert read_manifest(out)["n_chunks"] == 3 and len(list(out.glob("chunk-*.parquet"))) == 3
    stamps = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    assert main(["scan", str(spec_file), "--out", str(out), "--quiet"]) == 0
    assert stamps == {p: p.stat().st_mtime_ns for p in out.iterdir()}


def test_scan_through_a_dask_scheduler(spec_file, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code = main(
            [
                "scan",
                str(spec_file),
                "--out",
                str(tmp_path / "dask"),
                "--quiet",
                "--executor",
                "dask",
                "--scheduler",
                cluster.scheduler_address,
            ]
        )
    assert code == 0
    pd.testing.assert_frame_equal(
        load_scan(tmp_path / "dask"), run_scan(load_spec(spec_file), progress=False), check_exact=True
    )


def test_errors_are_one_line_with_key_and_line(spec_file, tmp_path, capsys):
    spec_file.write_text(SPEC.replace("values = [5, 10, 20]", "values = [5, -10, 20]"))
    assert main(["scan", str(spec_file), "--out", str(tmp_path / "bad"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"fastspin: error: {spec_file}:9: axes.N.thickness: value -1e-08 m in the grid: values must be > 0\n"
    )
    assert not (tmp_path / "bad").exists()  # refused before any work


def test_changed_spec_on_an_existing_directory_is_refused(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["scan", str(spec_file), "--out", str(out), "--quiet"]) == 0
    spec_file.write_text(SPEC.replace("num = 37", "num = 19"))
    assert main(["scan", str(spec_file), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "different spec (first difference at spec.axes[phi].linear[2]: 37 -> 19)" in err
    assert err.count("\n") == 1


def test_scheduler_needs_the_dask_executor(spec_file, tmp_path, capsys):
    assert main(["scan", str(spec_file), "--out", str(tmp_path / "o"), "--scheduler", "tcp://localhost:1"]) == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err


@pytest.mark.compiled
def test_dynamic_phase_diagram_writes_parquet_png_and_critical_currents(tmp_path, capsys):
    out = tmp_path / "pd"
    code = main(
        [
            "phase-diagram",
            "--preset",
            "fig5",
            "--out",
            str(out),
            "--quiet",
            "--current",
            "-1000",
            "400",
            "8",
            "--field",
            "-80",
            "80",
            "3",
            "--duration",
            "1",
        ]
    )
    assert code == 0
    assert (out / "phase_diagram.png").read_bytes().startswith(PNG_MAGIC)
    frame = load_scan(out)
    assert len(frame) == 2 * 3 * 8 and set(frame["start"]) == {"P", "AP"}
    np.testing.assert_allclose(np.unique(frame["field"]), np.linspace(-0.08, 0.08, 3), rtol=1e-12)
    np.testing.assert_allclose(np.unique(frame["current_density"]), np.linspace(-1e13, 4e12, 8), rtol=1e-12)
    table = pd.read_csv(out / "critical_currents.csv")
    assert list(table.columns) == ["field", "j_c_p_linear", "j_c_ap_linear", "j_c_p_dynamic", "j_c_ap_dynamic"]
    assert "J_c(P) =" in capsys.readouterr().out
    for color in ("state", "start_stable", "frequency"):  # categorical, boolean and continuous columns
        png = tmp_path / f"{color}.png"
        assert main(["plot", str(out), "--x", "current_density", "--y", "field", "--color", color, "-o", str(png)]) == 0
        assert png.read_bytes().startswith(PNG_MAGIC)


def test_phi_c_phase_diagram(tmp_path):
    out = tmp_path / "phic"
    assert (
        main(
            [
                "phase-diagram",
                "phi-c",
                "--out",
                str(out),
                "--quiet",
                "--beta1",
                "0",
                "0.2",
                "3",
                "--gamma1",
                "-0.5",
                "0.5",
                "5",
            ]
        )
        == 0
    )
    frame = load_scan(out)
    assert len(frame) == 15 and frame["phi_c"].notna().any() and frame["phi_c"].isna().any()
    for name in ("phase_diagram.png", "phi_c_curves.png"):
        assert (out / name).read_bytes().startswith(PNG_MAGIC)


def test_plot_command_draws_categorical_and_continuous_maps(spec_file, tmp_path, capsys):
    out = tmp_path / "out"
    main(["scan", str(spec_file), "--out", str(out), "--quiet"])
    assert (
        main(
            [
                "plot",
                str(out),
                "--x",
                "phi",
                "--y",
                "N.thickness",
                "--color",
                "tau_phi",
                "-o",
                str(tmp_path / "tau.png"),
            ]
        )
        == 0
    )
    assert (tmp_path / "tau.png").read_bytes().startswith(PNG_MAGIC)
    assert (
        main(["plot", str(out), "--x", "phi", "--y", "N.thickness", "--color", "nope", "-o", str(tmp_path / "x.png")])
        == 2
    )
    assert "no column 'nope'" in capsys.readouterr().err


def test_help_explains_options_with_units(capsys):
    for argv in (["phase-diagram", "--help"], ["scan", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    text = capsys.readouterr().out
    for phrase in ("MA/cm^2", "in mT", "ns (10)", "ps (1)", "A/m", "tcp://", "chunk_size", 'unit = "mT"'):
        assert phrase in text


def test_presets_and_the_installed_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "fastspin.cli", "presets"], capture_output=True, text=True, check=True
    )
    assert "barnas2005:fig5" in result.stdout and "Co/Cu" in result.stdout
    from importlib.metadata import entry_points

    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "fastspin"]
    assert script.value == "fastspin.cli:main"


def test_grid_step_of_a_single_current():
    from fastspin.cli import _grid_step

    assert _grid_step([2.0]) == "n/a (single value)" and _grid_step([1.0, 3.0, 2.0]) == "1"


@pytest.mark.compiled
def test_phase_diagram_csv_and_plot_read_one_label(tmp_path, capsys):
    """The main job on a coarse grid: every cell has one ``state`` (the phase diagram and ``fastspin plot`` draw
    it); the critical currents of the CSV are where that label leaves the start state; field-only runs ring
    down into P or AP (never a precession)."""
    out = tmp_path / "fig5"
    assert (
        main(
            [
                "phase-diagram",
                "--preset",
                "fig5",
                "--out",
                str(out),
                "--current",
                "-1200",
                "1200",
                "13",
                "--field",
                "-90",
                "90",
                "7",
                "--quiet",
            ]
        )
        == 0
    )
    frame = load_scan(out)
    assert "phase" not in frame.columns and frame["state"].notna().all()
    table = pd.read_csv(out / "critical_currents.csv")
    for start, state in (("P", "parallel"), ("AP", "antiparallel")):
        rows = frame[frame["start"] == start]
        at_rest = rows[rows["current_density"] == 0.0]
        assert set(at_rest["state"].astype(str)) <= {"parallel", "antiparallel"}
        for _, row in table.iterrows():
            cells = rows[np.isclose(rows["field"], row["field"])].sort_values("current_density")
            j_c = row[f"j_c_{start.lower()}_dynamic"]
            labels = cells["state"].astype(str).to_numpy()
            current = cells["current_density"].to_numpy()
            if np.isfinite(j_c):  # inside the threshold the start state; the first cell beyond it is not
                inside = (current * np.sign(j_c) >= 0) & (np.abs(current) < abs(j_c))
                assert (labels[inside] == state).all()
                beyond = np.flatnonzero((current * np.sign(j_c) > 0) & (np.abs(current) > abs(j_c)))
                assert labels[beyond[0] if np.sign(j_c) > 0 else beyond[-1]] != state
    assert (
        main(
            [
                "plot",
                str(out),
                "--x",
                "current_density",
                "--y",
                "field",
                "--color",
                "state",
                "--facet",
                "start",
                "-o",
                str(tmp_path / "map.png"),
            ]
        )
        == 0
    )
    assert (tmp_path / "map.png").read_bytes()[:8] == PNG_MAGIC
