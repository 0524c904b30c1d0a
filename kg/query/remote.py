"""Run ad-hoc and named queries on remote stores: a SPARQL endpoint or a Bolt server.

Named queries run unchanged. Their parameters are resolved as for the embedded stores (against
the local build's vocabulary and DOIs), then bound as each protocol allows:

* SPARQL: each parameter is bound by a VALUES block holding its RDF term in N-Triples syntax
  (escaped terms, never raw text), in each group that uses it; the usual prefixes are declared
  when the query does not declare them; `default-graph-uri` names the graph to read.
* Cypher: `$name` parameters. Factor words match the `words` property the build stores, in any
  engine. The catalogue's Cypher is written for the embedded engine, so `cypher_for` renames its
  few engine-specific functions for Bolt servers (CAST(x AS INT64) -> toInteger(x), label(n) ->
  labels(n)[0], lower -> toLower); values are never written into the text. FalkorDB lacks
  EXISTS subqueries and `=~`, so queries using them are refused there with a clear message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dta_kg.core.basis import UNGIVEN
from dta_kg.core.errors import DtaKgError
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import python_value
from dta_kg.query.cypher_guard import check_cypher_read_only
from dta_kg.query.guards import Limits, row_limit
from dta_kg.query.session import Result, Session
from dta_kg.query.sparql_guard import check_sparql
from dta_kg.query.sparql_text import bind_values, blank, sparql11, with_prefixes
from dta_kg.stores.bolt import BoltClient
from dta_kg.stores.local import ensure_fresh

_CYPHER_OPAQUE = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|//[^\n]*")
_CASTS = {"INT64": "toInteger", "INT32": "toInteger", "DOUBLE": "toFloat", "FLOAT": "toFloat",
          "STRING": "toString", "BOOLEAN": "toBoolean"}
_FALKORDB_LACKS = {r"\bEXISTS\s*\{": "EXISTS { } subqueries", r"=~": "regular expressions (=~)"}


def _call_end(text: str, start: int) -> int:
    """The index just after the parenthesis closing the one at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    raise DtaKgError("unbalanced parentheses in a Cypher query")


def _casts(text: str) -> str:
    """CAST(x AS T) -> toInteger(x) / toFloat(x) / ... (nested casts included)."""
    while match := re.search(r"\bCAST\s*\(", text, re.IGNORECASE):
        end = _call_end(text, match.end() - 1)
        inner = text[match.end():end - 1]
        expr, sep, kind = inner.rpartition(" AS ")
        func = _CASTS.get(kind.strip().upper())
        if not sep or func is None:
            raise DtaKgError(f"cannot translate CAST({inner}) for this Cypher server")
        text = f"{text[:match.start()]}{func}({_casts(expr.strip())}){text[end:]}"
    return text


def cypher_for(text: str, dialect: str) -> str:
    """Cypher written for the embedded engine, rewritten for a `neo4j` or `falkordb` server."""
    out = _casts(text)
    out = re.sub(r"(?<![\w.])label\(([^()]*)\)", r"labels(\1)[0]", out)
    out = re.sub(r"(?<![\w.])lower\(", "toLower(", out)
    out = re.sub(r"(?<![\w.])upper\(", "toUpper(", out)
    if "regexp_replace" in out:
        raise DtaKgError(f"the query uses regexp_replace, which a {dialect} server lacks")
    if dialect == "falkordb":
        for pattern, what in _FALKORDB_LACKS.items():
            if re.search(pattern, blank(out, _CYPHER_OPAQUE)):
                raise DtaKgError(f"FalkorDB cannot run this query: it has no {what}; run it "
                                 "with --lang sparql, or on the embedded engine")
    return out


