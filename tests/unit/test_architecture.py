"""The rooms of the code and the one direction imports run between them (docs/architecture.md).

Every `import` counts, at module level or inside a function: a lazy import is still a
dependency, and an upward one would be a cycle waiting to happen.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"dta_kg": ROOT / "kg", "dta_kg.loaders": ROOT / "loaders",
           "dta_kg.queries": ROOT / "queries", "dta_kg.ontology": ROOT / "ontology"}
# each room may import from rooms of a lower floor and from itself, never from a higher one
FLOORS = {
    "dta_kg.core": 0,
    "dta_kg.loaders": 1, "dta_kg.queries": 1, "dta_kg.ontology": 1,
    "dta_kg.pipeline": 2,
    "dta_kg.stores": 3,
    "dta_kg.query": 4,
    "dta_kg.curation": 5, "dta_kg.sinks": 5,
    "dta_kg.views": 6, "dta_kg.site": 6,
    "dta_kg.commands": 7,
    "dta_kg.cli": 8,
}
MAX_TOP_FLOOR_MODULES = 8
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            name = ".".join((package, *parts))
            if name.startswith("dta_kg.") and name.split(".")[1] in ("loaders", "queries", "ontology") \
                    and package == "dta_kg":
                continue
            found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules that module `name` imports, anywhere in its text."""
    out = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("dta_kg"):
                out.add(target)
    return out


def room(name: str) -> str:
    for prefix in sorted(FLOORS, key=len, reverse=True):
        if name == prefix or name.startswith(prefix + "."):
            return prefix
    return "dta_kg"


GRAPH = {n: imports(n, p, set(modules())) for n, p in modules().items()}


def test_every_module_is_in_a_room():
    assert [n for n in GRAPH if room(n) == "dta_kg" and n != "dta_kg"] == []


@pytest.mark.parametrize("name", sorted(GRAPH))
def test_imports_run_one_way(name):
    upward = sorted(t for t in GRAPH[name]
                    if room(t) != room(name) and FLOORS.get(room(t), -1) >= FLOORS[room(name)])
    assert upward == [], f"{name} imports from a floor at or above its own ({room(name)})"


def test_no_import_cycles():
    import networkx as nx

    graph = nx.DiGraph([(a, b) for a, targets in GRAPH.items() for b in targets])
    assert list(nx.simple_cycles(graph)) == []


def test_the_top_floor_stays_small_and_modules_short():
    top = [p for p in (ROOT / "kg").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_TOP_FLOOR_MODULES, [p.name for p in top]
    long = {str(p.relative_to(ROOT)): n for p in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_the_checker_sees_a_violation(tmp_path):
    """A module that imports upward is caught (the checker itself can fail)."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from dta_kg.commands import options\n", encoding="utf-8")
    found = imports("dta_kg.core.bad", bad, set(modules()) | {"dta_kg.core.bad"})
    assert "dta_kg.commands.options" in found and FLOORS[room("dta_kg.commands.options")] > 0
