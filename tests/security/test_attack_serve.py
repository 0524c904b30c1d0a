"""Item 5 of issue 14: `dta-kg serve` as a confused deputy (SERVICE, Host header)."""

from __future__ import annotations

import http.client
import shutil
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from plugins.servers import free_port
from support.processes import read_until, start_cli, stop

from dta_kg.sinks.gateway import allowed_hosts, query_text

HAS_OXIGRAPH = (Path(sys.executable).parent / "oxigraph").exists() or shutil.which("oxigraph")
pytestmark = pytest.mark.skipif(not HAS_OXIGRAPH, reason="the oxigraph binary is not installed")


class _Internal(BaseHTTPRequestHandler):
    """An internal service the attacker wants to read through the endpoint."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        type(self).hits.append(self.path)
        body = b'{"head":{"vars":["secret"]},"results":{"bindings":[{"secret":' \
               b'{"type":"literal","value":"internal"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def _ask(port: int, query: str, host: str | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/sparql-results+json"}
    if host is not None:
        headers["Host"] = host
    conn.request(method, "/query?" + urllib.parse.urlencode({"query": query}), headers=headers)
    resp = conn.getresponse()
    answer = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return answer


def test_serve_refuses_service_and_foreign_hosts_and_restarts_on_its_port(built_project):
    """Attack: a query with SERVICE <http://127.0.0.1:PORT/...> made `serve` fetch an internal
    service and return its body; a request with `Host: evil.example` (DNS rebinding) was
    answered. Expected: both get 403 and the internal service sees no request; a plain query
    answers with CORS headers; after Ctrl-C the server starts again on the same port at once."""
    internal = HTTPServer(("127.0.0.1", 0), _Internal)
    threading.Thread(target=internal.serve_forever, daemon=True).start()
    port = free_port()
    proc = start_cli(built_project, "serve", "--port", str(port))
    try:
        read_until(proc, "Press Ctrl-C")
        target = f"http://127.0.0.1:{internal.server_address[1]}/sparql"
        status, _, body = _ask(port, f"SELECT * WHERE {{ SERVICE <{target}> {{ ?secret ?p ?o }} }}")
        assert status == 403 and b"SERVICE" in body and b"internal" not in body
        assert _Internal.hits == []

        status, _, _ = _ask(port, "ASK { ?s ?p ?o }", host=f"evil.example:{port}")
        assert status == 403
        status, headers, body = _ask(port, "ASK { ?s a <https://w3id.org/dta-kg/ontology#Study> }")
        assert status == 200 and b"true" in body
        assert headers.get("Access-Control-Allow-Origin") == "*"
        status, headers, _ = _ask(port, "ASK {}", method="OPTIONS")
        assert status == 204 and "POST" in headers.get("Access-Control-Allow-Methods", "")

        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        stop(proc)
        proc = start_cli(built_project, "serve", "--port", str(port))
        read_until(proc, "Press Ctrl-C")
    finally:
        stop(proc)
        internal.shutdown()


def test_gateway_hosts_and_query_text():
    """Attack: Host headers and query encodings that could slip past the checks. Expected:
    only the bound address (and loopback names on loopback) is accepted, and the query is
    found in GET parameters, POST forms and POST bodies."""
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert "localhost:8000" not in allowed_hosts("192.168.1.5", 8000)
    service = "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"
    form = urllib.parse.urlencode({"query": service}).encode()
    assert query_text("GET", "/query?" + form.decode(), "", b"") == service
    assert query_text("POST", "/query", "application/x-www-form-urlencoded", form) == service
    assert query_text("POST", "/query", "application/sparql-query", service.encode()) == service
