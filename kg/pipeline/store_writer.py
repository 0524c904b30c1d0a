"""The embedded Cypher database (ladybug, the Kùzu fork), written by COPY from CSV files.

Every node label of the property-graph projection becomes a node table keyed on `iri`, every
edge type a relationship table; each table is filled by one COPY per CSV file. Every node table
has `iri`, `label` and `retracted` columns, so queries may filter on them on any node. A year
is an INT64, the xsd:dateTime properties (`generatedAtTime`, ...) TIMESTAMPs.
"""

from __future__ import annotations

import csv
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from dta_kg.pipeline.projection import value_kind

ALWAYS = {"iri": "STRING", "label": "STRING", "retracted": "BOOLEAN"}
COLUMN_TYPES = {"boolean": "BOOLEAN", "integer": "INT64", "float": "DOUBLE", "datetime": "TIMESTAMP",
                "list": "STRING[]", "string": "STRING"}
LIST_SEPARATOR = "\x1f"  # joins a list value in one CSV cell; split again on COPY
CSV_OPTIONS = "(header=true, parallel=false, quote='\"', escape='\"')"
BUFFER_POOL = 1 << 30  # bytes, at least: ladybug's default reserves most of the machine's memory,
# which slows every opening and competes with the rest of the build
# tables and columns the named queries read even when the graph has no such node yet (a records
# folder before its first search run or decision): created, empty if need be
DECLARED_NODES = {
    "SearchRun": {"searchDatabase": "STRING"},
    "ScreeningCandidate": {"duplicateRule": "STRING", "titleAbstractOutcome": "STRING",
                           "fullTextOutcome": "STRING"},
    "ExclusionReason": {"identifier": "STRING", "prefLabel": "STRING"},
}
DECLARED_EDGES = (("WAS_GENERATED_BY", "ScreeningCandidate", "SearchRun"),
                  ("TITLE_ABSTRACT_EXCLUSION_REASON", "ScreeningCandidate", "ExclusionReason"),
                  ("FULL_TEXT_EXCLUSION_REASON", "ScreeningCandidate", "ExclusionReason"))


def column_type(key: str, kinds: set[type]) -> str:
    """The table type of property `key` from its values' types (`projection.value_kind`)."""
    return COLUMN_TYPES[value_kind(key, kinds)]


def schema(items: Iterable[dict], always: dict[str, str]) -> dict[str, str]:
    """Column name -> type for property dicts `items` (read once, nothing kept)."""
    kinds: dict[str, set[type]] = defaultdict(set)
    for props in items:
        for key, value in props.items():
            if value is not None:
                kinds[key].add(type(value))
    return {**always, **{k: column_type(k, v) for k, v in sorted(kinds.items()) if k not in always}}


def _csv_value(value, kind: str):
    if value is None:
        return None
    if kind == "STRING[]":
        return LIST_SEPARATOR.join(str(v) for v in value)
    if kind == "STRING" and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def _copy(conn, table: str, columns: dict[str, str], rows: Iterable[list], path: Path,
          options: str = "") -> None:
    """Write `rows` to the CSV file `path` and COPY it into `table`; lists are split on load."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    heads = ", ".join(f"`{c}` {'STRING' if t == 'STRING[]' else t}" for c, t in columns.items())
    picks = ", ".join(f"string_split(`{c}`, '{LIST_SEPARATOR}')" if t == "STRING[]" else f"`{c}`"
                      for c, t in columns.items())
    load = f"LOAD WITH HEADERS ({heads}) FROM '{path.as_posix()}' {CSV_OPTIONS} RETURN {picks}"
    conn.execute(f"COPY `{table}` FROM ({load}){options}")


def write_database(pgraph, path: Path) -> None:
    """Create the ladybug database at `path` (a file) from the projection `pgraph`."""
    # lazy: ladybug loads ~35 ms; this module is on the path of every query, SPARQL ones too
    import ladybug

    db = ladybug.Database(str(path), buffer_pool_size=BUFFER_POOL)
    conn = ladybug.Connection(db)
    label_of = {n.id: n.label for n in pgraph.nodes}
    by_label = defaultdict(list)
    for node in pgraph.nodes:
        by_label[node.label].append(node)
    by_pair = defaultdict(list)
    for edge in pgraph.edges:
        by_pair[edge.type, label_of[edge.source], label_of[edge.target]].append(edge)
    for label in DECLARED_NODES:
        by_label.setdefault(label, [])
    for pair in DECLARED_EDGES:
        by_pair.setdefault(pair, [])
    with tempfile.TemporaryDirectory(prefix="dta-kg-cypher-") as tmp:
        folder = Path(tmp)
        for label, nodes in sorted(by_label.items()):
            cols = schema((n.props for n in nodes), ALWAYS)
            cols.update({c: t for c, t in DECLARED_NODES.get(label, {}).items() if c not in cols})
            ddl = ", ".join(f"`{c}` {t}" for c, t in cols.items())
            conn.execute(f"CREATE NODE TABLE `{label}`({ddl}, PRIMARY KEY(iri))")
            if not nodes:
                continue
            rows = ([_csv_value(n.id if c == "iri" else n.props.get(c), t) for c, t in cols.items()]
                    for n in nodes)
            _copy(conn, label, cols, rows, folder / f"{label}.csv")
        types = defaultdict(list)
        for (etype, source, target), edges in by_pair.items():
            types[etype].append((source, target, edges))
        for etype, pairs in sorted(types.items()):
            cols = schema((e.props for _, _, es in pairs for e in es), {})
            ddl = ", ".join([f"FROM `{s}` TO `{t}`" for s, t, _ in pairs]
                            + [f"`{c}` {t}" for c, t in cols.items()])
            conn.execute(f"CREATE REL TABLE `{etype}`({ddl})")
            for source, target, edges in pairs:
                if not edges:
                    continue
                rows = ([e.source, e.target, *(_csv_value(e.props.get(c), t)
                                               for c, t in cols.items())] for e in edges)
                _copy(conn, etype, {"from": "STRING", "to": "STRING", **cols}, rows,
                      folder / f"{etype}-{source}-{target}.csv", f" (from='{source}', to='{target}')")
    conn.close()
    db.close()
