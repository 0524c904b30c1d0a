"""`dta-kg serve` as a confused deputy and on a shared machine (issue 14 item 5, issue 21
section 4): SERVICE, Host header, one port, limits that stop the engine, malformed requests."""

from __future__ import annotations

import http.client
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plugins.servers import free_port
from support.processes import read_until, start_cli, stop

from dta_kg.sinks.gateway import (
    BadRequest,
    Limits,
    allowed_hosts,
    content_length,
    parse_head,
    query_text,
)
from dta_kg.sinks.serve import exposure_warning

CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
STUDY = "ASK { ?s a <https://w3id.org/dta-kg/ontology#Study> }"


class _Internal(BaseHTTPRequestHandler):
    """An internal service the attacker wants to read through the endpoint."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits.append(self.path)
        body = b'{"head":{"vars":["secret"]},"results":{"bindings":[{"secret":' \
               b'{"type":"literal","value":"internal"}}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args: object) -> None:
        pass


def _ask(port: int, query: str, host: str | None = None, method: str = "GET",
         form: bool = False) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept": "application/sparql-results+json"}
    if host is not None:
        headers["Host"] = host
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request("POST", "/query", body=urllib.parse.urlencode({"query": query}), headers=headers)
    else:
        conn.request(method, "/query?" + urllib.parse.urlencode({"query": query}), headers=headers)
    resp = conn.getresponse()
    answer = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return answer


def _raw(port: int, data: bytes) -> bytes:
    """Send `data` as is and read the reply until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture(scope="module")
def server(built_project) -> Iterator[tuple[int, object]]:
    port = free_port()
    proc = start_cli(built_project, "serve", "--port", str(port), "--timeout", "2")
    read_until(proc, "Press Ctrl-C")
    yield port, proc
    stop(proc)


def test_serve_refuses_service_and_foreign_hosts_and_restarts_on_its_port(built_project):
    """Attack: a query with SERVICE <http://127.0.0.1:PORT/...> made `serve` fetch an internal
    service and return its body, also as a form POST any web page can send; a request with
    `Host: evil.example` (DNS rebinding) was answered. Expected: both get 403 and the internal
    service sees no request; a plain query answers with CORS headers; after Ctrl-C the server
    starts again on the same port at once."""
    internal = HTTPServer(("127.0.0.1", 0), _Internal)
    threading.Thread(target=internal.serve_forever, daemon=True).start()
    port = free_port()
    proc = start_cli(built_project, "serve", "--port", str(port))
    try:
        read_until(proc, "Press Ctrl-C")
        target = f"http://127.0.0.1:{internal.server_address[1]}/sparql"
        for text in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?secret ?p ?o }} }}",
                     f"SELECT * WHERE {{ ?s ?p 25SERVICE SILENT <{target}> {{ ?a ?b ?c }} }}",
                     f"SELECT * WHERE {{ ?s ?p ?o #\rSERVICE <{target}> {{ ?a ?b ?c }}\n}}"):
            for form in (False, True):
                status, _, body = _ask(port, text, form=form)
                assert status == 403 and b"SERVICE" in body and b"internal" not in body
        assert _Internal.hits == []

        status, _, _ = _ask(port, "ASK { ?s ?p ?o }", host=f"evil.example:{port}")
        assert status == 403
        status, headers, body = _ask(port, STUDY)
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


def test_serve_listens_on_one_port_only(server):
    """Attack: the private Oxigraph port behind the gateway answered any Host and SERVICE for
    every local process. Expected: the server and its engine processes listen on one port."""
    port, proc = server
    tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    listening = {c.laddr.port for p in tree for c in p.net_connections("tcp")
                 if c.status == psutil.CONN_LISTEN}
    assert listening == {port}
    assert len(tree) >= 3  # the server and its engine processes


