"""Every notebook in notebooks/ runs top to bottom (code cells executed in order, figures to a temp dir)."""

import json
import os
from pathlib import Path

import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the notebooks draw figures: pip install 'fastspin[plot]'")

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    cells = json.loads(path.read_text())["cells"]
    namespace = {"__name__": "__notebook__"}
    for cell in cells:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), f"{path.name}", "exec"), namespace)
    assert any(name.endswith(".png") for name in os.listdir(tmp_path))
    import matplotlib.pyplot as plt

    plt.close("all")
