"""Every error of the `fastspin` command is one line on stderr naming what is at fault; --debug shows the traceback.

Also the checks behind them: bad TOML refused at load time (key and line), bounded sizes, and the estimate of
the size of a scan's result against the memory or the disk available.
"""

import argparse
import errno
import os
import re
import time

import numpy as np
import pandas as pd
import pytest
import scan_helpers
from scan_helpers import failing, polynomial, spec_of

from fastspin import cli
from fastspin.cli import main
from fastspin.scan import (
    Axis,
    AxisInfo,
    FunctionModel,
    ScanSpec,
    SpecError,
    executors,
    load_scan,
    load_spec,
    run_scan,
)
from fastspin.scan import run as run_module
from fastspin.scan.store import ScanStore

SPEC = """[model]
kind = "transport"
preset = "barnas2005:fig5"

[scan]
chunk_size = 40

[axes]
"N.thickness" = {values = [5, 10, 20], unit = "nm"}
phi = {start = 0, stop = 180, num = 37, unit = "deg"}
"""


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text(SPEC)
    return path


@pytest.fixture
def no_failure():
    yield
    scan_helpers.FAIL["point"] = None


def one_line_error(capsys, *names):
    """The stderr of the command: exactly one line "fastspin: error: ..." naming every one of ``names``."""
    err = capsys.readouterr().err
    assert err.startswith("fastspin: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    for name in names:
        assert str(name) in err, (name, err)
    return err


def scan(spec, out, *options):
    return main(["scan", str(spec), "--out", str(out), "--quiet", *options])


def with_debug_raises(exception, spec, out, *options):
    """With --debug (before the command and after it) the exception propagates, traceback and all."""
    for argv in (
        ["--debug", "scan", str(spec), "--out", str(out), "--quiet", *options],
        ["scan", str(spec), "--out", str(out), "--quiet", "--debug", *options],
    ):
        with pytest.raises(exception):
            main(argv)


# ----------------------------------------------------------------------------------------------- the output
def test_out_is_a_regular_file(spec_file, tmp_path, capsys):
    out = tmp_path / "results"
    out.write_text("not a directory")
    assert scan(spec_file, out) == 1
    one_line_error(capsys, out, "not a directory")
    with_debug_raises(NotADirectoryError, spec_file, out)


@pytest.mark.parametrize(
    "command",
    [["switching", "--trajectories", "0"], ["hysteresis", "--points", "3"], ["pimm"], ["spectrum"], ["st-fmr"]],
)
def test_out_is_a_file_for_every_command_before_any_work(tmp_path, capsys, monkeypatch, command):
    out = tmp_path / "results"
    out.write_text("not a directory")
    for name in ("_switching", "_hysteresis", "_pimm", "_spectrum", "_st_fmr"):
        monkeypatch.setattr(cli, name, None)  # nothing may run: the check comes first
    assert main([command[0], "--out", str(out), *command[1:]]) == 1
    one_line_error(capsys, out, "not a directory")


def test_out_is_a_read_only_directory(spec_file, tmp_path, capsys):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o555)
    try:
        writable = os.access(out, os.W_OK)
        try:  # root writes anyway, whatever os.access says: then there is nothing to refuse
            (out / "probe").write_text("")
            (out / "probe").unlink()
            writable = True
        except PermissionError:
            pass
        if writable:
            pytest.skip("this user can write into a 0o555 directory (root)")
        assert scan(spec_file, out) == 1
        one_line_error(capsys, out, "permission")
        with_debug_raises(PermissionError, spec_file, out)
    finally:
        out.chmod(0o755)


def test_disk_full_names_the_file(spec_file, tmp_path, capsys, monkeypatch):
    def full(self, index, frame):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(ScanStore, "write_chunk", full)
    out = tmp_path / "out"
    assert scan(spec_file, out) == 1
    one_line_error(capsys, out / "chunk-000000.parquet", os.strerror(errno.ENOSPC))
    with_debug_raises(OSError, spec_file, tmp_path / "debug")


