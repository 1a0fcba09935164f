"""The documentation's commands work as written: the getting-started examples, and the large-scans page (a
local scan, a Dask scheduler and workers started by its own command lines, resume after a lost chunk, the
LocalCluster snippet, the plot).  Building the site itself (every notebook executed, warnings as errors) is a
step of ``bash .ci/run``."""

import ast
import re
import shlex
import socket
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from fastspin.scan import load_scan

DOCS = Path(__file__).parents[1] / "docs"


def _blocks(page, language):
    return re.findall(rf"```{language}\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(command, cwd):
    done = subprocess.run(shlex.split(command), cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.mark.compiled
def test_getting_started_examples_run(tmp_path, monkeypatch):
    pytest.importorskip("pyarrow", reason="the scan example writes Parquet: pip install 'fastspin[io]'")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in _blocks("getting-started.md", "python"):
        exec(compile(block, "getting-started.md", "exec"), namespace)
    assert len(namespace["frame"]) == 10 * 91
    assert namespace["states"]["state"].nunique() > 1


@pytest.mark.compiled
def test_large_scan_commands_local_dask_resume_and_plot(tmp_path):
    pytest.importorskip("distributed", reason="the Dask executor: pip install 'fastspin[dask]'")
    pytest.importorskip("pyarrow", reason="scans write Parquet: pip install 'fastspin[io]'")
    pytest.importorskip("matplotlib", reason="fastspin plot: pip install 'fastspin[plot]'")
    (spec,) = _blocks("large-scans.md", "toml")
    (tmp_path / "spec.toml").write_text(spec)
    bash = [line.split("#")[0].strip() for b in _blocks("large-scans.md", "bash") for line in b.splitlines()]
    local, scheduler, worker, dask_scan, slurm_scan, resume, plot = [line for line in bash if line]
    assert "/scratch/" in slurm_scan and resume == dask_scan

    _run(local, tmp_path)
    reference = load_scan(tmp_path / "out" / "thickness")
    assert len(reference) == 10 * 181

    port = str(_free_port())
    background = []
    try:
        for line in (scheduler, worker):
            command = line.rstrip("&").strip().replace("8786", port)
            background.append(subprocess.Popen(shlex.split(command), cwd=tmp_path, stderr=subprocess.DEVNULL))
            time.sleep(3)
        distributed_out = dask_scan.replace("8786", port).replace("out/thickness", "out/dask")
        _run(distributed_out, tmp_path)
        pd.testing.assert_frame_equal(load_scan(tmp_path / "out" / "dask"), reference)

        # a lost chunk (a killed job): the same command computes it again and nothing else
        chunks = sorted((tmp_path / "out" / "dask").rglob("*.parquet"))
        assert len(chunks) == 4  # 1810 points in chunks of 500
        chunks[1].unlink()
        _run(resume.replace("8786", port).replace("out/thickness", "out/dask"), tmp_path)
        pd.testing.assert_frame_equal(load_scan(tmp_path / "out" / "dask"), reference)
    finally:
        for process in background:
            process.terminate()
            process.wait(timeout=30)

    (snippet, slurm) = _blocks("large-scans.md", "python")
    ast.parse(slurm)  # needs a SLURM cluster: checked for syntax only
    namespace: dict = {}
    code = snippet.replace('out="out/thickness"', f'out="{tmp_path / "out" / "local_cluster"}"').replace(
        'load_spec("spec.toml")', f'load_spec("{tmp_path / "spec.toml"}")'
    )
    exec(compile(code, "large-scans.md", "exec"), namespace)
    pd.testing.assert_frame_equal(namespace["frame"], reference)

    _run(plot, tmp_path)
    assert (tmp_path / "map.png").stat().st_size > 10_000
