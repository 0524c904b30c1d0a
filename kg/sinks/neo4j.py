"""Push a property-graph projection to a Bolt server: Neo4j 5, or FalkorDB's Bolt endpoint.

Nodes are merged by label on an ``iri`` key, relationships by type between two such nodes,
in batches of ``UNWIND $rows MERGE``, so pushing twice changes nothing. Everything written
carries ``dta_kg_graph`` (which graph) and ``dta_kg_push`` (which push): ``replace=True``
deletes what earlier pushes of the same graph wrote and this push did not, and nothing else.
The connection is `dta_kg.stores.bolt.BoltClient`'s.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from dta_kg.core.iris import DEFAULT_GRAPH_IRI
from dta_kg.pipeline.projection import DATETIME_PROPERTIES
from dta_kg.stores.bolt import DIALECTS, BoltClient, BoltError

GRAPH_KEY, PUSH_KEY, IRI_KEY = "dta_kg_graph", "dta_kg_push", "iri"
RESERVED = {GRAPH_KEY, PUSH_KEY, IRI_KEY}
# FalkorDB's Bolt server crashes on a message (query text + parameters) over about 4 KiB.
FALKORDB_MAX_BYTES = 3500

NODE_MERGE = (
    "UNWIND $rows AS row\n"
    "MERGE (n:{label} {{iri: row.iri}})\n"
    "SET n = row.props, n.iri = row.iri, n.dta_kg_graph = $graph, n.dta_kg_push = $push"
)
REL_MERGE = (
    "UNWIND $rows AS row\n"
    "MATCH (a:{source} {{iri: row.source}})\n"
    "MATCH (b:{target} {{iri: row.target}})\n"
    "MERGE (a)-[r:{type}]->(b)\n"
    "SET r = row.props, r.dta_kg_graph = $graph, r.dta_kg_push = $push"
)
STALE_RELS = (
    "MATCH ()-[r]->() WHERE r.dta_kg_graph = $graph AND coalesce(r.dta_kg_push, '') <> $push\n"
    "WITH r LIMIT $limit DELETE r RETURN count(*) AS deleted"
)
STALE_NODES = (
    "MATCH (n) WHERE n.dta_kg_graph = $graph AND coalesce(n.dta_kg_push, '') <> $push\n"
    "WITH n LIMIT $limit DETACH DELETE n RETURN count(*) AS deleted"
)


@dataclass(frozen=True)
class Statement:
    """One Cypher statement with its parameters; ``rows`` counts the items it writes."""

    text: str
    params: dict[str, Any]
    kind: str
    rows: int = 0

    def render(self) -> str:
        """The statement as a Cypher comment header, the text, and its parameters as JSON."""
        head = f"// {self.kind}" + (f": {self.rows} row(s)" if self.rows else "")
        out = [head, self.text + ";"]
        if self.params:
            out.append("// params: " + json.dumps(self.params, ensure_ascii=False, default=str))
        return "\n".join(out)


@dataclass
class PushResult:
    """What one push wrote: distinct nodes and relationships sent, batches, cleanup counts."""

    dialect: str
    push_id: str
    nodes: int
    relationships: int
    batches: int
    deleted_nodes: int = 0
    deleted_relationships: int = 0


def quote(name: str) -> str:
    """A label, type or name as a backtick-quoted Cypher identifier."""
    if not name:
        raise BoltError("empty label or relationship type in the property graph")
    return "`" + str(name).replace("`", "``") + "`"


def _scalar(value: Any) -> Any:
    if isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    return str(value)


def clean_props(props: Mapping[str, Any] | None, datetimes: bool = False) -> dict[str, Any]:
    """Property values a Bolt server stores: scalars and homogeneous lists; None dropped.
    With `datetimes`, the xsd:dateTime properties become `datetime`s (Neo4j DateTime)."""
    out: dict[str, Any] = {}
    for key, value in (props or {}).items():
        if value is None or key in RESERVED:
            continue
        if datetimes and key in DATETIME_PROPERTIES and isinstance(value, str | datetime):
            out[str(key)] = value if isinstance(value, datetime) else datetime.fromisoformat(value)
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items = [_scalar(v) for v in value if v is not None]
            if isinstance(value, set | frozenset):
                items.sort(key=str)
            if len({type(v) for v in items}) > 1:
                items = [str(v) for v in items]
            out[str(key)] = items
        else:
            out[str(key)] = _scalar(value)
    return out


def node_rows(pg: Any, datetimes: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Node rows grouped by label; one node id with two labels is an error. `datetimes`:
    see `clean_props`."""
    labels: dict[str, str] = {}
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for node in pg.nodes:
        iri, label = str(node.id), str(node.label or "")
        if labels.setdefault(iri, label) != label:
            raise BoltError(f"node {iri} has two labels ({labels[iri]}, {label}); it needs one")
        rows.setdefault(label, {})[iri] = {"iri": iri, "props": clean_props(node.props, datetimes)}
    return {label: list(by_iri.values()) for label, by_iri in sorted(rows.items())}


