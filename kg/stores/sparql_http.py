"""Remote SPARQL stores: replace a named graph (Graph Store HTTP Protocol) and run queries.

Authentication comes from the environment: DTA_KG_SPARQL_USER, DTA_KG_SPARQL_PASSWORD and
DTA_KG_SPARQL_AUTH (``basic``, the default, or ``digest``). Only the standard library talks HTTP.
"""

from __future__ import annotations

import base64
import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from dta_kg.core.errors import DtaKgError, split_userinfo
from dta_kg.core.iris import DEFAULT_GRAPH_IRI
from dta_kg.core.limits import REPLY_BYTES, in_time, load_json, read_stream

ENV_USER, ENV_PASSWORD = "DTA_KG_SPARQL_USER", "DTA_KG_SPARQL_PASSWORD"
ENV_AUTH = "DTA_KG_SPARQL_AUTH"
RESULTS_JSON = "application/sparql-results+json"
# RDF/XML is not read: a hostile reply (entity expansion) would hang its parser
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt"}


class SparqlStoreError(DtaKgError):
    """A remote SPARQL store could not be reached, refused the request or answered badly."""


class Rows(list):
    """SELECT results: a list of rows, with the query's variables in order as ``variables``."""

    variables: list[str] = []


@dataclass(frozen=True)
class Auth:
    """HTTP credentials; ``scheme`` is ``basic`` or ``digest``."""

    user: str
    password: str
    scheme: str = "basic"

    def __repr__(self) -> str:  # never print the password
        return f"Auth(user={self.user!r}, scheme={self.scheme!r})"


