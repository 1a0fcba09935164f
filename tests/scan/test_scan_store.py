"""Parquet store: atomic chunk files, manifest, resume after a crash or a kill, refusal of a changed spec."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scan_helpers
from scan_helpers import failing, polynomial, slow, spec_of

import fastspin
from fastspin.scan import Axis, AxisInfo, FunctionModel, ScanMismatchError, ScanSpec, load_scan, read_manifest, run_scan
from fastspin.scan.store import ScanStore


@pytest.fixture
def no_failure():
    yield
    scan_helpers.FAIL["point"] = None


def test_directory_layout_manifest_and_round_trip(tmp_path):
    spec = spec_of(polynomial)
    frame = run_scan(spec, out=tmp_path / "scan", progress=False)
    files = sorted(p.name for p in (tmp_path / "scan").iterdir())
    assert files == [
        "checksums.jsonl",
        "chunk-000000.parquet",
        "chunk-000001.parquet",
        "chunk-000002.parquet",
        "chunk-000003.parquet",
        "chunk-000004.parquet",
        "chunk-000005.parquet",
        "manifest.json",
    ]
    manifest = read_manifest(tmp_path / "scan")
    assert manifest["fastspin_version"] == fastspin.__version__
    assert manifest["spec"] == json.loads(json.dumps(spec.to_dict()))
    assert manifest["fingerprint"] == spec.fingerprint() and manifest["n_chunks"] == 6
    pd.testing.assert_frame_equal(frame, load_scan(tmp_path / "scan"), check_exact=True)
    pd.testing.assert_frame_equal(frame, run_scan(spec, progress=False), check_exact=True)
    assert len(frame) == 35 and frame["point"].tolist() == list(range(35))


def test_crash_inside_a_chunk_then_rerun_gives_exactly_the_uninterrupted_rows(tmp_path, no_failure):
    reference = run_scan(spec_of(failing), progress=False)
    scan_helpers.FAIL["point"] = 20  # chunk 3 of 6
    with pytest.raises(RuntimeError, match="simulated crash"):
        run_scan(spec_of(failing), out=tmp_path / "scan", progress=False)
    on_disk = sorted(p.name for p in (tmp_path / "scan").glob("chunk-*.parquet"))
    assert on_disk == ["chunk-000000.parquet", "chunk-000001.parquet", "chunk-000002.parquet"]
    with pytest.raises(ValueError, match="3 of 6 chunks missing"):
        load_scan(tmp_path / "scan")
    assert len(load_scan(tmp_path / "scan", allow_partial=True)) == 18
    scan_helpers.FAIL["point"] = None
    scan_helpers.CALLS.clear()
    resumed = run_scan(spec_of(failing), out=tmp_path / "scan", progress=False)
    assert scan_helpers.CALLS == [18, 24, 30]  # only the unfinished chunks ran
    pd.testing.assert_frame_equal(resumed, reference, check_exact=True)


def test_killed_process_loses_nothing_finished_and_resumes(tmp_path):
    """SIGKILL a real scan process part way; the rerun completes with the rows of a clean run."""
    out = tmp_path / "scan"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(scan_helpers.__file__).parent)!r})
        from scan_helpers import slow, spec_of
        from fastspin.scan import run_scan
        run_scan(spec_of(slow, n_a=10, n_b=6, chunk_size=3), out={str(out)!r}, progress=False)
    """)
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob("chunk-*.parquet"))) < 4:
            assert process.poll() is None, "the scan process ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    finished = len(list(out.glob("chunk-*.parquet")))
    assert 4 <= finished < 20
    for path in out.glob("chunk-*.parquet"):  # every file on disk is a complete chunk
        assert len(pd.read_parquet(path)) == 3
    resumed = run_scan(spec_of(slow, n_a=10, n_b=6, chunk_size=3), out=out, progress=False)
    reference = run_scan(spec_of(polynomial, n_a=10, n_b=6, chunk_size=3), progress=False)
    pd.testing.assert_frame_equal(resumed, reference, check_exact=True)
    assert not list(out.glob(".*.tmp"))


