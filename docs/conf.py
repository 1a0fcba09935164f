"""Sphinx configuration of the fastspin documentation (``sphinx-build -W -n docs docs/_build/html``).

Sphinx reads the docstrings (autodoc, with napoleon for the NumPy-style sections) and the pages in MyST
Markdown; nbsphinx executes every notebook of ``notebooks/`` (copied here to ``docs/notebooks``) and renders its
outputs, with a thumbnail gallery.  Nitpicky mode: a reference to a fastspin object that does not exist is a
warning, and the build treats warnings as errors.
"""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fastspin  # noqa: E402

# The notebooks live in notebooks/ at the top of the repository; Sphinx reads them from a copy in docs/notebooks
# (git-ignored, refreshed at every build).  A symbolic link would not do: nbsphinx refers to the figures it
# extracts by relative paths, and ".." out of a linked directory leaves the link's target, not docs/.
NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"
NOTEBOOKS.mkdir(exist_ok=True)
for stale in NOTEBOOKS.glob("*.ipynb"):
    stale.unlink()
for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
    shutil.copy2(notebook, NOTEBOOKS / notebook.name)

project = "fastspin"
author = "the fastspin developers"
copyright = "2026, the fastspin developers"
release = version = fastspin.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
    "nbsphinx",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "notebooks/README*"]
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# docstrings: members in source order, signatures without the (long) type hints, which the docstrings state
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "show-inheritance": True}
autosummary_generate = False
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

# a broken reference to a fastspin object fails the build; third-party names cannot be resolved offline
# (no intersphinx: CI reaches PyPI and Debian only), so they are not checked
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(numpy|np|npt|pandas|pd|scipy|matplotlib|dask|distributed|numba|xarray|collections|typing)\b.*"),
    (r"py:.*", r"(Figure|Axes|DataFrame|ndarray|ArrayLike|Path|Callable|Mapping|Sequence|Iterable|Any)"),
    (r"py:.*", r"(float|int|str|bool|complex|tuple|list|dict|None|object|type|callable)"),
    # the NumPy docstring standard's type words (numpydoc), not objects
    (r"py:.*", r"(array_like|optional)"),
]

# notebooks: executed at every build (they are stored without outputs); an error in a cell fails the build
nbsphinx_execute = os.environ.get("FASTSPIN_DOCS_EXECUTE", "always")
nbsphinx_allow_errors = False
nbsphinx_timeout = 1200
nbsphinx_execute_arguments = ["--InlineBackend.figure_formats={'png'}", "--InlineBackend.rc={'figure.dpi': 150}"]
nbsphinx_prolog = """
.. note:: This page is the executed notebook ``notebooks/{{ env.doc2path(env.docname, base=None).split('/')[-1] }}``
   of the fastspin repository; every figure below was computed when this site was built.
"""

html_theme = "furo"
html_title = f"fastspin {version}"
html_static_path = []
suppress_warnings = ["config.cache"]
