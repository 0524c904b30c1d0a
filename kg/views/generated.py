"""Every file derived from the record schema, the registry, the ontology and the shipped
records, and the one command that writes them all: `make generate` (`python -m
dta_kg.views.generated`).

A derived file is either whole (`ontology/shapes.ttl`, `ontology/context.jsonld`, OWL RL's
answer on the ontology `ontology/reasoned.json`) or a section between `<!-- NAME:start -->` and
`<!-- NAME:end -->` markers of a hand-written page (the README's questions and file formats,
the property-graph table of `docs/property-graph.md`).
`tests/integration/test_generated.py` fails while any of them differs from what this writes.
The same inputs give the same bytes.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from dta_kg.core.errors import DtaKgError
from dta_kg.core.output import render
from dta_kg.core.paths import Project, checkout
from dta_kg.core.registry import FILE_FORMATS, formats
from dta_kg.pipeline.build import GRAPH_NAME
from dta_kg.pipeline.checks import reasoned_text
from dta_kg.pipeline.jsonld import kinds_of, make_context
from dta_kg.pipeline.shapes import shapes_text
from dta_kg.queries.catalogue import readme_section
from dta_kg.query.schema import cypher_schema
from dta_kg.query.session import Session
from dta_kg.stores.local import ensure_files
from dta_kg.views.model_diagram import model_source

Section = tuple[str, str, Callable[[Project], str]]  # file, marker name, its text


def context_text(project: Project) -> str:
    """ontology/context.jsonld: a term per property of the built graph and of the ontology."""
    ensure_files(project)
    context = make_context(kinds_of(project.build / f"{GRAPH_NAME}.nt"))
    return json.dumps({"@context": context}, indent=2, ensure_ascii=False) + "\n"


def property_graph_table(project: Project) -> str:
    """The labels, relationship types and typed properties (`dta-kg cypher --schema`)."""
    result = cypher_schema(Session(project))
    return render(result.rows, "markdown", result.columns)


def formats_table(_: Project) -> str:
    """The file formats of `dta-kg export` and `dta-kg studies`, from the registry."""
    rows = [{"format": f"`{f.name}`", "file": f"`{f.suffix}`" if f.suffix else "a folder",
             "media type": f"`{f.media_type}`", "what it holds": f.help,
             "written by": "`dta-kg studies --format`" if f.family == "references"
             else "`dta-kg export --format`"}
            for family in ("rdf", "property-graph", "references") for f in FILE_FORMATS.values()
            if f.name in formats(family)]
    return render(rows, "markdown")


WHOLE: dict[str, Callable[[Project], str]] = {
    "ontology/shapes.ttl": lambda _: shapes_text(),
    "ontology/context.jsonld": context_text,
    "ontology/reasoned.json": lambda _: reasoned_text(),
}
SECTIONS: list[Section] = [
    ("README.md", "model-diagram", lambda _: f"```mermaid\n{model_source()}```"),
    ("README.md", "queries", lambda _: readme_section()),
    ("README.md", "formats", formats_table),
    ("docs/property-graph.md", "schema", property_graph_table),
]


def with_section(text: str, name: str, body: str, where: str) -> str:
    """`text` with what lies between the markers of section `name` replaced by `body`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    head, found, rest = text.partition(start)
    _, found_end, tail = rest.partition(end)
    if not (found and found_end):
        raise DtaKgError(f"{where}: no {start} ... {end} markers; put them around the generated "
                         "section")
    return f"{head}{start}\n{body.rstrip()}\n{end}{tail}"


def generated(root: Path, project: Project) -> dict[str, str]:
    """Relative path -> the text the file under `root` should hold."""
    texts = {path: make(project) for path, make in WHOLE.items()}
    for path, name, make in SECTIONS:
        text = texts.get(path) or (root / path).read_text(encoding="utf-8")
        texts[path] = with_section(text, name, make(project), path)
    return texts


def stale(root: Path, project: Project) -> list[str]:
    """The derived files under `root` that differ from what `generated` makes."""
    return sorted(path for path, text in generated(root, project).items()
                  if not (root / path).is_file() or (root / path).read_text(encoding="utf-8") != text)


def write_generated(root: Path, project: Project) -> list[str]:
    """Write every derived file under `root` that is stale; returns their paths."""
    changed = []
    for path, text in generated(root, project).items():
        target = root / path
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            continue
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                         suffix=".tmp") as tmp:
            tmp.write(text)
        Path(tmp.name).replace(target)
        changed.append(path)
    return changed


def main() -> None:
    root = checkout()
    if root is None:
        sys.exit("make generate runs in a checkout of dta-kg")
    written = write_generated(root, Project.of())
    print("\n".join(f"wrote {p}" for p in written) or "every generated file is up to date")


if __name__ == "__main__":
    main()