def auth_from_env(env: Mapping[str, str] | None = None) -> Auth | None:
    """Credentials from DTA_KG_SPARQL_USER/PASSWORD/AUTH, or None when no user is set."""
    env = os.environ if env is None else env
    user = env.get(ENV_USER, "")
    if not user:
        return None
    scheme = env.get(ENV_AUTH, "basic").strip().lower() or "basic"
    if scheme not in ("basic", "digest"):
        raise SparqlStoreError(f"{ENV_AUTH}={scheme!r} is not supported; use 'basic' or 'digest'")
    return Auth(user, env.get(ENV_PASSWORD, ""), scheme)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class SameOriginCredentials(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never takes the Authorization header to another scheme, host
    or port: a redirect must not hand the store's credentials to someone else."""

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            for name in ("Authorization", "Proxy-authorization"):
                new.remove_header(name)
        return new


_PLAIN = urllib.request.build_opener(SameOriginCredentials)


def _opener(url: str, auth: Auth | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [SameOriginCredentials()]
    if auth is not None and auth.scheme == "digest":
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, auth.user, auth.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    return urllib.request.build_opener(*handlers)


def _refused(method: str, url: str, auth: Auth | None) -> SparqlStoreError:
    who = f"user {auth.user!r} with {auth.scheme} auth" if auth else "no credentials"
    return SparqlStoreError(f"{method} {url}: authentication refused ({who}); set {ENV_USER}, "
                            f"{ENV_PASSWORD} and {ENV_AUTH}=basic|digest")


def _challenge(url: str, headers: Mapping[str, str], timeout: float) -> str | None:
    """The WWW-Authenticate challenge when a HEAD request is refused with 401, else None."""
    try:
        _PLAIN.open(urllib.request.Request(url, headers=dict(headers), method="HEAD"),
                    timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else None
    except (urllib.error.URLError, OSError):
        pass  # the upload itself reports the failure
    return None


def _authorise_upload(req: urllib.request.Request, opener: urllib.request.OpenerDirector,
                      auth: Auth | None, timeout: float) -> None:
    """Check the credentials with HEAD requests before an upload, and give a digest upload its
    Authorization at once: a server refusing an upload while it is still being sent closes
    the connection (Virtuoso does), which would look like a network failure."""
    challenge = _challenge(req.full_url, {}, timeout)
    if challenge is None:
        return
    method = req.get_method()
    if auth is None:
        raise _refused(method, req.full_url, auth)
    if auth.scheme == "basic":
        if _challenge(req.full_url, {"Authorization": req.get_header("Authorization") or ""},
                      timeout) is not None:
            raise _refused(method, req.full_url, auth)
        return
    handlers = opener.handlers  # type: ignore[attr-defined]
    handler = next(h for h in handlers if isinstance(h, urllib.request.HTTPDigestAuthHandler))
    scheme, _, params = challenge.partition(" ")
    if scheme.lower() != "digest":
        raise _refused(method, req.full_url, auth)
    chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
    probe = urllib.request.Request(req.full_url, method="HEAD")
    value = handler.get_authorization(probe, chal)
    if not value or _challenge(req.full_url, {"Authorization": f"Digest {value}"},
                               timeout) is not None:
        raise _refused(method, req.full_url, auth)
    req.add_unredirected_header("Authorization", f"Digest {handler.get_authorization(req, chal)}")


def _request(
    method: str,
    url: str,
    *,
    auth: Auth | None,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    retries: int = 2,
) -> tuple[int, str, bytes]:
    """Send one idempotent request, retrying connection failures; return status, type, body.
    Credentials in the URL (http://user:password@host/...) are sent as Basic auth, never
    printed."""
    url, user, password = split_userinfo(url)
    if user is not None and auth is None:
        auth = Auth(urllib.parse.unquote(user), urllib.parse.unquote(password or ""))
    head = dict(headers or {})
    if auth is not None and auth.scheme == "basic":
        token = base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode("ascii")
        head["Authorization"] = f"Basic {token}"
    last: Exception | None = None
    deadline = time.monotonic() + timeout  # for the whole exchange, all attempts together
    for attempt in range(retries + 1):
        req = urllib.request.Request(url, data=data, headers=head, method=method)
        opener = _opener(url, auth)

        def exchange(req: urllib.request.Request = req,
                     opener: urllib.request.OpenerDirector = opener) -> tuple[int, str, bytes]:
            if data is not None:
                _authorise_upload(req, opener, auth, timeout)
            with opener.open(req, timeout=timeout) as resp:
                ctype = resp.headers.get("Content-Type", "")
                answer = read_stream(resp, REPLY_BYTES, "an endpoint's answer",
                                     "ask for fewer rows (LIMIT) or fetch the data another way")
                return resp.status, ctype, answer

        try:
            return in_time(deadline - time.monotonic(), exchange)
        except urllib.error.HTTPError as exc:
            body = exc.read(4096).decode("utf-8", "replace").strip()[:300]
            if exc.code == 401:
                raise _refused(method, url, auth) from exc
            if exc.code >= 500 and attempt < retries:
                last = exc
            else:
                raise SparqlStoreError(f"{method} {url}: HTTP {exc.code}: {body}") from exc
        except TimeoutError:  # named by the whole exchange's limit, not the time left of it
            last = TimeoutError(f"no complete answer within {timeout:g} s")
        except (urllib.error.URLError, ConnectionError) as exc:
            last = exc
        if time.monotonic() + 0.5 * (attempt + 1) >= deadline:
            break
        time.sleep(0.5 * (attempt + 1))
    reason = getattr(last, "reason", last)
    raise SparqlStoreError(
        f"{method} {url}: store unreachable after {retries + 1} attempts ({reason}); "
        "check that the server is running and the URL is right, then run the command again"
    ) from last


def _with_params(url: str, **params: str) -> str:
    sep = "&" if urllib.parse.urlsplit(url).query else "?"
    return url + sep + urllib.parse.urlencode(params)


def _triples(graph: Graph) -> Graph:
    """A plain Graph holding every triple of ``graph`` (a Dataset is flattened)."""
    if type(graph) is Graph:
        return graph
    flat = Graph()
    for triple in graph.triples((None, None, None)):
        flat.add(triple)
    return flat


def put_graph(
    store_url: str,
    graph: Graph,
    graph_iri: str = DEFAULT_GRAPH_IRI,
    *,
    auth: Auth | None = None,
    timeout: float = 300.0,
    retries: int = 2,
) -> int:
    """Replace the named graph ``graph_iri`` at a Graph Store endpoint; return triples sent.

    ``store_url`` is the Graph Store service, e.g. Oxigraph's ``/store`` or Virtuoso's
    ``/sparql-graph-crud-auth``. PUT replaces the whole graph, so a retry is harmless.
    """
    flat = _triples(graph)
    body = flat.serialize(format="nt", encoding="utf-8")
    status, _, _ = _request(
        "PUT",
        _with_params(store_url, graph=graph_iri),
        auth=auth,
        data=body,
        headers={"Content-Type": "text/turtle; charset=utf-8"},
        timeout=timeout,
        retries=retries,
    )
    if status not in (200, 201, 204):
        raise SparqlStoreError(f"PUT {store_url}: unexpected HTTP {status}")
    return len(flat)


def get_graph(store_url: str, graph_iri: str = DEFAULT_GRAPH_IRI, *, auth: Auth | None = None,
              timeout: float = 300.0) -> Graph:
    """Fetch one named graph from a Graph Store endpoint."""
    _, ctype, body = _request(
        "GET", _with_params(store_url, graph=graph_iri), auth=auth, timeout=timeout,
        headers={"Accept": "application/n-triples, text/turtle;q=0.9"},
    )
    return _parse_rdf(body, ctype, store_url)


def delete_graph(store_url: str, graph_iri: str = DEFAULT_GRAPH_IRI, *,
                 auth: Auth | None = None) -> bool:
    """Drop a named graph; False when the store says it did not exist."""
    try:
        _request("DELETE", _with_params(store_url, graph=graph_iri), auth=auth, retries=1)
    except SparqlStoreError as exc:
        if isinstance(exc.__cause__, urllib.error.HTTPError) and exc.__cause__.code == 404:
            return False
        raise
    return True


def _parse_rdf(body: bytes, ctype: str, url: str) -> Graph:
    mime = ctype.split(";")[0].strip().lower()
    fmt = RDF_TYPES.get(mime)
    if fmt is None:
        raise SparqlStoreError(f"{url}: answered with {ctype or 'no content type'}, which dta-kg "
                               "does not read; it reads N-Triples, Turtle and SPARQL JSON results")
    try:
        return Graph().parse(data=body, format=fmt)
    except Exception as exc:  # rdflib raises many kinds of parse errors
        raise SparqlStoreError(f"{url}: malformed {mime} reply: "
                               f"{' '.join(str(exc).split())[:200]}") from exc


def term_from_json(cell: Mapping[str, str]) -> Node:
    """One SPARQL JSON results cell as an rdflib term."""
    kind, value = cell.get("type"), cell.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):  # Virtuoso still says typed-literal
        datatype = cell.get("datatype")
        return Literal(value, lang=cell.get("xml:lang"),
                       datatype=URIRef(datatype) if datatype else None)
    raise SparqlStoreError(f"unknown term type {kind!r} in SPARQL results")


def query(
    endpoint: str,
    sparql: str,
    *,
    auth: Auth | None = None,
    default_graph: str | None = None,
    timeout: float = 120.0,
) -> Rows | bool | Graph:
    """Run a query at a SPARQL 1.1 Protocol endpoint.

    SELECT gives rows (variable -> rdflib term, unbound variables left out; the variables in
    order as ``rows.variables``), ASK a bool,
    CONSTRUCT/DESCRIBE a Graph. ``default_graph`` sends ``default-graph-uri`` so queries
    written for the default graph run unchanged over one named graph.
    """
    form = [("query", sparql)]
    if default_graph:
        form.append(("default-graph-uri", default_graph))
    _, ctype, body = _request(
        "POST", endpoint, auth=auth, timeout=timeout, retries=1,
        data=urllib.parse.urlencode(form).encode("utf-8"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": f"{RESULTS_JSON}, application/n-triples;q=0.9, text/turtle;q=0.8",
        },
    )
    if "json" not in ctype.lower():
        return _parse_rdf(body, ctype, endpoint)
    try:
        doc = load_json(body)
        if isinstance(doc.get("boolean"), bool):
            return doc["boolean"]
        bindings = doc["results"]["bindings"]
        if not isinstance(bindings, list):
            raise TypeError("bindings is not a list")
        rows = Rows({name: term_from_json(cell) for name, cell in row.items()} for row in bindings)
        rows.variables = [str(v) for v in doc.get("head", {}).get("vars", [])]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SparqlStoreError(f"{endpoint}: the answer is not SPARQL JSON results ({exc!r:.80}); "
                               "check that the URL is a SPARQL query endpoint") from None
    return rows


def count_triples(endpoint: str, graph_iri: str = DEFAULT_GRAPH_IRI, *,
                  auth: Auth | None = None) -> int:
    """Number of triples in one named graph, asked through the query endpoint."""
    if any(ch in graph_iri for ch in '<>" {}|\\^`'):
        raise SparqlStoreError(f"not a valid graph IRI: {graph_iri!r}")
    sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"
    rows = query(endpoint, sparql, auth=auth)
    if not isinstance(rows, list):
        raise SparqlStoreError(f"{endpoint}: a SELECT query did not return rows")
    try:
        return int(rows[0]["n"].toPython())  # a COUNT always answers one row
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        raise SparqlStoreError(f"{endpoint}: answered the triple count without a number in ?n; "
                               "check that --query-endpoint is the store's SPARQL query URL") \
            from None