def test_changed_spec_is_refused_and_nothing_is_written(tmp_path):
    run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "scan").iterdir()}
    changed = ScanSpec(polynomial, [Axis.linspace("a", -1.0, 1.5, 7), Axis("b", np.arange(5) * 0.5)], chunk_size=6)
    first = r"different spec \(first difference at spec.axes\[a\].linear\[1\]: 1.0 -> 1.5\)"
    with pytest.raises(ScanMismatchError, match=first):
        run_scan(changed, out=tmp_path / "scan", progress=False)
    with pytest.raises(ScanMismatchError, match=r"first difference at spec.chunk_size: 6 -> 7"):
        run_scan(spec_of(polynomial, chunk_size=7), out=tmp_path / "scan", progress=False)
    other_function = r"first difference at spec.model.function: 'scan_helpers:polynomial' -> 'scan_helpers:slow'"
    with pytest.raises(ScanMismatchError, match=other_function):
        run_scan(spec_of(slow), out=tmp_path / "scan", progress=False)
    assert before == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "scan").iterdir()}


def test_other_fastspin_version_and_orphan_chunks_are_refused(tmp_path, monkeypatch):
    run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)
    monkeypatch.setattr(fastspin, "__version__", "9.9.9")
    with pytest.raises(ScanMismatchError, match="written by fastspin 0.1.0, this is 9.9.9"):
        run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)
    monkeypatch.undo()
    (tmp_path / "scan" / "manifest.json").unlink()
    with pytest.raises(ScanMismatchError, match="chunk files but no manifest.json"):
        run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)


def test_other_code_is_refused(tmp_path, monkeypatch):
    """Same version string, changed sources: an interrupted scan is not resumed with other code."""
    import fastspin.scan.store as store_module

    run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)
    monkeypatch.setattr(store_module, "code_fingerprint", lambda: "0123456789abcdef")
    with pytest.raises(ScanMismatchError, match="other fastspin code"):
        run_scan(spec_of(polynomial), out=tmp_path / "scan", progress=False)


def test_a_stray_chunk_does_not_hide_a_missing_one(tmp_path):
    spec = spec_of(polynomial)
    run_scan(spec, out=tmp_path / "scan", progress=False)
    directory = tmp_path / "scan"
    n_chunks = read_manifest(directory)["n_chunks"]
    (directory / f"chunk-{0:06d}.parquet").rename(directory / f"chunk-{n_chunks + 5:06d}.parquet")
    with pytest.raises(ValueError, match="1 of"):
        load_scan(directory)


def test_reopening_keeps_the_temporaries_of_a_live_writer(tmp_path):
    spec = spec_of(polynomial)
    ScanStore.open(tmp_path / "scan", spec)
    parent = os.getppid()  # alive while this test runs
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    ).stdout.strip()
    live_tmp = tmp_path / "scan" / f".chunk-000001.parquet.{parent}.tmp"
    dead_tmp = tmp_path / "scan" / f".chunk-000002.parquet.{dead}.tmp"
    live_tmp.write_bytes(b"in progress")
    dead_tmp.write_bytes(b"left over")
    ScanStore.open(tmp_path / "scan", spec)
    assert live_tmp.exists() and not dead_tmp.exists()


def test_chunk_write_is_atomic(tmp_path, monkeypatch):
    """A failure while writing leaves no chunk file and no temporary behind."""
    store = ScanStore.open(tmp_path / "scan", spec_of(polynomial))
    import pyarrow.parquet as pq

    def broken(table, path):
        Path(path).write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write_chunk(0, pd.DataFrame({"point": [0], "y": [1.0]}))
    assert sorted(p.name for p in (tmp_path / "scan").iterdir()) == ["manifest.json"]


def complex_outputs(points):
    return pd.DataFrame({"g2": points["g"] * (1 + 2j), "label": np.where(points["g"].real > 0, "up", "down")})


