"""The modules of fastspin import one another without cycles.

The graph is built statically from every ``import`` and ``from ... import`` statement of every module under
``fastspin/``, at any nesting level (an import inside a function closes a cycle as surely as one at the top,
only later).  ``from pkg import name`` is an edge to the submodule ``pkg.name`` when that is a module, else to
the submodule of ``pkg`` whose name ``pkg/__init__.py`` re-exports (``from .sub import name``), else to ``pkg``.
A package's ``__init__`` importing its own submodules is not an edge: that alone is no cycle.  Nor are the
imports under ``if TYPE_CHECKING:``, which never run (annotations only).

Also checked here: the layering fastspin.analysis -> fastspin.scan (never the reverse), the old import paths of
the names moved to fastspin.analysis, and the registry that scan model kinds fill by subclassing.
"""

import ast
from pathlib import Path

import pytest

from fastspin import analysis
from fastspin.scan import DynamicsModel, Model, PhiCModel, SystemModel, TransportModel, model_from_dict, phase
from fastspin.scan.model import MODEL_KINDS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "fastspin"


def module_files(root=ROOT, package=PACKAGE):
    """Module name -> path of every ``.py`` file of ``package`` (a package is named by its ``__init__.py``)."""
    files = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def imported_names(module, path, is_package):
    """``(base, names)`` of every import statement of ``module`` (absolute base; ``names`` empty for ``import``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = [ast.Pass()]  # type-only imports never run: not edges
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            yield base, tuple(alias.name for alias in node.names)


def reexports(path):
    """Name -> absolute module of the ``from .sub import name`` statements at the top of a package ``__init__``."""
    package = ".".join(path.relative_to(ROOT).parent.parts)
    found = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"{package}.{node.module}"
    return found


def import_graph(root=ROOT, package=PACKAGE):
    """Module -> set of the package's modules it imports (edges from a package to its own submodules left out)."""
    files = module_files(root, package)
    packages = {name for name, path in files.items() if path.name == "__init__.py"}
    exported = {name: reexports(files[name]) for name in packages}

    def target(base, name):
        if f"{base}.{name}" in files:
            return f"{base}.{name}"
        return exported.get(base, {}).get(name, base)

    graph = {}
    for module, path in files.items():
        edges = set()
        for base, names in imported_names(module, path, module in packages):
            for imported in [target(base, name) for name in names] or [base]:
                if imported in files and imported != module and not imported.startswith(f"{module}."):
                    edges.add(imported)
        graph[module] = edges
    return graph


def find_cycles(graph):
    """One cycle (a list of modules, first == last) per edge that closes one in a depth-first search."""
    cycles, done, path, on_path = [], set(), [], {}

    def visit(node):
        on_path[node] = len(path)
        path.append(node)
        for child in sorted(graph.get(node, ())):
            if child in on_path:
                cycles.append(path[on_path[child] :] + [child])
            elif child not in done:
                visit(child)
        path.pop()
        del on_path[node]
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node)
    return cycles


def test_the_graph_sees_imports_at_every_level():
    graph = import_graph()
    assert "fastspin.scan.model" in graph["fastspin.scan.spec"]
    assert "fastspin.validation" in graph["fastspin.stack"]
    assert not any(edge.startswith("fastspin.scan.") for edge in graph["fastspin.scan"])
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_import_cycles_in_fastspin():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_analysis_does_not_use_the_scan_machinery():
    graph = import_graph()
    uses = {
        (module, edge)
        for module, edges in graph.items()
        if module.startswith("fastspin.analysis")
        for edge in edges
        if edge == "fastspin.scan" or edge.startswith("fastspin.scan.")
    }
    assert not uses


def test_moved_names_keep_their_old_import_path():
    for name in ("find_phi_c", "collinear_prefactors", "critical_currents_linear", "critical_currents_dynamic"):
        assert getattr(phase, name) is getattr(analysis, name)


def test_model_kinds_register_themselves():
    assert MODEL_KINDS == {
        "transport": TransportModel,
        "phi_c": PhiCModel,
        "dynamics": DynamicsModel,
        "system": SystemModel,
    }

    class Constant(Model):
        kind = "constant_for_test"

        @classmethod
        def from_dict(cls, description):
            return cls()

    try:
        assert isinstance(model_from_dict({"kind": "constant_for_test"}), Constant)
        with pytest.raises(TypeError, match=r"is taken by .*\.Constant$"):
            type("Again", (Model,), {"kind": "constant_for_test", "from_dict": Constant.from_dict})
    finally:
        del MODEL_KINDS["constant_for_test"]
