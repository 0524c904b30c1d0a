"""The one writer of the query stores, Oxigraph and ladybug: the build writes them whole, a
curator's write updates them in place, both through this module, so that both give the same
contents with the same column types.

The embedded Cypher database (ladybug, the Kùzu fork) is written whole by COPY from CSV files:
every node label of the property-graph projection becomes a node table keyed on `iri`, every
edge type a relationship table; each table is filled by one COPY per CSV file. Every node table
has `iri`, `label` and `retracted` columns, so queries may filter on them on any node. A year
is an INT64, the xsd:dateTime properties (`generatedAtTime`, ...) TIMESTAMPs. An in-place
update adds the tables and columns it needs with the same types (`column_type`) and writes each
value cast to its column's type (`column_value`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import heapq
import io
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.core.rdfterms import Lit, Triple
from dta_kg.loaders.ntriples import nt_line
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph, value_kind

ALWAYS = {"iri": "STRING", "label": "STRING", "retracted": "BOOLEAN"}
COLUMN_TYPES = {"boolean": "BOOLEAN", "integer": "INT64", "float": "DOUBLE", "datetime": "TIMESTAMP",
                "list": "STRING[]", "string": "STRING"}
LIST_SEPARATOR = "\x1f"  # joins a list value in one CSV cell; split again on COPY
CSV_OPTIONS = "(header=true, parallel=false, quote='\"', escape='\"')"
NODE_BATCH = 1000  # nodes a pickled batch of a part file: a merge holds one batch a part
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


def write_database(parts: list[Part], path: Path) -> None:
    """Create the ladybug database at `path` (a file) from the projection in `parts`."""
    # lazy: ladybug loads ~35 ms; this module is on the path of every query, SPARQL ones too
    import ladybug

    # one checkpoint, at close, rather than one after each COPY (76 of them on the review)
    db = ladybug.Database(str(path), buffer_pool_size=BUFFER_POOL, auto_checkpoint=False)
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


# --- ladybug, in place ------------------------------------------------------------------


class SchemaChange(DtaKgError):
    """The new nodes need a table or column the Cypher database cannot be given in place."""


@dataclass
class GraphChange:
    """What an in-place write does to the Cypher database, as little as it can: the nodes that
    go (with their edges), the new ones, the ones whose properties change (with the properties
    the database holds), the shared nodes to create if missing, and the edges that go and come.
    A node left as it was is not touched: ladybug's checkpoint after a write costs what the
    write changed (deleting and re-creating a study's 30 nodes made it 0.5 s)."""

    deleted: list[Node] = field(default_factory=list)
    created: list[Node] = field(default_factory=list)
    updated: list[tuple[Node, dict]] = field(default_factory=list)
    merged: list[Node] = field(default_factory=list)
    removed: list[Edge] = field(default_factory=list)
    added: list[Edge] = field(default_factory=list)

    @classmethod
    def of(cls, before: PropertyGraph, after: PropertyGraph, owned: set[str]) -> GraphChange:
        """The change from `before` (what the database holds of the written records) to `after`
        (what it must hold): the nodes whose IRIs are in `owned` belong to those records alone,
        the other nodes are shared with the rest of the graph and never deleted; the edges
        that touch an owned node are the records' own."""
        old = {n.id: n for n in before.nodes if n.id in owned}
        new = {n.id: n for n in after.nodes if n.id in owned}
        deleted = [n for i, n in old.items() if i not in new or new[i].label != n.label]
        gone = {n.id for n in deleted}
        kept = {e: e for e in before.edges if (e.source in owned or e.target in owned)
                and e.source not in gone and e.target not in gone}
        edges = {e: e for e in after.edges if e.source in owned or e.target in owned}
        return cls(
            deleted=deleted,
            created=[n for i, n in new.items() if i not in old or i in gone],
            updated=[(n, old[i].props) for i, n in new.items()
                     if i in old and i not in gone and _set(n.props) != _set(old[i].props)],
            merged=[n for n in after.nodes if n.id not in owned],
            removed=[e for e in kept if e not in edges],
            added=[e for e in edges if e not in kept])


def _set(props: dict) -> dict:
    """The properties a node has in the database (a None is no value)."""
    return {k: v for k, v in props.items() if v is not None and k != "iri"}


def update_database(path: Path, change: GraphChange, labels: dict[str, str]) -> None:
    """Apply `change` to the ladybug database at `path` in one transaction; `labels` gives each
    node's table. Tables and columns that are missing are added first, typed as
    `write_database` types them."""
    # lazy: ladybug loads ~35 ms; this module is on the path of every query, SPARQL ones too
    import ladybug

    db = ladybug.Database(str(path), buffer_pool_size=max(BUFFER_POOL, 2 * path.stat().st_size))
    conn = ladybug.Connection(db)
    try:
        columns = _columns(conn)
        pairs = _pairs(conn)
        _add_columns(conn, columns, [*change.created, *(n for n, _ in change.updated), *change.merged])
        for edge in change.added:
            _add_pair(conn, pairs, edge.type, labels.get(edge.source), labels.get(edge.target))
        conn.execute("BEGIN TRANSACTION")
        try:
            for node in change.deleted:
                conn.execute(f"MATCH (n:`{node.label}` {{iri: $iri}}) DETACH DELETE n",
                             {"iri": node.id})
            for edge in change.removed:
                conn.execute(f"MATCH (a:`{labels[edge.source]}` {{iri: $s}})-[r:`{edge.type}`]->"
                             f"(b:`{labels[edge.target]}` {{iri: $t}}) DELETE r",
                             {"s": edge.source, "t": edge.target})
            for node in change.created:
                _write_node(conn, node, columns, "CREATE")
            for node, held in change.updated:
                _write_node(conn, node, columns, "MATCH", cleared=set(_set(held)) - set(_set(node.props)))
            for node in change.merged:
                _write_node(conn, node, columns, "MERGE")
            for edge in change.added:
                if edge.props:
                    raise SchemaChange(f"{edge.type} has properties")
                conn.execute(f"MATCH (a:`{labels[edge.source]}` {{iri: $s}}), "
                             f"(b:`{labels[edge.target]}` {{iri: $t}}) "
                             f"CREATE (a)-[:`{edge.type}`]->(b)",
                             {"s": edge.source, "t": edge.target})
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(RuntimeError):  # ladybug may have rolled back already
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
        db.close()


def _rows(result: Any) -> list[list]:
    rows = []
    while result.has_next():
        rows.append(result.get_next())
    return rows


def _columns(conn: Any) -> dict[str, dict[str, str]]:
    """Node table -> column -> type."""
    tables = [r[0] for r in _rows(conn.execute("CALL show_tables() RETURN name, type"))
              if r[1] == "NODE"]
    return {t: {r[1]: r[2] for r in _rows(conn.execute(f"CALL table_info('{t}') RETURN *"))}
            for t in tables}


def _pairs(conn: Any) -> dict[str, set[tuple[str, str]]]:
    """Relationship table -> its (from, to) node tables."""
    rels = [r[0] for r in _rows(conn.execute("CALL show_tables() RETURN name, type")) if r[1] == "REL"]
    return {t: {(r[0], r[1]) for r in _rows(conn.execute(f"CALL show_connection('{t}') RETURN *"))}
            for t in rels}


def _add_pair(conn: Any, pairs: dict[str, set[tuple[str, str]]], etype: str, source: str | None,
              target: str | None) -> None:
    """Let the relationship table `etype` join `source` to `target` (creating it if needed)."""
    if source is None or target is None:
        raise SchemaChange(f"{etype}: a node of unknown label")
    if (source, target) in pairs.get(etype, set()):
        return
    if etype in pairs:
        conn.execute(f"ALTER TABLE `{etype}` ADD FROM `{source}` TO `{target}`")
    else:
        conn.execute(f"CREATE REL TABLE `{etype}`(FROM `{source}` TO `{target}`)")
    pairs.setdefault(etype, set()).add((source, target))


def _add_columns(conn: Any, columns: dict[str, dict[str, str]], nodes: list[Node]) -> None:
    """Add the node tables and columns that `nodes` need and the build did not make (say, the
    first retracted fact of a kind brings `retractionReason`)."""
    for node in nodes:
        table = columns.get(node.label)
        if table is None:
            ddl = ", ".join(f"`{c}` {t}" for c, t in ALWAYS.items())
            conn.execute(f"CREATE NODE TABLE `{node.label}`({ddl}, PRIMARY KEY(iri))")
            table = columns[node.label] = dict(ALWAYS)
        for key, value in node.props.items():
            if value is not None and key not in table:
                kind = column_type(key, {type(value)})
                conn.execute(f"ALTER TABLE `{node.label}` ADD `{key}` {kind}")
                table[key] = kind


def _write_node(conn: Any, node: Node, columns: dict[str, dict[str, str]], how: str,
                cleared: set[str] | None = None) -> None:
    """CREATE `node`, MERGE it (its properties set if it is created), or MATCH it and set its
    properties, `cleared` ones to no value."""
    table = columns.get(node.label)
    if table is None:
        raise SchemaChange(f"no node table {node.label}")
    props = _set(node.props)
    unknown = set(props) - set(table)
    if unknown:
        raise SchemaChange(f"{node.label} has no column {sorted(unknown)}")
    params = {"iri": node.id,
              **{f"p{i}": column_value(v, table[k]) for i, (k, v) in enumerate(props.items())}}
    sets = ", ".join([*(f"n.`{k}` = $p{i}" for i, k in enumerate(props)),
                      *(f"n.`{k}` = NULL" for k in sorted(cleared or ()))])
    head = f"{how} (n:`{node.label}` {{iri: $iri}})"
    if how == "MERGE":
        conn.execute(head + (f" ON CREATE SET {sets}" if sets else ""), params)
    elif sets:
        conn.execute(f"{head} SET {sets}", params)
    elif how == "CREATE":
        conn.execute(head, params)


def column_value(value: Any, kind: str) -> Any:
    """`value` as a parameter for a column of type `kind`."""
    if kind == "TIMESTAMP" and isinstance(value, str):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "DATE" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if kind == "INT64" and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if kind == "STRING" and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "STRING[]":
        return [str(v) for v in value]
    if kind == "DOUBLE" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# --- Oxigraph -----------------------------------------------------------------------------


def new_store(folder: Path) -> pyoxigraph.Store:
    """A new, empty Oxigraph store at `folder`, to be filled by `load_text`."""
    return pyoxigraph.Store(str(folder))


def load_text(store: pyoxigraph.Store, text: str) -> None:
    """Bulk load the N-Triples `text`, a part of the graph, into `store`. The build loads each
    chunk as it comes in, beside the worker processes, holding one chunk's triples at a time (a
    bulk load of the whole file at the end held 1.6 GB for 10,000 studies)."""
    store.bulk_load(text, format=pyoxigraph.RdfFormat.N_TRIPLES)


def update_store(folder: Path, owned: set[Triple], shared: set[Triple],
                 added: set[Triple]) -> None:
    """Update the Oxigraph store at `folder` in one transaction: remove the triples `owned`,
    and those of `shared` whose subject nothing left points to (an annotation, an agent, a
    venue); add `added`."""
    store = pyoxigraph.Store(str(folder))
    by_subject: dict[str, set[Triple]] = {}
    for t in shared - owned:
        by_subject.setdefault(t[0], set()).add(t)
    gone = set(owned)
    changed = True
    while changed:  # a shared node goes when nothing left points to it
        changed = False
        for subject in list(by_subject):
            referrers = {_plain(q) for q in store.quads_for_pattern(
                None, None, pyoxigraph.NamedNode(subject))} - gone
            if not referrers and not any(t[2] == subject for t in added):
                gone |= by_subject.pop(subject)
                changed = True
    gone -= added
    update = []
    if gone:
        update.append("DELETE DATA {\n" + "".join(map(nt_line, sorted(gone))) + "}")
    if added:
        update.append("INSERT DATA {\n" + "".join(map(nt_line, sorted(added))) + "}")
    if update:
        store.update(" ;\n".join(update))
    store.flush()
    del store


def _plain(quad: pyoxigraph.Quad) -> Triple:
    # (the stores hold no RDF-star: no quoted triple as subject or object)
    s = cast(pyoxigraph.NamedNode | pyoxigraph.BlankNode, quad.subject)
    o = cast(pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal, quad.object)
    obj = Lit(o.value, o.datatype.value) if isinstance(o, pyoxigraph.Literal) else o.value
    return (s.value, quad.predicate.value, obj)