# ------------------------------------------------------------------------------------------- the spec file
def test_spec_path_is_a_directory(tmp_path, capsys):
    assert scan(tmp_path, tmp_path / "out") == 2
    one_line_error(capsys, f"{tmp_path}: is a directory")
    with_debug_raises(SpecError, tmp_path, tmp_path / "out")


def test_spec_file_that_is_not_utf8(spec_file, tmp_path, capsys):
    spec_file.write_bytes(SPEC.encode().replace(b'kind = "transport"', b'kind = "transport" # \xff'))
    assert scan(spec_file, tmp_path / "out") == 2
    one_line_error(capsys, f"{spec_file}:2: not UTF-8", "0xff", f"position {SPEC.index('kind') + 21}")
    assert not (tmp_path / "out").exists()


def test_toml_error_at_the_end_of_the_file_names_the_last_line(spec_file, tmp_path, capsys):
    spec_file.write_text(SPEC + "broken = [1,\n")
    assert scan(spec_file, tmp_path / "out") == 2
    one_line_error(capsys, f"{spec_file}:{SPEC.count(chr(10)) + 1}: invalid TOML", "end of document")


def test_toml_error_inside_the_file_keeps_its_line(spec_file, tmp_path, capsys):
    spec_file.write_text(SPEC.replace("chunk_size = 40", "chunk_size = = 40"))
    assert scan(spec_file, tmp_path / "out") == 2
    one_line_error(capsys, f"{spec_file}:6: invalid TOML")


@pytest.mark.parametrize(
    "model, line, key, message",
    [
        ('kind = "phi_c"\nn_coarse = 1', 3, "model.n_coarse", "[2, 2**16 = 65536]"),
        ('kind = "phi_c"\nn_coarse = 100000', 3, "model.n_coarse", "got 100000"),
        ('kind = "phi_c"\nn_coarse = 1e11', 3, "model.n_coarse", "integer"),
        ('kind = "dynamics"\nduration = 1e-9\ndt = 1e-300', 4, "model.dt", "MAX_STEPS"),
        ('kind = "dynamics"\nduration = 1e-9\ndt = 1e-13\nmax_duration = 2e-3', 5, "model.max_duration", "MAX_STEPS"),
        ('kind = "dynamics"\nseed = 18446744073709551615', 3, "model.seed", "2^64"),
        ('kind = "dynamics"\nn_angles = 1000000000', 3, "model.n_angles", "at most 2**27 = 134217728"),
    ],
)
def test_model_options_the_run_would_refuse_are_refused_at_load(tmp_path, capsys, model, line, key, message):
    path = tmp_path / "spec.toml"
    path.write_text(f'[model]\n{model}\n\n[axes]\n"F1.beta" = [0.1, 0.2]\n')
    with pytest.raises(SpecError, match=rf"^{re.escape(str(path))}:{line}: {key}: .*{re.escape(message)}"):
        load_spec(path)
    assert scan(path, tmp_path / "out") == 2
    one_line_error(capsys, f"{path}:{line}: {key}", message)
    assert not (tmp_path / "out").exists()  # refused before any work


@pytest.mark.parametrize(
    "axes, key, message",
    [
        ("phi = {start = 0, stop = 1, num = 1e14}", "axes.phi.num", "must be an integer, got 100000000000000.0"),
        ("phi = {start = 0, stop = 1, num = 100000000000000}", "axes.phi.num", "limit of 2**27 = 134217728"),
        (
            "\n".join(
                f"{name} = {{start = 0.1, stop = 0.2, num = 16384}}" for name in ("phi", '"N.thickness"', '"F1.beta"')
            ),
            "axes",
            "limit of 2**40 = 1099511627776 points",
        ),
    ],
)
def test_sizes_are_integers_and_bounded(tmp_path, capsys, axes, key, message):
    path = tmp_path / "spec.toml"
    path.write_text(f'[model]\nkind = "transport"\n\n[axes]\n{axes}\n')
    assert scan(path, tmp_path / "out") == 2
    one_line_error(capsys, f"{path}:", key, message)


