"""The training app's modules depend on one another one way only (no import circle,
not even one hidden in a function body)."""

from __future__ import annotations

import ast
from pathlib import Path

import nnweb.training

APP = Path(nnweb.training.__file__).parent


def _internal_imports(path: Path) -> set[str]:
    """Names of the app's own modules that ``path`` imports anywhere (top level or local)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("nnweb.training."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("nnweb.training."):
                    found.add(a.name.split(".")[2])
    return found


def test_no_import_cycle_in_the_training_app():
    graph = {p.stem: _internal_imports(p) for p in APP.glob("*.py")}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(mod: str) -> None:
        state[mod] = 1
        path.append(mod)
        for dep in sorted(graph.get(mod, ())):
            if state.get(dep) == 1:
                cycle = path[path.index(dep) :] + [dep]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[mod] = 2

    for mod in sorted(graph):
        if mod not in state:
            visit(mod)


def test_the_trainers_sit_below_the_service():
    assert "services" not in _internal_imports(APP / "tasks.py")
    assert "services" not in _internal_imports(APP / "detection.py")
    assert "tasks" not in _internal_imports(APP / "detection.py")