def relationship_rows(pg: Any) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Relationship rows grouped by (type, source label, target label); duplicates merge."""
    labels = {str(n.id): str(n.label or "") for n in pg.nodes}
    groups: dict[tuple[str, str, str], dict[tuple[str, str], dict[str, Any]]] = {}
    for edge in pg.edges:
        source, target = str(edge.source), str(edge.target)
        for end in (source, target):
            if end not in labels:
                raise BoltError(f"relationship {edge.type} uses {end}, which is not a node")
        key = (str(edge.type), labels[source], labels[target])
        row = {"source": source, "target": target, "props": clean_props(edge.props)}
        groups.setdefault(key, {})[(source, target)] = row
    return {key: list(rows.values()) for key, rows in sorted(groups.items())}


def schema_statements(labels: Iterable[str], dialect: str = "neo4j",
                      existing: Iterable[str] = ()) -> list[Statement]:
    """Uniqueness constraints (Neo4j 5) or ``iri`` indexes (FalkorDB) for each label."""
    if dialect not in DIALECTS:
        raise BoltError(f"unknown Cypher dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
    done = set(existing)
    out = []
    for label in sorted(set(labels) - done):
        if dialect == "neo4j":
            slug = re.sub(r"\W", "_", label)
            name = quote(f"dta_kg_iri_{slug}")
            text = (f"CREATE CONSTRAINT {name} IF NOT EXISTS "
                    f"FOR (n:{quote(label)}) REQUIRE n.iri IS UNIQUE")
        else:  # FalkorDB: no IF NOT EXISTS and no Cypher constraints; an index on iri
            text = f"CREATE INDEX FOR (n:{quote(label)}) ON (n.iri)"
        out.append(Statement(text, {}, "schema"))
    return out


def _size(value: Any) -> int:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return len(text.encode("utf-8")) + text.count("'")  # quotes grow when escaped


def _batches(rows: list[dict[str, Any]], batch_size: int, max_bytes: int | None,
             overhead: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    used = overhead
    for row in rows:
        need = _size(row) + 1
        if max_bytes and overhead + need > max_bytes:
            what = row.get("iri") or f"{row.get('source')} -> {row.get('target')}"
            raise BoltError(
                f"{what} needs a {overhead + need}-byte message, over this server's "
                f"{max_bytes}-byte limit; shorten its longest property"
            )
        if batch and (len(batch) >= batch_size or (max_bytes and used + need > max_bytes)):
            yield batch
            batch, used = [], overhead
        batch.append(row)
        used += need
    if batch:
        yield batch


def write_statements(pg: Any, *, batch_size: int = 500, graph_id: str = DEFAULT_GRAPH_IRI,
                     push_id: str = "", max_bytes: int | None = None,
                     datetimes: bool = True) -> Iterator[Statement]:
    """Batched MERGE statements: every node label first, then every relationship group.

    ``max_bytes`` caps text + parameters of one statement (FalkorDB needs it); ``datetimes``
    sends the xsd:dateTime properties as datetimes (Neo4j), else as ISO text (FalkorDB).
    """
    if batch_size < 1:
        raise BoltError(f"batch size must be at least 1, not {batch_size}")
    base = {"graph": graph_id, "push": push_id}
    plans: list[tuple[str, str, list[dict[str, Any]]]] = []
    for label, rows in node_rows(pg, datetimes).items():
        plans.append(("nodes", NODE_MERGE.format(label=quote(label)), rows))
    for (rtype, source, target), rows in relationship_rows(pg).items():
        text = REL_MERGE.format(type=quote(rtype), source=quote(source), target=quote(target))
        plans.append(("relationships", text, rows))
    for kind, text, rows in plans:
        overhead = len(text.encode("utf-8")) + _size(base) + 16
        for batch in _batches(rows, batch_size, max_bytes, overhead):
            yield Statement(text, {**base, "rows": batch}, kind, len(batch))


def cleanup_statements(graph_id: str, push_id: str, limit: int = 1000) -> list[Statement]:
    """Delete, in chunks of ``limit``, what this graph wrote in pushes other than ``push_id``."""
    params = {"graph": graph_id, "push": push_id, "limit": limit}
    return [Statement(STALE_RELS, params, "cleanup"), Statement(STALE_NODES, params, "cleanup")]


def dry_run(pg: Any, *, dialect: str = "neo4j", batch_size: int = 500,
            graph_id: str = DEFAULT_GRAPH_IRI, replace: bool = False) -> Iterator[Statement]:
    """Every statement a push would run, without a server (FalkorDB: all indexes listed)."""
    push_id = "<push id>"
    max_bytes = FALKORDB_MAX_BYTES if dialect == "falkordb" else None
    yield from schema_statements(node_rows(pg), dialect)
    yield from write_statements(pg, batch_size=batch_size, graph_id=graph_id,
                                push_id=push_id, max_bytes=max_bytes, datetimes=dialect == "neo4j")
    if replace:
        yield from cleanup_statements(graph_id, push_id)


class BoltWriter(BoltClient):
    """A Bolt client that pushes a property graph (see the module docstring)."""

    def _falkordb_indexed(self) -> set[str]:
        rows = self.run("CALL db.indexes()")
        return {str(r.get("label")) for r in rows
                if IRI_KEY in (r.get("properties") or []) and r.get("entitytype", "NODE") == "NODE"}

    def push(self, pg: Any, *, batch_size: int = 500, graph_id: str = DEFAULT_GRAPH_IRI,
             replace: bool = False, max_bytes: int | None = None,
             progress: Callable[[int, int], None] | None = None) -> PushResult:
        """Write ``pg`` (nodes with id/label/props, edges with source/target/type/props).

        Constraints or indexes come first; then batches, each retried on a lost connection.
        A failure leaves earlier batches written: pushing again completes the graph.
        """
        dialect = self.dialect
        if max_bytes is None and dialect == "falkordb":
            max_bytes = FALKORDB_MAX_BYTES
        push_id = uuid.uuid4().hex
        by_label = node_rows(pg)
        existing = self._falkordb_indexed() if dialect == "falkordb" else ()
        for stmt in schema_statements(by_label, dialect, existing):
            self.run(stmt.text, stmt.params, where="schema")
        total = sum(len(r) for r in by_label.values())
        total += sum(len(r) for r in relationship_rows(pg).values())
        statements = list(write_statements(pg, batch_size=batch_size, graph_id=graph_id,
                                           push_id=push_id, max_bytes=max_bytes,
                                           datetimes=dialect == "neo4j"))
        advice = ("Earlier batches are written and pushes are idempotent: "
                  "push again to complete the graph")
        done = batches = nodes = rels = 0
        for stmt in statements:
            where = (f"batch {batches + 1} of {len(statements)} "
                     f"({stmt.kind}, items {done + 1}-{done + stmt.rows} of {total})")
            self.run(stmt.text, stmt.params, where=where, advice=advice)
            batches += 1
            done += stmt.rows
            nodes += stmt.rows if stmt.kind == "nodes" else 0
            rels += stmt.rows if stmt.kind == "relationships" else 0
            if progress:
                progress(done, total)
        result = PushResult(dialect, push_id, nodes, rels, batches)
        if replace:
            stale_rels, stale_nodes = cleanup_statements(graph_id, push_id)
            result.deleted_relationships = self._sweep(stale_rels)
            result.deleted_nodes = self._sweep(stale_nodes)
        return result

    def _sweep(self, stmt: Statement) -> int:
        deleted = 0
        while True:
            rows = self.run(stmt.text, stmt.params, where="cleanup of an earlier push")
            step = int(rows[0]["deleted"]) if rows else 0
            deleted += step
            if step < stmt.params["limit"]:
                return deleted