def test_chunk_size_is_bounded():
    with pytest.raises(
        SpecError, match=r"scan.chunk_size: must be a positive integer <= 2\*\*27 = 134217728, got 134217729"
    ):
        spec_of(polynomial, chunk_size=2**27 + 1)


# ------------------------------------------------------------------------------------------- executors, plot
def test_unreachable_dask_scheduler_is_one_line_within_seconds(spec_file, tmp_path, capsys, monkeypatch):
    pytest.importorskip("distributed")
    from dask.utils import parse_timedelta

    assert parse_timedelta(executors.CONNECT_TIMEOUT) <= 10
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    start = time.perf_counter()
    assert scan(spec_file, tmp_path / "out", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1") == 1
    assert time.perf_counter() - start < 10
    one_line_error(capsys, "no scheduler answered at tcp://127.0.0.1:1")


def labelled(points):
    """A model over a category axis ``start`` (like the dynamics model): one real and one label output."""
    return pd.DataFrame(
        {
            "value": points["x"] * np.where(points["start"] == "P", 1.0, -1.0),
            "label": np.where(points["x"] > 0, "up", "down"),
        }
    )


def test_plot_refuses_an_axis_that_is_not_real_numbers(tmp_path, capsys):
    axes = {"start": AxisInfo(kind="category", categories=("P", "AP")), "x": AxisInfo()}
    spec = ScanSpec(FunctionModel(labelled, axes=axes), [Axis("start", ["P", "AP"]), Axis.linspace("x", -1, 1, 3)])
    run_scan(spec, out=tmp_path / "scan", progress=False)
    png = tmp_path / "map.png"
    for option, column in (("--y", "start"), ("--x", "label")):
        argv = ["plot", str(tmp_path / "scan"), "--x", "x", "--y", "point", "--color", "value", "-o", str(png)]
        argv[argv.index(option) + 1] = column
        assert main(argv) == 2
        err = one_line_error(capsys, f"{option} '{column}'", "holds labels")
        assert err.endswith(f"(columns of real numbers in {tmp_path / 'scan'}: point, x, value)\n")
        assert not png.exists()


# -------------------------------------------------------------------------------------------- number options
@pytest.mark.parametrize(
    "command, option, values",
    [
        ("phase-diagram", "--current", ["0", "1", "nan"]),
        ("phase-diagram", "--current", ["0", "inf", "3"]),
        ("spectrum", "--current", ["1", "3", "NaN"]),
        ("spectrum", "--temperature", ["0", "1e400"]),
    ],
)
def test_numbers_must_be_finite(command, option, values, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--out", "never", option, *values])
    assert info.value.code == 2
    bad = next(v for v in values if not np.isfinite(float(v)))
    one_line_error(capsys, f"argument {option}: must be a finite number, got '{bad}'")


def test_every_number_option_is_checked_finite():
    parser = cli._build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    numeric = [
        action for command in commands.values() for action in command._actions if action.type in (float, cli._number)
    ]
    assert numeric and all(action.type is cli._number for action in numeric)


def test_usage_errors_are_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["scan"])
    assert info.value.code == 2
    one_line_error(capsys, "required", "fastspin scan --help")


# ------------------------------------------------------------------------------------------------ catch-all
def test_unexpected_errors_are_one_line_with_their_type(spec_file, tmp_path, capsys, monkeypatch):
    def broken(args):
        raise RuntimeError("something broke\nover two lines")

    monkeypatch.setattr(cli, "_scan", broken)
    assert scan(spec_file, tmp_path / "out") == 1
    err = one_line_error(capsys, "RuntimeError: something broke over two lines", "--debug")
    assert err.endswith("(run with --debug for the traceback)\n")
    with_debug_raises(RuntimeError, spec_file, tmp_path / "out")


def test_os_errors_name_the_file(spec_file, tmp_path, capsys, monkeypatch):
    def denied(args):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(args.out / "manifest.json"))

    monkeypatch.setattr(cli, "_scan", denied)
    assert scan(spec_file, tmp_path / "out") == 1
    one_line_error(capsys, f"{tmp_path / 'out' / 'manifest.json'}: {os.strerror(errno.EACCES)}")


