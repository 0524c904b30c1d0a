"""The writer of the query stores, Oxigraph and ladybug, written whole by the build;
`store_update` updates them in place after a curator's write, with this module's column types,
so that both give the same contents with the same types.

The embedded Cypher database (ladybug, the Kùzu fork) is written whole by COPY from CSV files:
every node label of the property-graph projection becomes a node table keyed on `iri`, every
edge type a relationship table; each table is filled by one COPY per CSV file. Every node table
has `iri`, `label` and `retracted` columns, so queries may filter on them on any node. A year
is an INT64, the xsd:dateTime properties (`generatedAtTime`, ...) TIMESTAMPs.
"""

from __future__ import annotations

import csv
import heapq
import io
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import pyoxigraph

from dta_kg.pipeline.projection import PropertyGraph, value_kind

ALWAYS = {"iri": "STRING", "label": "STRING", "retracted": "BOOLEAN"}
COLUMN_TYPES = {"boolean": "BOOLEAN", "integer": "INT64", "float": "DOUBLE", "datetime": "TIMESTAMP",
                "list": "STRING[]", "string": "STRING"}
LIST_SEPARATOR = "\x1f"  # joins a list value in one CSV cell; split again on COPY
CSV_OPTIONS = "(header=true, parallel=false, quote='\"', escape='\"')"
NODE_BATCH = 1000  # nodes a pickled batch of a part file: a merge holds one batch a part
ONE_CHECKPOINT_UP_TO = 10_000  # records; see `write_database`
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


def _csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "STRING[]":
        return LIST_SEPARATOR.join(str(v) for v in value)
    if kind == "STRING" and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def _copy(conn: Any, table: str, columns: dict[str, str], rows: Iterable[list], path: Path) -> None:
    """Write `rows` to the CSV file `path` and COPY it into `table`."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    _load(conn, table, columns, path)


def _load(conn: Any, table: str, columns: dict[str, str], path: Path, options: str = "") -> None:
    """COPY the CSV file `path` into `table`; lists are split on load."""
    heads = ", ".join(f"`{c}` {'STRING' if t == 'STRING[]' else t}" for c, t in columns.items())
    picks = ", ".join(f"string_split(`{c}`, '{LIST_SEPARATOR}')" if t == "STRING[]" else f"`{c}`"
                      for c, t in columns.items())
    load = f"LOAD WITH HEADERS ({heads}) FROM '{path.as_posix()}' {CSV_OPTIONS} RETURN {picks}"
    conn.execute(f"COPY `{table}` FROM ({load}){options}")


@dataclass(frozen=True)
class Part:
    """A part of the property graph (the head's, a chunk's) in a file of its own, written where
    it was projected, so that no process holds the whole graph: each label's nodes by IRI, as
    pickled batches of (IRI, properties), and each edge table's CSV rows (source, target)."""

    path: str
    nodes: dict[str, tuple[int, int]]  # label -> (offset, batches)
    edges: dict[tuple[str, str, str], tuple[int, int]]  # (type, source, target label) -> (offset, size)


def write_part(pgraph: PropertyGraph, labels: dict[str, str], path: Path) -> Part:
    """Write `pgraph` (its nodes by IRI, as `project` gives them) to the part file `path`;
    `labels` gives the labels of the nodes projected elsewhere that its edges point to."""
    by_label: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for node in pgraph.nodes:
        by_label[node.label].append((node.id, node.props))
    label_of = {**{n.id: n.label for n in pgraph.nodes}, **labels}
    by_pair: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for edge in pgraph.edges:
        assert not edge.props, "the projection's edges have no properties"
        by_pair[edge.type, label_of[edge.source], label_of[edge.target]].append((edge.source, edge.target))
    nodes, edges = {}, {}
    with path.open("wb") as out:
        for label, items in by_label.items():
            nodes[label] = (out.tell(), len(range(0, len(items), NODE_BATCH)))
            for start in range(0, len(items), NODE_BATCH):
                pickle.dump(items[start:start + NODE_BATCH], out, pickle.HIGHEST_PROTOCOL)
        for pair, ends in by_pair.items():
            text = io.StringIO(newline="")
            csv.writer(text).writerows(ends)
            data = text.getvalue().encode("utf-8")
            edges[pair] = (out.tell(), len(data))
            out.write(data)
    return Part(str(path), nodes, edges)


