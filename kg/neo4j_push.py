"""Push a property-graph projection to a Bolt server: Neo4j 5, or FalkorDB's Bolt endpoint.

Nodes are merged by label on an ``iri`` key, relationships by type between two such nodes,
in batches of ``UNWIND $rows MERGE``, so pushing twice changes nothing. Everything written
carries ``dta_kg_graph`` (which graph) and ``dta_kg_push`` (which push): ``replace=True``
deletes what earlier pushes of the same graph wrote and this push did not, and nothing else.
Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from typing import Any

from dta_kg.errors import DtaKgError
from dta_kg.sparql_store import DEFAULT_GRAPH_IRI

GRAPH_KEY, PUSH_KEY, IRI_KEY = "dta_kg_graph", "dta_kg_push", "iri"
RESERVED = {GRAPH_KEY, PUSH_KEY, IRI_KEY}
DIALECTS = ("neo4j", "falkordb")
# FalkorDB's Bolt server crashes on a message (query text + parameters) over about 4 KiB.
FALKORDB_MAX_BYTES = 3500
_USE_ENV = object()
BOLT_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}

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


class PushError(DtaKgError):
    """A push to a Bolt server failed; the message says where and what to do next."""


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
        raise PushError("empty label or relationship type in the property graph")
    return "`" + str(name).replace("`", "``") + "`"


def credentials_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from NEO4J_USERNAME / NEO4J_PASSWORD, or None when neither is set."""
    env = os.environ if env is None else env
    user, password = env.get("NEO4J_USERNAME"), env.get("NEO4J_PASSWORD")
    if user is None and password is None:
        return None
    return (user or "neo4j", password or "")


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


def clean_props(props: Mapping[str, Any] | None) -> dict[str, Any]:
    """Property values a Bolt server stores: scalars and homogeneous lists; None dropped."""
    out: dict[str, Any] = {}
    for key, value in (props or {}).items():
        if value is None or key in RESERVED:
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


def node_rows(pg: Any) -> dict[str, list[dict[str, Any]]]:
    """Node rows grouped by label; one node id with two labels is an error."""
    labels: dict[str, str] = {}
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for node in pg.nodes:
        iri, label = str(node.id), str(node.label or "")
        if labels.setdefault(iri, label) != label:
            raise PushError(f"node {iri} has two labels ({labels[iri]}, {label}); it needs one")
        rows.setdefault(label, {})[iri] = {"iri": iri, "props": clean_props(node.props)}
    return {label: list(by_iri.values()) for label, by_iri in sorted(rows.items())}


def relationship_rows(pg: Any) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Relationship rows grouped by (type, source label, target label); duplicates merge."""
    labels = {str(n.id): str(n.label or "") for n in pg.nodes}
    groups: dict[tuple[str, str, str], dict[tuple[str, str], dict[str, Any]]] = {}
    for edge in pg.edges:
        source, target = str(edge.source), str(edge.target)
        for end in (source, target):
            if end not in labels:
                raise PushError(f"relationship {edge.type} uses {end}, which is not a node")
        key = (str(edge.type), labels[source], labels[target])
        row = {"source": source, "target": target, "props": clean_props(edge.props)}
        groups.setdefault(key, {})[(source, target)] = row
    return {key: list(rows.values()) for key, rows in sorted(groups.items())}


def schema_statements(labels: Iterable[str], dialect: str = "neo4j",
                      existing: Iterable[str] = ()) -> list[Statement]:
    """Uniqueness constraints (Neo4j 5) or ``iri`` indexes (FalkorDB) for each label."""
    if dialect not in DIALECTS:
        raise PushError(f"unknown Cypher dialect {dialect!r}; use one of {', '.join(DIALECTS)}")
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


def falkordb_escape(value: Any) -> Any:
    """Escape strings for FalkorDB's Bolt server, which pastes string parameters into a
    single-quoted Cypher literal: unescaped, a quote fails the query and a backslash is lost."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list | tuple):
        return [falkordb_escape(v) for v in value]
    if isinstance(value, Mapping):
        for key in value:
            if "'" in key or "\\" in key:
                raise PushError(f"FalkorDB cannot take the map key {key!r} (quote or backslash)")
        return {key: falkordb_escape(v) for key, v in value.items()}
    return value


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
            raise PushError(
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
                     push_id: str = "", max_bytes: int | None = None) -> Iterator[Statement]:
    """Batched MERGE statements: every node label first, then every relationship group.

    ``max_bytes`` caps text + parameters of one statement (FalkorDB needs it).
    """
    if batch_size < 1:
        raise PushError(f"batch size must be at least 1, not {batch_size}")
    base = {"graph": graph_id, "push": push_id}
    plans: list[tuple[str, str, list[dict[str, Any]]]] = []
    for label, rows in node_rows(pg).items():
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
                                push_id=push_id, max_bytes=max_bytes)
    if replace:
        yield from cleanup_statements(graph_id, push_id)