def test_interrupt_says_what_is_kept(spec_file, tmp_path, capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_scan", interrupted)
    assert scan(spec_file, tmp_path / "out") == 130
    assert capsys.readouterr().err == (
        f"fastspin: interrupted; finished chunks are kept in {tmp_path / 'out'}, run the same command to resume\n"
    )


# ----------------------------------------------------------------------------------- size of the result
def test_a_result_larger_than_the_memory_is_refused_before_any_work(monkeypatch, no_failure):
    monkeypatch.setattr(run_module, "available_memory", lambda: 1000)
    scan_helpers.CALLS.clear()
    with pytest.raises(
        ValueError,
        match=r"^scan of 35 points needs about 1.68 kB in memory \(1 kB available\): "
        r"pass out=\.\.\. to store it on disk in chunks$",
    ):
        run_scan(spec_of(failing), progress=False)
    assert scan_helpers.CALLS == []


def test_the_first_chunk_gives_the_real_size(monkeypatch, no_failure):
    """2 axes and the point index: 24 bytes a row before the run (1.68 kB); the rows of a chunk hold 5 columns."""
    monkeypatch.setattr(run_module, "available_memory", lambda: 2000)
    scan_helpers.CALLS.clear()
    with pytest.raises(ValueError, match="in memory"):
        run_scan(spec_of(failing), progress=False)
    assert scan_helpers.CALLS == [0]
    monkeypatch.setattr(run_module, "available_memory", lambda: None)  # unknown: not checked
    assert len(run_scan(spec_of(polynomial), progress=False)) == 35


def test_a_stored_result_larger_than_the_memory_stays_on_disk(tmp_path, monkeypatch, no_failure):
    """With out=..., the returned frame must fit in memory too; load=False keeps the result on disk only."""
    monkeypatch.setattr(run_module, "available_memory", lambda: 1000)
    with pytest.raises(ValueError, match=r"in memory \(1 kB available\): pass load=False to keep it on disk only"):
        run_scan(spec_of(polynomial), out=tmp_path / "big", progress=False)
    assert run_scan(spec_of(polynomial), out=tmp_path / "big", progress=False, load=False) is None
    monkeypatch.setattr(run_module, "available_memory", lambda: None)
    assert len(load_scan(tmp_path / "big")) == 35
    with pytest.raises(ValueError, match="load=False keeps the result on disk: it needs out="):
        run_scan(spec_of(polynomial), progress=False, load=False)


def test_a_result_larger_than_the_free_disk_is_refused(spec_file, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_module, "free_disk", lambda path: 100)
    out = tmp_path / "out"
    with pytest.raises(
        ValueError,
        match=rf"^scan of 35 points needs about 840 B on disk at {re.escape(str(out))} "
        r"\(100 B free\)$",
    ):
        run_scan(spec_of(polynomial), out=out, progress=False)
    assert scan(spec_file, tmp_path / "cli") == 2
    one_line_error(capsys, "scan of 111 points", f"on disk at {tmp_path / 'cli'}", "(100 B free)")


def test_a_resumed_scan_needs_room_for_its_remaining_chunks_only(tmp_path, monkeypatch, no_failure):
    out = tmp_path / "scan"
    scan_helpers.FAIL["point"] = 20  # chunks 0, 1, 2 of 6 are written
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_scan(spec_of(failing), out=out, progress=False)
    scan_helpers.FAIL["point"] = None
    per_row = (out / "chunk-000000.parquet").stat().st_size / 6
    monkeypatch.setattr(run_module, "free_disk", lambda path: 20 * per_row)  # 17 rows to compute, 35 in all
    with pytest.raises(ValueError, match=r"scan of 35 points \(29 still to compute\) needs about .* on disk"):
        run_scan(spec_of(failing), out=tmp_path / "fresh", progress=False)  # refused after its first chunk
    assert len(run_scan(spec_of(failing), out=out, progress=False)) == 35
