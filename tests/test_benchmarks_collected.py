"""The README's benchmark command, ``python -m pytest benchmarks --benchmark-only``, finds every benchmark file."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_benchmark_file_is_collected():
    files = sorted(p.name for p in (ROOT / "benchmarks").glob("bench_*.py"))
    assert files
    listed = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert listed.returncode == 0, listed.stdout[-2000:] + listed.stderr[-2000:]
    collected = {line.split("::")[0].split("/")[-1] for line in listed.stdout.splitlines() if "::" in line}
    assert collected == set(files), sorted(set(files) - collected)
    assert "python -m pytest benchmarks --benchmark-only" in (ROOT / "README.md").read_text()
