"""The query stores updated in place after a curator's write of study records: Oxigraph by
one SPARQL update, ladybug by the nodes and edges that differ (`GraphChange`). Tables and
columns an update needs are added with the types the build gives them (`store_writer.column_type`)
and each value is cast to its column's type (`column_value`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.core.rdfterms import Lit, Triple
from dta_kg.loaders.ntriples import nt_line
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.pipeline.store_writer import ALWAYS, BUFFER_POOL, column_type


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
        kept = dict.fromkeys(e for e in before.edges if (e.source in owned or e.target in owned)
                             and e.source not in gone and e.target not in gone)
        edges = dict.fromkeys(e for e in after.edges if e.source in owned or e.target in owned)
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
    # lazy: ladybug loads ~35 ms; a write whose record fails its checks never opens it
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
