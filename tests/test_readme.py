"""The README stays true: its two set-up commands, the CI script, and every Python example (with its output)."""

import contextlib
import io
import re
import shutil
import warnings
from pathlib import Path

import pytest

from fastspin.validation import FixedPointWarning

matplotlib = pytest.importorskip("matplotlib", reason="the README examples draw figures: pip install 'fastspin[plot]'")

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_first_two_commands():
    first = _blocks("bash")[0].strip().splitlines()
    assert len(first) == 2
    assert first[0] == 'pip install -e ".[all]" && fastspin phase-diagram --preset fig5 --out out/fig5'
    assert first[1] == "bash .ci/run"
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -q -e ".[test,io,plot,dask,cuda]" && python -m pytest -q -p no:cacheprovider' in ci
    assert "apt-get install" in ci and "ngspice" in ci


@pytest.mark.compiled
def test_python_examples_run_and_print_what_the_readme_shows(tmp_path, monkeypatch):
    """Every block runs; the first prints what the README shows; every dynamics sweep shows more than one state."""
    import fastspin.dynamics

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    sweeps = []

    def recorded(*args, **kwargs):
        frame = simulate(*args, **kwargs)
        labels = [c for c in frame.columns if c == "state" or c.endswith(".state")]
        sweeps.append((len(frame), {str(x) for c in labels for x in frame[c].unique()}))
        return frame

    simulate = fastspin.dynamics.simulate
    monkeypatch.setattr(fastspin.dynamics, "simulate", recorded)
    blocks = _blocks("python")
    namespace = {}
    shown = re.search(r"```python\n.*?```\n```\n(.*?)```", README, flags=re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(blocks[0], namespace)
    assert out.getvalue() == shown
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FixedPointWarning)
        for block in blocks[1:]:
            if "run_ngspice" in block and shutil.which("ngspice") is None:
                block = block.replace("sp = run_ngspice", "sp = None and run_ngspice")
            with contextlib.redirect_stdout(io.StringIO()):
                exec(block, namespace)
    assert not [w for w in caught if issubclass(w.category, FixedPointWarning)], "an example starts at a fixed point"
    assert len(sweeps) >= 7, sweeps  # the dynamics, system and GPU examples (more when an experiment is imported late)
    trivial = [(n, states) for n, states in sweeps if n > 1 and len(states) < 2]
    assert not trivial, f"dynamics examples whose every trajectory ends in one state: {trivial}"
