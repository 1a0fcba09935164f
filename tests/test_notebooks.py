"""The notebooks are stored as sources and shown, executed, on the documentation site.

``bash .ci/run`` builds the site, which executes every notebook top to bottom (nbsphinx, an error in a cell
fails the build) and renders its figures; each notebook checks its physics with ``assert`` cells.  Here:
every notebook is stored without outputs (the site shows the outputs of the current code, never stale ones),
runs on the standard Python 3 kernel, has a title, writes no files, and is in the gallery.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
GALLERY = (ROOT / "docs" / "gallery.md").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_a_clean_source_in_the_gallery(path):
    notebook = json.loads(path.read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    first = notebook["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# ")
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert code, "a notebook without code"
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None, "stored with outputs"
        assert not re.search(r"savefig|to_parquet|to_csv|open\(.*['\"]w", "".join(cell["source"]))
    assert any("use_publication_style()" in "".join(cell["source"]) for cell in code)
    assert f"notebooks/{path.stem}\n" in GALLERY, f"{path.name} is not in docs/gallery.md"


def test_there_are_notebooks_for_the_three_papers_and_the_devices():
    stems = {p.stem for p in NOTEBOOKS}
    assert {"barnas2005_spin_valve", "manchon2012_mtj_electrode", "louis2025_macrospin_circuit"} <= stems
