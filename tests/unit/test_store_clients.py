"""The store clients without a database: Neo4j statement text, batching, auth, HTTP basics."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from plugins.servers import free_port
from rdflib import Graph
from support.samples import sample_property_graph, sample_rdf

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.sinks import neo4j as np
from dta_kg.stores import bolt as bc
from dta_kg.stores import sparql_http as ss


def test_neo4j_constraints_use_neo4j5_syntax():
    [stmt] = np.schema_statements(["Study"], "neo4j")
    assert stmt.text == ("CREATE CONSTRAINT `dta_kg_iri_Study` IF NOT EXISTS "
                         "FOR (n:`Study`) REQUIRE n.iri IS UNIQUE")
    [odd] = np.schema_statements(["Odd`Label x"], "neo4j")
    assert "FOR (n:`Odd``Label x`)" in odd.text and "`dta_kg_iri_Odd_Label_x`" in odd.text


def test_falkordb_gets_indexes_only_where_missing():
    stmts = np.schema_statements(["Study", "Finding"], "falkordb", existing=["Study"])
    assert [s.text for s in stmts] == ["CREATE INDEX FOR (n:`Finding`) ON (n.iri)"]
    with pytest.raises(bc.BoltError, match="unknown Cypher dialect"):
        np.schema_statements(["Study"], "memgraph")


def test_write_statements_merge_by_label_and_type():
    stmts = list(np.write_statements(sample_property_graph(), batch_size=2, push_id="p1"))
    nodes = [s for s in stmts if s.kind == "nodes"]
    rels = [s for s in stmts if s.kind == "relationships"]
    assert stmts.index(nodes[-1]) < stmts.index(rels[0])  # nodes first
    assert nodes[0].text == (
        "UNWIND $rows AS row\nMERGE (n:`DTAComponent` {iri: row.iri})\n"
        "SET n = row.props, n.iri = row.iri, n.dta_kg_graph = $graph, n.dta_kg_push = $push"
    )
    about = next(s for s in rels if "`ABOUT_STUDY`" in s.text)
    assert about.text == (
        "UNWIND $rows AS row\nMATCH (a:`Finding` {iri: row.source})\n"
        "MATCH (b:`Study` {iri: row.target})\nMERGE (a)-[r:`ABOUT_STUDY`]->(b)\n"
        "SET r = row.props, r.dta_kg_graph = $graph, r.dta_kg_push = $push"
    )
    assert all(s.rows <= 2 and len(s.params["rows"]) == s.rows for s in stmts)
    assert {s.params["push"] for s in stmts} == {"p1"}
    assert sum(s.rows for s in nodes) == 13 and sum(s.rows for s in rels) == 13


def test_byte_budget_splits_batches_and_refuses_oversized_rows():
    pg = sample_property_graph(extra_studies=10, pad=500)
    for stmt in np.write_statements(pg, batch_size=100, max_bytes=np.FALKORDB_MAX_BYTES):
        size = len(stmt.text.encode()) + len(np.json.dumps(stmt.params, ensure_ascii=False)
                                             .encode())
        assert size <= np.FALKORDB_MAX_BYTES
    huge = PropertyGraph([Node("urn:big", "Study", {"abstract": "x" * 4000})], [])
    with pytest.raises(bc.BoltError, match="urn:big needs a"):
        list(np.write_statements(huge, max_bytes=np.FALKORDB_MAX_BYTES))
    with pytest.raises(bc.BoltError, match="batch size"):
        list(np.write_statements(huge, batch_size=0))


def test_graph_shape_errors():
    two_labels = PropertyGraph([Node("urn:a", "Study"), Node("urn:a", "Finding")], [])
    with pytest.raises(bc.BoltError, match="two labels"):
        np.node_rows(two_labels)
    dangling = PropertyGraph([Node("urn:a", "Study")], [Edge("urn:a", "urn:b", "CITES")])
    with pytest.raises(bc.BoltError, match="not a node"):
        np.relationship_rows(dangling)


def test_clean_props_keeps_bolt_types():
    from decimal import Decimal

    props = np.clean_props({"a": Decimal("0.50"), "b": None, "c": [1, "x"], "iri": "no",
                            "d": {3, 1}, "e": 2**70, "f": True})
    assert props == {"a": 0.5, "c": ["1", "x"], "d": [1, 3], "e": str(2**70), "f": True}


def test_dry_run_lists_every_statement():
    pg = sample_property_graph()
    stmts = list(np.dry_run(pg, batch_size=100, replace=True))
    kinds = [s.kind for s in stmts]
    assert kinds.count("schema") == 5 and kinds[-2:] == ["cleanup", "cleanup"]
    text = stmts[5].render()
    assert text.startswith("// nodes: 1 row(s)\nUNWIND $rows AS row") and "// params: {" in text
    falkor = list(np.dry_run(pg, dialect="falkordb"))
    assert falkor[0].text.startswith("CREATE INDEX FOR")


def test_credentials_from_env():
    assert bc.credentials_from_env({}) is None
    assert bc.credentials_from_env({"NEO4J_USERNAME": "u", "NEO4J_PASSWORD": "p"}) == ("u", "p")
    assert bc.credentials_from_env({"NEO4J_PASSWORD": "p"}) == ("neo4j", "p")


def test_unreachable_bolt_server_gives_a_clear_error():
    with np.BoltWriter(f"bolt://127.0.0.1:{free_port()}", auth=None, retries=2, backoff=0,
                       timeout=2) as bolt:
        with pytest.raises(bc.BoltError, match="unreachable"):
            bolt.push(sample_property_graph())
    with pytest.raises(bc.BoltError, match="cannot use Bolt URI"):
        bc.BoltClient("http://nowhere", auth=None)


@pytest.mark.parametrize(("scheme", "dialect", "unstuck"), [
    ("bolt", "auto", True), ("bolt", "falkordb", True), ("bolt", "neo4j", False),
    ("bolt+ssc", "auto", False), ("neo4j", "auto", False)])
def test_a_throw_away_handshake_goes_first_over_plain_bolt_unless_the_server_is_neo4j(
        scheme, dialect, unstuck):
    """`bolt.unstick` (for FalkorDB's Bolt server) runs before each new connection over plain
    bolt://, unless the dialect is Neo4j; never over TLS or Neo4j's routing scheme."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    received: list[bytes] = []
    done = threading.Event()

    def serve() -> None:  # read what each connection sends first, answer nothing, close
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(64))
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    uri = f"{scheme}://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with bc.BoltClient(uri, auth=None, dialect=dialect, timeout=1, retries=1) as client:
            with pytest.raises(bc.BoltError):
                client.run("RETURN 1")
    finally:
        done.set()
        thread.join(5)
        listener.close()
    assert received, "the client connected"
    assert (bc.HANDSHAKE in received) == unstuck, received


