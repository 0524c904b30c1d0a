"""The front door of `dta-kg serve`: checks each request, then passes it to Oxigraph.

Oxigraph listens on a private loopback port; this server listens where the user asked. It
refuses a request whose `Host` header names another host (a DNS-rebinding page would send
its own name), refuses SPARQL with a `SERVICE` clause unless the user allowed federation (it
would make the server fetch any URL, internal ones included, for whoever asks), and adds CORS
headers so a browser-based client such as YASGUI can query it. The socket is opened with
SO_REUSEADDR, so a stopped server can be started again on the same port at once.
"""

from __future__ import annotations

import ipaddress
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dta_kg.query.guards import ReadOnlyViolation
from dta_kg.query.sparql_guard import check_sparql

FORWARDED = ("Content-Type", "Accept")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
MAX_BODY = 16 * 1024 * 1024


def allowed_hosts(bind: str, port: int) -> set[str]:
    """The `Host` header values that name this server: its address (and, on loopback, the
    loopback names), with and without the port."""
    names = {bind if ":" not in bind else f"[{bind}]"}
    try:
        if ipaddress.ip_address(bind).is_loopback:
            names.update(LOOPBACK_NAMES)
    except ValueError:  # a host name was bound: that name only
        pass
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names
    return {h.lower() for h in hosts}


def query_text(method: str, path: str, ctype: str, body: bytes) -> str:
    """The SPARQL query (or update) text a protocol request carries, '' when none."""
    parts = [urllib.parse.urlsplit(path).query]
    kind = ctype.split(";")[0].strip().lower()
    if method == "POST" and kind == "application/x-www-form-urlencoded":
        parts.append(body.decode("utf-8", "replace"))
    elif method == "POST" and kind in ("application/sparql-query", "application/sparql-update"):
        return body.decode("utf-8", "replace")
    texts = [v for part in parts for k, v in urllib.parse.parse_qsl(part) if k in ("query", "update")]
    return "\n".join(texts)


class Gateway(ThreadingHTTPServer):
    """A threading HTTP server (SO_REUSEADDR on) in front of the Oxigraph at `upstream`."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, bind: str, port: int, upstream: str, allow_service: bool = False):
        self.upstream, self.allow_service = upstream, allow_service
        super().__init__((bind, port), Handler)
        self.hosts = allowed_hosts(bind, self.server_address[1])

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="dta-kg-serve", daemon=True)
        thread.start()
        return thread


class Handler(BaseHTTPRequestHandler):
    server: Gateway
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass  # quiet: the terminal shows the URL and Ctrl-C only

    def _cors(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "600")

    def _reply(self, status: int, body: bytes, ctype: str = "text/plain; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self._cors()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host in self.server.hosts:
            return True
        self._reply(403, b"Host header not allowed: this endpoint answers only requests "
                         b"addressed to the address it is bound to\n")
        return False

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's name
        if self._host_ok():
            self._reply(204, b"")

    def do_GET(self) -> None:  # noqa: N802
        self._forward()

    def do_HEAD(self) -> None:  # noqa: N802
        self._forward()

    def do_POST(self) -> None:  # noqa: N802
        self._forward()

    def do_PUT(self) -> None:  # noqa: N802 - Oxigraph refuses writes; it says so itself
        self._forward()

    def do_DELETE(self) -> None:  # noqa: N802
        self._forward()

    def _forward(self) -> None:
        if not self._host_ok():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._reply(413, b"request too large\n")
            return
        body = self.rfile.read(length) if length else b""
        text = query_text(self.command, self.path, self.headers.get("Content-Type", ""), body)
        try:
            if text:
                check_sparql(text, self.server.allow_service)
        except ReadOnlyViolation as exc:
            self._reply(403, f"{exc}\n".encode())
            return
        headers = {k: self.headers[k] for k in FORWARDED if self.headers.get(k)}
        request = urllib.request.Request(self.server.upstream + self.path, method=self.command,
                                         data=body if self.command in ("POST", "PUT") else None,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=600) as resp:  # noqa: S310 - loopback
                status, ctype, answer = resp.status, resp.headers.get("Content-Type", ""), resp.read()
        except urllib.error.HTTPError as exc:
            status, ctype, answer = exc.code, exc.headers.get("Content-Type", ""), exc.read()
        except (urllib.error.URLError, OSError) as exc:
            self._reply(502, f"the SPARQL engine did not answer: {exc}\n".encode())
            return
        self._reply(status, answer, ctype or "application/octet-stream")
