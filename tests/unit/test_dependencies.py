"""Every third-party module the package imports is a declared dependency (issue 13, defect 7)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "kg", ROOT / "loaders", ROOT / "queries", ROOT / "ontology"]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# import name -> distribution name, where they differ
DISTRIBUTION = {"yaml": "pyyaml", "ruamel": "ruamel.yaml", "bibtexparser": "bibtexparser",
                "sklearn": "scikit-learn"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def declared() -> set[str]:
    return {_name(r) for r in PYPROJECT["project"]["dependencies"]}


def third_party_imports() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for folder in CODE:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top != "dta_kg":
                        found.setdefault(top, path)
    return found


def test_every_imported_package_is_a_declared_dependency():
    deps = declared()
    missing = {top: str(path.relative_to(ROOT)) for top, path in third_party_imports().items()
               if DISTRIBUTION.get(top, top).lower() not in deps}
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_the_imports_found_include_the_template_and_markdown_libraries():
    found = third_party_imports()
    assert {"jinja2", "markupsafe", "markdown", "rdflib", "pyoxigraph"} <= set(found)


def test_serve_needs_no_extra_it_answers_with_pyoxigraph_on_its_own_port():
    """`dta-kg serve` starts no server binary (issue 21: one listening port); Oxigraph's own
    server is a development dependency, for the services tests and the load benchmark."""
    serving = [ROOT / "kg" / "sinks" / name for name in ("serve.py", "gateway.py", "engine_pool.py")]
    assert not any("subprocess" in path.read_text(encoding="utf-8") for path in serving)
    assert "pyoxigraph" in declared() and "oxigraph" not in declared()


def test_every_dependency_is_pinned_in_the_constraints():
    pins = {_name(line) for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")}
    assert declared() <= pins, declared() - pins


def test_peak_memory_is_reported_where_the_resource_module_exists_and_skipped_where_not(monkeypatch):
    from dta_kg.pipeline.build import peak_memory_text

    assert re.fullmatch(r"\s*\d+ MB peak", peak_memory_text())
    monkeypatch.setitem(sys.modules, "resource", None)  # as on Windows: import fails
    assert peak_memory_text() == ""