def test_sparql_auth_from_env():
    assert ss.auth_from_env({}) is None
    auth = ss.auth_from_env({"DTA_KG_SPARQL_USER": "u", "DTA_KG_SPARQL_PASSWORD": "secret"})
    assert auth == ss.Auth("u", "secret", "basic") and "secret" not in repr(auth)
    digest = ss.auth_from_env({"DTA_KG_SPARQL_USER": "u", "DTA_KG_SPARQL_AUTH": "Digest"})
    assert digest.scheme == "digest"
    with pytest.raises(ss.SparqlStoreError, match="basic' or 'digest"):
        ss.auth_from_env({"DTA_KG_SPARQL_USER": "u", "DTA_KG_SPARQL_AUTH": "ntlm"})


def test_term_from_json_reads_virtuoso_typed_literals():
    term = ss.term_from_json({"type": "typed-literal", "value": "2022",
                              "datatype": "http://www.w3.org/2001/XMLSchema#gYear"})
    assert term.toPython() is not None and str(term.datatype).endswith("gYear")
    assert ss.term_from_json({"type": "literal", "value": "x", "xml:lang": "en"}).language == "en"


class _BasicOnly(BaseHTTPRequestHandler):
    """A tiny Graph Store that wants basic auth as u:p and keeps what was PUT."""

    received: dict[str, bytes] = {}

    def do_PUT(self):  # noqa: N802
        token = base64.b64encode(b"u:p").decode()
        if self.headers.get("Authorization") != f"Basic {token}":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="store"')
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _BasicOnly.received[self.path] = body
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_basic_auth_put_against_a_local_http_server():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _BasicOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/store"
    try:
        data = sample_rdf()
        assert ss.put_graph(url, data, "urn:g", auth=ss.Auth("u", "p")) == len(data)
        [(path, body)] = _BasicOnly.received.items()
        assert path == "/store?graph=urn%3Ag"
        assert len(Graph().parse(data=body, format="nt")) == len(data)
        with pytest.raises(ss.SparqlStoreError, match="authentication refused"):
            ss.put_graph(url, data, "urn:g", auth=ss.Auth("u", "wrong"))
    finally:
        server.shutdown()
        server.server_close()


def test_falkordb_escape_quotes_and_backslashes_everywhere():
    value = {"rows": [{"iri": "urn:a", "props": {"t": "it's C:\\x", "n": 1, "l": ["'"]}}]}
    assert bc.falkordb_escape(value) == {
        "rows": [{"iri": "urn:a", "props": {"t": "it\\'s C:\\\\x", "n": 1, "l": ["\\'"]}}]}
    with pytest.raises(bc.BoltError, match="map key"):
        bc.falkordb_escape({"it's": 1})