def part_nodes(parts: list[Part], label: str) -> Iterator[tuple[str, dict]]:
    """The nodes of `label` in `parts` by IRI as (IRI, properties), each once: as the first
    part that has it gives it."""
    last = None
    for iri, props in heapq.merge(*(_batches(p, label) for p in parts if label in p.nodes),
                                  key=itemgetter(0)):
        if iri != last:
            yield iri, props
            last = iri


def _batches(part: Part, label: str) -> Iterator[tuple[str, dict]]:
    offset, batches = part.nodes[label]
    with open(part.path, "rb") as source:
        source.seek(offset)
        for _ in range(batches):
            yield from pickle.load(source)  # noqa: S301 - a part file this build wrote


def write_database(parts: list[Part], path: Path, records: int = 0) -> None:
    """Create the ladybug database at `path` (a file) from the projection in `parts`, of
    `records` study records. Up to ONE_CHECKPOINT_UP_TO records the database is checkpointed
    once, when it is closed, rather than after each COPY (76 of them on the review: 1.2 s ->
    0.8 s; 10,000 studies: 10.3 s -> 7.5 s); above, after each COPY, which holds less in
    memory (100,000 studies: 1.10 GB peak, against 1.40 GB with one checkpoint)."""
    # lazy: ladybug loads ~35 ms; this module is on the path of every query, SPARQL ones too
    import ladybug

    db = ladybug.Database(str(path), buffer_pool_size=BUFFER_POOL,
                          auto_checkpoint=records > ONE_CHECKPOINT_UP_TO)
    conn = ladybug.Connection(db)
    types: dict[str, dict[tuple[str, str], list[Part]]] = defaultdict(dict)
    for part in parts:
        for etype, source, target in part.edges:
            types[etype].setdefault((source, target), []).append(part)
    for etype, source, target in DECLARED_EDGES:
        types[etype].setdefault((source, target), [])
    with tempfile.TemporaryDirectory(prefix="dta-kg-cypher-") as tmp:
        folder = Path(tmp)
        for label in sorted({label for p in parts for label in p.nodes} | DECLARED_NODES.keys()):
            cols = schema((props for _, props in part_nodes(parts, label)), ALWAYS)
            cols.update({c: t for c, t in DECLARED_NODES.get(label, {}).items() if c not in cols})
            ddl = ", ".join(f"`{c}` {t}" for c, t in cols.items())
            conn.execute(f"CREATE NODE TABLE `{label}`({ddl}, PRIMARY KEY(iri))")
            if not any(label in p.nodes for p in parts):
                continue
            rest = [(c, t) for c, t in cols.items() if c != "iri"]
            # a text value is written as it is in any column (`_csv_value`): most values are
            rows = ([iri, *(v if (v := props.get(c)).__class__ is str else _csv_value(v, t)
                            for c, t in rest)] for iri, props in part_nodes(parts, label))
            _copy(conn, label, {"iri": cols["iri"], **dict(rest)}, rows, folder / f"{label}.csv")
        for etype, pairs in sorted(types.items()):
            ddl = ", ".join(f"FROM `{s}` TO `{t}`" for s, t in pairs)
            conn.execute(f"CREATE REL TABLE `{etype}`({ddl})")
            for (source, target), having in pairs.items():
                if not having:
                    continue
                csv_path = folder / f"{etype}-{source}-{target}.csv"
                with csv_path.open("wb") as out:
                    out.write(b"from,to\r\n")
                    for part in having:
                        offset, size = part.edges[etype, source, target]
                        with open(part.path, "rb") as source_file:
                            source_file.seek(offset)
                            out.write(source_file.read(size))
                _load(conn, etype, {"from": "STRING", "to": "STRING"}, csv_path,
                      f" (from='{source}', to='{target}')")
    conn.close()
    db.close()


# --- Oxigraph -----------------------------------------------------------------------------


def new_store(folder: Path) -> pyoxigraph.Store:
    """A new, empty Oxigraph store at `folder`, to be filled by `load_text`."""
    return pyoxigraph.Store(str(folder))


def load_text(store: pyoxigraph.Store, text: str) -> None:
    """Bulk load the N-Triples `text`, a part of the graph, into `store`. The build loads each
    chunk as it comes in, beside the worker processes, holding one chunk's triples at a time (a
    bulk load of the whole file at the end held 1.6 GB for 10,000 studies)."""
    store.bulk_load(text, format=pyoxigraph.RdfFormat.N_TRIPLES)