class BoltClient:
    """One long-lived driver to a Bolt server, with short timeouts and retried statements."""

    def __init__(self, uri: str, *, auth: Any = _USE_ENV, database: str | None = None,
                 dialect: str = "auto", timeout: float = 5.0, retries: int = 3,
                 backoff: float = 0.5) -> None:
        import neo4j  # imported here so that dry runs and offline use need no server

        # the driver logs every lost connection; PushError reports the outcome instead
        logger = logging.getLogger("neo4j")
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())

        if dialect not in (*DIALECTS, "auto"):
            raise PushError(f"unknown Cypher dialect {dialect!r}; use auto, neo4j or falkordb")
        if uri.split("://", 1)[0] not in BOLT_SCHEMES:
            raise PushError(f"cannot use Bolt URI {uri!r}: it must start with bolt:// "
                            "(or bolt+s://, neo4j://, neo4j+s://)")
        self.uri, self.database, self.retries, self.backoff = uri, database, retries, backoff
        self._dialect = None if dialect == "auto" else dialect
        try:
            self.driver = neo4j.GraphDatabase.driver(
                uri,
                auth=credentials_from_env() if auth is _USE_ENV else auth,
                connection_acquisition_timeout=timeout,
                connection_timeout=timeout,
                max_transaction_retry_time=timeout,
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise PushError(f"cannot use Bolt URI {uri!r}: {exc}") from exc

    def __enter__(self) -> BoltClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver and its connections."""
        self.driver.close()

    def _raw(self, text: str,
             params: Mapping[str, Any] | None = None) -> tuple[list[dict[str, Any]], Any]:
        """Run one auto-commit statement, retrying lost connections; Neo4jError passes."""
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired, TransientError

        tries = max(self.retries, 1)
        last: Exception | None = None
        params = dict(params or {})
        if self._dialect == "falkordb":
            params = falkordb_escape(params)
        for attempt in range(tries):
            try:
                with self.driver.session(database=self.database) as session:
                    result = session.run(text, params)
                    records = [record.data() for record in result]
                    return records, result.consume().counters
            except (ServiceUnavailable, SessionExpired, TransientError, OSError) as exc:
                last = exc
            except Neo4jError:
                raise
            if attempt + 1 < tries:
                time.sleep(self.backoff * (attempt + 1))
        raise _Unreachable(last)

    def run(self, text: str, params: Mapping[str, Any] | None = None, where: str = "",
            advice: str = "") -> list[dict[str, Any]]:
        """Run a statement and return its records as dicts; failures raise PushError."""
        from neo4j.exceptions import AuthError, Neo4jError

        at = f" at {where}" if where else ""
        then = f". {advice}" if advice else ""
        if params and self._dialect is None:
            self._dialect = self._detect()  # FalkorDB needs its parameters escaped
        try:
            return self._raw(text, params)[0]
        except _Unreachable as exc:
            raise self._unreachable(exc, at, then) from exc.cause
        except AuthError as exc:
            raise self._refused_credentials() from exc
        except Neo4jError as exc:
            falkordb = self._dialect == "falkordb"
            hint = " (FalkorDB hides the cause of query errors)" if falkordb else ""
            raise PushError(f"Bolt server {self.uri} refused a statement{at}: "
                            f"{exc.message or exc}{hint}{then}") from exc

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """Run a read query and return its rows."""
        return self.run(cypher, params)

    @property
    def dialect(self) -> str:
        """``neo4j`` or ``falkordb``, detected once: FalkorDB has no dbms.components()."""
        if self._dialect is None:
            self._dialect = self._detect()
        return self._dialect

    def _detect(self) -> str:
        from neo4j.exceptions import AuthError, Neo4jError

        for dialect, probe in (("neo4j", "CALL dbms.components() YIELD name RETURN name"),
                               ("falkordb", "CALL db.indexes()")):
            try:
                self._raw(probe)
                return dialect
            except _Unreachable as exc:
                raise self._unreachable(exc) from exc.cause
            except AuthError as exc:
                raise self._refused_credentials() from exc
            except Neo4jError:
                continue
        raise PushError(f"cannot tell whether {self.uri} is Neo4j or FalkorDB; pass a dialect")

    def _unreachable(self, exc: _Unreachable, at: str = "", then: str = "") -> PushError:
        cause = " ".join(str(exc.cause).split())
        return PushError(f"Bolt server {self.uri} unreachable after {max(self.retries, 1)} "
                         f"attempt(s){at}: {cause}{then}")

    def _refused_credentials(self) -> PushError:
        return PushError(f"Bolt server {self.uri} refused the credentials; "
                         "set NEO4J_USERNAME and NEO4J_PASSWORD")

    def _falkordb_indexed(self) -> set[str]:
        rows = self.run("CALL db.indexes()")
        return {r.get("label") for r in rows
                if IRI_KEY in (r.get("properties") or []) and r.get("entitytype", "NODE") == "NODE"}

    def counts(self, graph_id: str | None = None) -> tuple[int, int]:
        """(nodes, relationships) on the server, or only those tagged with ``graph_id``."""
        where_n = " WHERE n.dta_kg_graph = $graph" if graph_id else ""
        where_r = " WHERE r.dta_kg_graph = $graph" if graph_id else ""
        params = {"graph": graph_id} if graph_id else {}
        nodes = self.run(f"MATCH (n){where_n} RETURN count(n) AS c", params)[0]["c"]
        rels = self.run(f"MATCH ()-[r]->(){where_r} RETURN count(r) AS c", params)[0]["c"]
        return int(nodes), int(rels)

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
                                           push_id=push_id, max_bytes=max_bytes))
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


class _Unreachable(Exception):
    def __init__(self, cause: Exception | None) -> None:
        super().__init__(str(cause))
        self.cause = cause