def test_complex_and_string_columns_survive_parquet(tmp_path):
    model = FunctionModel(complex_outputs, axes={"g": AxisInfo(kind="complex")})
    spec = ScanSpec(model, {"g": [1 + 1j, -2 + 0.5j, 3j]}, chunk_size=2)
    in_memory = run_scan(spec, progress=False)
    on_disk = run_scan(spec, out=tmp_path / "scan", progress=False)
    pd.testing.assert_frame_equal(in_memory, on_disk, check_exact=True)
    assert list(on_disk.columns) == ["point", "g", "g2", "label"]
    np.testing.assert_array_equal(on_disk["g"].to_numpy(), [1 + 1j, -2 + 0.5j, 3j])
    np.testing.assert_array_equal(on_disk["g2"].to_numpy(), np.array([1 + 1j, -2 + 0.5j, 3j]) * (1 + 2j))
    assert on_disk["label"].tolist() == ["up", "down", "down"]


def _damage(path, how):
    data = bytearray(path.read_bytes())
    if how == "flip":
        for k in range(8):  # 8 bytes flipped in the middle of the file
            data[len(data) // 2 + 97 * k] ^= 0xFF
    else:
        data = data[: len(data) // 2]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["flip", "truncate"])
def test_a_damaged_chunk_is_refused_on_reading_and_computed_again_on_resume(tmp_path, how):
    spec = spec_of(polynomial)
    reference = run_scan(spec, out=tmp_path / "scan", progress=False)
    chunk = tmp_path / "scan" / "chunk-000002.parquet"
    _damage(chunk, how)
    with pytest.raises(ValueError, match="damaged chunks.*chunk-000002"):
        load_scan(tmp_path / "scan")
    with pytest.warns(RuntimeWarning, match="chunk-000002.parquet: damaged"):
        again = run_scan(spec, out=tmp_path / "scan", progress=False)
    pd.testing.assert_frame_equal(again, reference, check_exact=True)
    pd.testing.assert_frame_equal(load_scan(tmp_path / "scan"), reference, check_exact=True)


@pytest.mark.parametrize(
    "edit, word",
    [
        (lambda m: dict(m, n_chunks=3), "n_chunks = 3 does not match"),
        (lambda m: dict(m, n_chunks="6"), "n_chunks must be a positive integer"),
        (lambda m: [], "must be a JSON object"),
    ],
)
def test_an_edited_manifest_is_refused_naming_the_field(tmp_path, edit, word):
    spec = spec_of(polynomial)
    run_scan(spec, out=tmp_path / "scan", progress=False)
    path = tmp_path / "scan" / "manifest.json"
    path.write_text(json.dumps(edit(json.loads(path.read_text()))))
    with pytest.raises(ValueError, match=word):
        load_scan(tmp_path / "scan")


def test_a_stale_manifest_temporary_is_removed(tmp_path):
    spec = spec_of(polynomial)
    ScanStore.open(tmp_path / "scan", spec)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    ).stdout.strip()
    stale = tmp_path / "scan" / f".manifest.json.{dead}.tmp"
    stale.write_text("{")
    ScanStore.open(tmp_path / "scan", spec)
    assert not stale.exists()


def test_another_function_of_the_same_name_is_refused(tmp_path):
    def evaluate(points):
        return pd.DataFrame({"y": points["x"] ** 2})

    first = evaluate

    def evaluate(points):  # noqa: F811 - the same name, other code
        return pd.DataFrame({"y": points["x"] ** 3})

    axes = [Axis.linspace("x", 0.0, 1.0, 5)]
    run_scan(ScanSpec(FunctionModel(first), axes), out=tmp_path / "scan", progress=False)
    with pytest.raises(ScanMismatchError, match="spec.model.code"):
        run_scan(ScanSpec(FunctionModel(evaluate), axes), out=tmp_path / "scan", progress=False)
