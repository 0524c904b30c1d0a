"""The neo4j-admin CSV export: one CSV per node label and per relationship type, with
`neo4j-admin database import` headers (`iri:ID`, `:LABEL`, `year:int`,
`generatedAtTime:datetime`, `:START_ID`, `:END_ID`, `:TYPE`), `import.sh` and a Neo4j Browser
style sheet.

Cells that a spreadsheet would run as formulas are written as they are, not defused as the
query commands' `--format csv` defuses them: these files are data for `neo4j-admin`, which
would keep a leading apostrophe as part of the value (a title starting with '=' would change
in Neo4j). They are not meant to be opened in a spreadsheet."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from dta_kg.core.errors import DtaKgError
from dta_kg.pipeline.projection import PropertyGraph, value_kind
from dta_kg.sinks.grass import grass
from dta_kg.sinks.neo4j import GRAPH_KEY, node_rows, relationship_rows

INT32 = range(-(2**31), 2**31)
HEADER_TYPES = {"boolean": "boolean", "float": "double", "datetime": "datetime", "string": "string"}
ARRAY_DELIMITERS = (";", "|", "\x1f")
GRASS_NAME = "dta-kg.grass"


class ExportError(DtaKgError):
    """An export could not be written."""


# --- neo4j-admin CSV -------------------------------------------------------------------


def csv_type(values: list, key: str = "") -> str:
    """The neo4j-admin header type of property `key` from its (non-null) values
    (`projection.value_kind`, with int where every integer fits in 32 bits)."""
    kind = value_kind(key, {type(v) for v in values})
    if kind == "integer":
        return "int" if all(v in INT32 for v in values) else "long"
    if kind == "list":
        inner = [x for v in values for x in v]
        element = csv_type(inner) if inner else "string"
        return ("string" if element.endswith("[]") else element) + "[]"
    return HEADER_TYPES[kind]


def _cell(value: Any, kind: str, delimiter: str) -> str | None:
    if value is None or value == []:
        return None  # no property: an empty unquoted field
    if kind.endswith("[]"):
        return delimiter.join(_cell(v, kind[:-2], delimiter) or "" for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _columns(items: list[dict]) -> dict[str, str]:
    values: dict[str, list] = {}
    for props in items:
        for key, value in props.items():
            if value is not None and key != "iri":
                values.setdefault(key, []).append(value)
    return {key: csv_type(vals, key) for key, vals in sorted(values.items())}


def array_delimiter(pg: PropertyGraph) -> str:
    """The first of ; | and U+001F that no list value contains."""
    items = [str(x) for part in (pg.nodes, pg.edges) for item in part
             for v in item.props.values() if isinstance(v, list) for x in v]
    for delimiter in ARRAY_DELIMITERS:
        if not any(delimiter in x for x in items):
            return delimiter
    raise ExportError("every array delimiter occurs in some list value")


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def write_neo4j_csv(pg: PropertyGraph, folder: Path, graph_iri: str) -> list[Path]:
    """Node and relationship CSVs for `neo4j-admin database import`, and import.sh, in the
    new `folder` (one that `dta_kg.core.files.write_folder` fills, or one inside it)."""
    folder.mkdir(exist_ok=True)
    delimiter = array_delimiter(pg)
    written: list[Path] = []
    for label, rows in node_rows(pg).items():
        cols = _columns([r["props"] for r in rows])
        header = ["iri:ID", ":LABEL", *(f"{c}:{t}" for c, t in cols.items()), f"{GRAPH_KEY}:string"]
        path = folder / f"nodes-{_safe(label)}.csv"
        _write_csv(path, header, [[r["iri"], label, *(_cell(r["props"].get(c), t, delimiter)
                                                      for c, t in cols.items()), graph_iri]
                                  for r in rows])
        written.append(path)
    by_type: dict[str, list[dict]] = {}
    for (rtype, _, _), rows in relationship_rows(pg).items():
        by_type.setdefault(rtype, []).extend(rows)
    for rtype, rows in sorted(by_type.items()):
        cols = _columns([r["props"] for r in rows])
        header = [":START_ID", ":END_ID", ":TYPE", *(f"{c}:{t}" for c, t in cols.items()),
                  f"{GRAPH_KEY}:string"]
        path = folder / f"relationships-{_safe(rtype)}.csv"
        _write_csv(path, header, [[r["source"], r["target"], rtype,
                                   *(_cell(r["props"].get(c), t, delimiter) for c, t in cols.items()),
                                   graph_iri] for r in rows])
        written.append(path)
    script = folder / "import.sh"
    script.write_text(import_script(written, delimiter), encoding="utf-8")
    script.chmod(0o755)
    style = folder / GRASS_NAME
    style.write_text(grass(n.label for n in pg.nodes), encoding="utf-8")
    return [*written, script, style]


def import_script(files: list[Path], delimiter: str) -> str:
    """A shell script running `neo4j-admin database import full` on these CSVs."""
    shown = "U+001F" if delimiter == "\x1f" else delimiter
    args = [f"--{'nodes' if f.name.startswith('nodes-') else 'relationships'}={f.name}"
            for f in files]
    lines = [
        "#!/bin/sh",
        "# Import into a new, empty database (default: neo4j), with the Neo4j server stopped:",
        "#   NEO4J_HOME=/path/to/neo4j ./import.sh [DATABASE]",
        'set -e', 'cd "$(dirname "$0")"',
        '"${NEO4J_HOME:-.}/bin/neo4j-admin" database import full "${1:-neo4j}" \\',
        f"  --array-delimiter='{shown}' --multiline-fields=true \\",
        *(f"  {arg} \\" for arg in args[:-1]), f"  {args[-1]}", "",
    ]
    return "\n".join(lines)
