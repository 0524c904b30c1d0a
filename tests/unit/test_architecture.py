"""The rooms of the code and the one direction imports run between them (docs/architecture.md).

Every `import` counts, at module level or inside a function: a lazy import is still a
dependency, and an upward one would be a cycle waiting to happen. An import inside a function
says why it is there, in a `# lazy: <reason>` comment (see "Lazy imports" in the same document).
"""

from __future__ import annotations

import ast
import re
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
# "# lazy: <reason>": on the import's line, or on the line above it or above its run of imports
LAZY = re.compile(r"#\s*lazy:\s*\S.{9,}")
# where one column-0 `# lazy:` comment may cover every function-level import of the module:
# the click commands, which import the library when they run so that `dta-kg --help` stays fast
MODULE_WIDE_LAZY = ("kg/commands/", "kg/cli.py")


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


def unexplained_lazy_imports(path: Path, relative: str) -> list[str]:
    """'file:line module' for each import inside a function of `path` that no `# lazy:`
    comment explains (`relative` is the path from the repository root, with / separators)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if relative.startswith(MODULE_WIDE_LAZY) and any(LAZY.match(line) for line in lines):
        return []
    found = set()
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        nodes = [n for n in ast.walk(function) if isinstance(n, ast.Import | ast.ImportFrom)]
        covered = {i for n in nodes for i in range(n.lineno, (n.end_lineno or n.lineno) + 1)}
        for node in nodes:
            own = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            above = node.lineno - 1
            while above >= 1 and (above in covered or not lines[above - 1].strip()):
                above -= 1
            if any(LAZY.search(lines[i - 1]) for i in own) or \
                    (above >= 1 and LAZY.match(lines[above - 1].strip())):
                continue
            names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                else ["." * node.level + (node.module or "")]
            found |= {f"{relative}:{node.lineno} {name}" for name in names}
    return sorted(found)


def test_every_function_level_import_says_why():
    unexplained = [line for path in modules().values()
                   for line in unexplained_lazy_imports(path, path.relative_to(ROOT).as_posix())]
    assert unexplained == [], "give each a '# lazy: <reason>' comment, or move it to the top"


def test_the_lazy_checker_sees_a_missing_reason(tmp_path):
    """An unexplained function-level import is caught; a `# lazy:` comment on its line, above
    it or above its run of imports explains it; a module-wide comment counts only in commands."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    import json\n\n    return json\n\n\n"
                   "def g():\n    x = 1  # lazy: a comment on another statement\n"
                   "    from rdflib import Graph\n    return Graph, x\n", encoding="utf-8")
    assert unexplained_lazy_imports(bad, "kg/core/bad.py") == [
        "kg/core/bad.py:2 json", "kg/core/bad.py:9 rdflib"]
    good = tmp_path / "good.py"
    good.write_text("def f():\n    # lazy: rdflib loads ~70 ms, only checks need it\n"
                    "    from rdflib import Graph\n\n    from dta_kg.core import files\n"
                    "    import json  # lazy: a stand-in reason for the test\n"
                    "    return Graph, files, json\n", encoding="utf-8")
    assert unexplained_lazy_imports(good, "kg/core/good.py") == []
    wide = tmp_path / "wide.py"
    wide.write_text("import click\n\n# lazy: commands import the library when they run\n\n\n"
                    "def f():\n    import json\n    return json\n", encoding="utf-8")
    assert unexplained_lazy_imports(wide, "kg/commands/wide.py") == []
    assert unexplained_lazy_imports(wide, "kg/sinks/wide.py") == ["kg/sinks/wide.py:7 json"]
    terse = tmp_path / "terse.py"
    terse.write_text("def f():\n    import json  # lazy:\n    return json\n", encoding="utf-8")
    assert unexplained_lazy_imports(terse, "kg/core/terse.py") == ["kg/core/terse.py:2 json"]


# the modules that may read a file with Path.read_text / read_bytes, not through
# dta_kg.core.limits (bounded, regular files only): each reads files dta-kg itself ships or writes
UNBOUNDED_READS = {
    "kg/pipeline/checks.py": "the package's QC queries",
    "kg/pipeline/jsonld.py": "the package's JSON-LD context",
    "kg/pipeline/manifest.py": "the build's own stamp and record index",
    "kg/site/release.py": "the package's ontology",
    "kg/stores/local.py": "the build's own vocabulary",
    "kg/views/generated.py": "the checkout's own documentation files (`dta-kg generate`)",
    "kg/views/model_diagram.py": "a package asset",
    "kg/views/page.py": "package assets",
    "loaders/review_text.py": "the package's text of the review",
    "loaders/terms.py": "the package's ontology",
    "queries/catalogue.py": "the package's named queries",
}


def whole_file_reads(path: Path) -> list[int]:
    """The lines of `path` that call `.read_text(` or `.read_bytes(`."""
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("read_text", "read_bytes")]


def test_inputs_are_read_through_the_bounded_reader():
    """A file a user gives or the records hold is read through dta_kg.core.limits (bounded, a
    FIFO or device refused); `.read_text(` and `.read_bytes(` only where UNBOUNDED_READS says."""
    found = {str(p.relative_to(ROOT)): lines for p in modules().values()
             if (lines := whole_file_reads(p))}
    assert {f"{name}:{lines}" for name, lines in found.items()
            if name not in UNBOUNDED_READS} == set()
    assert set(UNBOUNDED_READS) <= set(found)  # no stale entry


def test_the_read_checker_sees_a_read(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from pathlib import Path\n\n\ndef f(p):\n    return Path(p).read_text()\n\n\n"
                   "def g(p):\n    return p.read_bytes()\n", encoding="utf-8")
    assert whole_file_reads(bad) == [5, 9]