@pytest.mark.slow
def test_a_runaway_query_is_stopped_with_its_engine(server):
    """Attack: a cartesian COUNT burnt CPU long after the client left. Expected: past
    --timeout (2 s) a 503, no process of the server still busy, and the next query answers."""
    port, proc = server
    started = time.monotonic()
    status, _, body = _ask(port, CARTESIAN_COUNT)
    assert status == 503 and b"longer than 2 s" in body
    assert time.monotonic() - started < 20
    time.sleep(1)
    tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    for p in tree:
        p.cpu_percent(None)
    time.sleep(2)
    assert all(p.cpu_percent(None) < 50 for p in tree if p.is_running())
    deadline = time.monotonic() + 60
    while (status := _ask(port, STUDY)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200


@pytest.mark.parametrize("head", [
    b"Content-Length: abc", b"Content-Length: -5", b"Content-Length: +5", b"Content-Length: 1e3",
    b"Content-Length: 0x10", b"Content-Length: 5\r\nContent-Length: 6", b"Content-Length: 5 5",
    b"Content-Length: " + b"9" * 40, b"Transfer-Encoding: chunked", b"transfer-encoding: CHUNKED",
    b"Transfer-Encoding: gzip, chunked", b"Bad header line", b"Content-Length: \xd9\xa5",
])
def test_malformed_request_heads_get_a_4xx_and_no_traceback(server, head):
    port, proc = server
    reply = _raw(port, b"POST /query HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n\r\nquery=ASK{}"
                 % (port, head))
    status = int(reply.split(b" ", 2)[1])
    assert 400 <= status < 500 and b"Traceback" not in reply, reply
    assert _ask(port, STUDY)[0] == 200  # still serving


def test_idle_connections_hold_no_query_back(server):
    """Attack: 300 half-open connections held 305 threads. Expected: while 300 connections
    sit idle, queries are answered as usual."""
    port, _ = server
    idle = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(300)]
    try:
        for sock in idle[:100]:
            sock.sendall(b"GET /query?query=ASK")  # a head that never ends
        started = time.monotonic()
        for _ in range(5):
            assert _ask(port, STUDY)[0] == 200
        assert time.monotonic() - started < 30
    finally:
        for sock in idle:
            sock.close()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789-+ xe,.abc\t", min_size=1, max_size=30))
def test_content_length_is_one_whole_number_within_the_limit(value):
    limit = 1000
    try:
        length = content_length([value], limit)
    except BadRequest as exc:
        assert exc.status in (400, 413)
        return
    assert value.strip().isdigit() and 0 <= length <= limit and length == int(value)


def test_head_parsing_refuses_chunked_and_keeps_alive_by_default():
    request, length = parse_head(b"GET /query?query=x HTTP/1.1\r\nHost: a", Limits())
    assert (request.close, length, request.headers["host"]) == (False, 0, "a")
    request, _ = parse_head(b"GET / HTTP/1.0\r\nHost: a", Limits())
    assert request.close
    with pytest.raises(BadRequest):
        parse_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked", Limits())
    with pytest.raises(BadRequest):
        parse_head(b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7", Limits())


def test_gateway_hosts_query_text_and_exposure():
    """Host headers and query encodings that could slip past the checks; what a non-loopback
    --bind says it exposes."""
    assert allowed_hosts("127.0.0.1", 8000) == {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert "localhost:8000" not in allowed_hosts("192.168.1.5", 8000)
    everywhere = allowed_hosts("0.0.0.0", 8000)
    assert "0.0.0.0:8000" in everywhere and "127.0.0.1:8000" in everywhere
    assert not any("evil" in host for host in everywhere)
    service = "SELECT * { SERVICE <http://x/> { ?s ?p ?o } }"
    form = urllib.parse.urlencode({"query": service}).encode()
    assert query_text("GET", "/query?" + form.decode(), "", b"") == service
    assert query_text("POST", "/query", "application/x-www-form-urlencoded", form) == service
    assert query_text("POST", "/query", "application/sparql-query", service.encode()) == service
    assert exposure_warning("127.0.0.1", 7878) == "" and exposure_warning("localhost", 1) == ""
    warning = exposure_warning("0.0.0.0", 7878)
    assert "every host" in warning and "7878" in warning and "CORS" in warning


@pytest.mark.slow
def test_a_request_head_that_never_ends_is_dropped(server):
    """Attack: a client that opens a connection and sends half a request head held a thread
    for ever. Expected: the server closes it once the head timeout (10 s) has passed."""
    port, _ = server
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET /query?query=ASK HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert sock.recv(1024) == b""
        assert 5 < time.monotonic() - started < 25


def test_connections_past_the_cap_are_answered_503(built_project):
    port = free_port()
    proc = start_cli(built_project, "serve", "--port", str(port), "--max-connections", "5")
    try:
        read_until(proc, "Press Ctrl-C")
        held = [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(5)]
        time.sleep(0.5)
        reply = _raw(port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                     % port)
        assert reply.startswith(b"HTTP/1.1 503") and b"too many open connections" in reply
        for sock in held:
            sock.close()
        time.sleep(0.5)
        assert _ask(port, STUDY)[0] == 200
    finally:
        stop(proc)


@pytest.mark.parametrize("target", [b"//[x/query", b"//[/query", b"http://[::1/query", b"//[::1x]/query",
                                    b"//]/query?query=ASK{}", b"//a:b:c[/query"])
def test_a_target_urlsplit_refuses_gets_400(server, target):
    """Attack: `GET //[x/query` raised in urlsplit (a traceback in the log, no answer).
    Expected: 400, and the server goes on answering."""
    port, _ = server
    reply = _raw(port, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
                 % (target, port))
    status = int(reply.split(b" ", 2)[1])
    assert 400 <= status < 500 and b"Traceback" not in reply, reply
    assert _ask(port, STUDY)[0] == 200