class RemoteSession(Session):
    """A Session whose queries go to a SPARQL endpoint or a Bolt server instead."""

    def __init__(self, project: Project, notify: Callable[[str], None] | None = None, *,
                 endpoint: str | None = None, graph: str | None = None,
                 neo4j_uri: str | None = None, database: str | None = None,
                 min_confidence: str = UNGIVEN, allow_service: bool = False,
                 limits: Limits | None = None):
        self.project, self.notify, self.min_confidence = project, notify, min_confidence
        self.limits = limits or Limits()  # the server's time limit and this side's row limit
        self.allow_service = allow_service
        self.endpoint, self.graph = endpoint, graph
        self.neo4j_uri, self.database = neo4j_uri, database
        self._bolt: BoltClient | None = None

    def close(self) -> None:
        if self._bolt is not None:
            self._bolt.close()

    @property
    def bolt(self) -> BoltClient:
        if self.neo4j_uri is None:
            raise DtaKgError("no Bolt server given: use --neo4j-uri bolt://HOST:PORT")
        if self._bolt is None:
            self._bolt = BoltClient(self.neo4j_uri, database=self.database)
        return self._bolt

    def sparql(self, text: str, bindings: dict | None = None, hidden: tuple[str, ...] = (),
               trusted: bool = False) -> Result:
        """Run a read-only query at the endpoint; `bindings` (pyoxigraph terms) substituted.
        An update is refused, and so are SERVICE unless allowed (--allow-service) and a text
        that neither Oxigraph nor rdflib reads (its reading at the endpoint is unknown)."""
        # lazy: sparql_http loads rdflib (~70 ms), which a Bolt-only session never needs
        from dta_kg.stores.sparql_http import auth_from_env, query

        if self.endpoint is None:
            raise DtaKgError("no SPARQL endpoint given: use --endpoint URL")
        if not trusted:
            check_sparql(text, allow_service=self.allow_service, parsed=True,
                         timeout=self.limits.timeout)
        terms = {name: str(term) for name, term in (bindings or {}).items() if term is not None}
        answer = query(self.endpoint, bind_values(with_prefixes(sparql11(text)), terms),
                       auth=auth_from_env(), default_graph=self.graph,
                       timeout=self.limits.timeout)
        self._within_rows(len(answer) if not isinstance(answer, bool) else 1)
        if isinstance(answer, bool):
            return Result(["ask"], [{"ask": answer}])
        if not isinstance(answer, list):  # CONSTRUCT / DESCRIBE
            cols = ["subject", "predicate", "object"]
            return Result(cols, [dict(zip(cols, map(python_value, t), strict=True)) for t in answer])
        cols = [v for v in answer.variables if v not in hidden]
        return Result(cols, [{c: python_value(row.get(c)) for c in cols} for row in answer])

    def cypher(self, text: str, params: dict | None = None, isolated: bool = False) -> Result:
        """Run a Cypher query on the Bolt server, in its dialect (see `cypher_for`); nothing
        runs in this process, so `isolated` changes nothing."""
        rows = self.bolt.query(cypher_for(text, self.bolt.dialect), params or {},
                               max_rows=self.limits.max_rows + 1, timeout=self.limits.timeout)
        self._within_rows(len(rows))
        return Result(list(rows[0]) if rows else [], rows)

    def _within_rows(self, count: int) -> None:
        if count > self.limits.max_rows:
            raise row_limit(self.limits)

    def named(self, name: str, given: dict[str, str], lang: str = "sparql") -> Result:
        """Run the named query `name` remotely; parameters are resolved on the local build."""
        ensure_fresh(self.project, self.notify)
        return super().named(name, given, lang)


def neo4j_rows(uri: str, text: str, limits: Limits | None = None) -> Result:
    """Run `text` on a Neo4j server (credentials from NEO4J_USERNAME / NEO4J_PASSWORD), within
    the server's time limit and this side's row limit (`limits`)."""
    limits = limits or Limits()
    with BoltClient(uri) as client:
        if client.dialect != "neo4j":  # no READ_ACCESS sessions there: allow reads only
            check_cypher_read_only(text)
        rows = client.query(text, max_rows=limits.max_rows + 1, timeout=limits.timeout)
    if len(rows) > limits.max_rows:
        raise row_limit(limits)
    return Result(list(rows[0]) if rows else [], rows)
