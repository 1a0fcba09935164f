"""Every public function and method of fastspin is typed: its parameters and its return (mypy checks them)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "fastspin"


def _untyped(path):
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name.startswith("_"):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            arguments = [
                a
                for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
                if a.arg not in ("self", "cls")
            ]
            for star in (node.args.vararg, node.args.kwarg):
                if star is not None:
                    arguments.append(star)
            missing = [a.arg for a in arguments if a.annotation is None]
            if node.returns is None and node.name != "__init__":
                missing.append("return")
            if missing:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {', '.join(missing)}")
    return found


def test_public_functions_are_typed():
    untyped = [entry for path in sorted(PACKAGE.rglob("*.py")) for entry in _untyped(path)]
    assert not untyped, f"{len(untyped)} public functions lack type hints:\n" + "\n".join(untyped)
