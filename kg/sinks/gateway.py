"""The HTTP side of `dta-kg serve`: the SPARQL 1.1 Protocol on one port, with limits.

One asyncio loop holds every connection (an idle connection costs no thread), reads a request
within `Limits.header_timeout` seconds for its head and `Limits.body_timeout` for its body, and
closes connections past `Limits.connections`. A request is refused with a one-line 4xx when:

* its `Host` header names another host (a DNS-rebinding page sends its own name);
* its head or body is malformed: `Content-Length` not plain digits, negative, repeated with
  other values or above `Limits.body`; a `Transfer-Encoding` (chunked bodies are not read);
* it is not a query (`update=`, SPARQL Update, PUT, DELETE: the endpoint is read-only).

Queries go to `engine_pool.EnginePool`, at most `Limits.queries` at a time (the rest wait, up
to `Limits.waiting`); each is checked there with the command line's parsed guard. A GET, a JSON
POST, a form POST and a `application/sparql-query` POST reach the same guard and the same
engine: a CORS-simple form POST that any web page can send can do nothing more than a GET.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from dta_kg.sinks.engine_pool import Answer, EnginePool, Job

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
TEXT = "text/plain; charset=utf-8"
QUERY_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
PAGE = b"""<!doctype html><meta charset="utf-8"><title>dta-kg SPARQL endpoint</title>
<h1>dta-kg SPARQL endpoint (read-only)</h1>
<form action="query" method="get"><textarea name="query" rows="12" cols="90">
SELECT ?study ?title WHERE { ?study a dta:Study ; dcterms:title ?title } LIMIT 20</textarea>
<p><button>Run</button></form>
<p>Point YASGUI, SPARQLWrapper or <code>dta-kg sparql --endpoint</code> at <code>/query</code>.
"""


@dataclass(frozen=True)
class Limits:
    """What one server lets its clients use."""

    timeout: float = 30.0  # seconds a query may run
    queries: int = 2  # queries run at once (worker processes)
    waiting: int = 256  # queries that may wait for a worker
    connections: int = 1024  # open connections
    header_timeout: float = 10.0  # seconds to send a request's head
    body_timeout: float = 30.0  # seconds to send its body
    idle_timeout: float = 60.0  # seconds a kept-alive connection may wait for the next request
    head: int = 16 * 1024  # bytes of request line and headers
    body: int = 1024 * 1024  # bytes of request body


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def machine_names() -> set[str]:
    """This machine's host names and addresses, for a server bound to every interface."""
    names = {socket.gethostname().lower(), socket.getfqdn().lower(), *LOOPBACK_NAMES}
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None):
            address = str(info[4][0])
            names.add(f"[{address}]" if ":" in address else address)
    return names


def allowed_hosts(bind: str, port: int) -> set[str]:
    """The `Host` header values that name this server: its address (and, on loopback, the
    loopback names; bound to every interface, this machine's names and addresses), with and
    without the port."""
    names = {bind if ":" not in bind else f"[{bind}]"}
    try:
        address = ipaddress.ip_address(bind)
        if address.is_loopback:
            names.update(LOOPBACK_NAMES)
        elif address.is_unspecified:
            names.update(machine_names())
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


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    close: bool = False


def content_length(values: list[str], limit: int) -> int:
    """The body's length from its Content-Length header(s), or BadRequest."""
    if not values:
        return 0
    if len(set(values)) != 1 or not values[0].isascii() or not values[0].isdigit():
        raise BadRequest(400, "Content-Length must be one whole number of bytes")
    length = int(values[0])
    if length > limit:
        raise BadRequest(413, f"the request body is larger than {limit:,} bytes")
    return length


def parse_head(head: bytes, limits: Limits) -> tuple[Request, int]:
    """The request line and headers of `head`, and the body's length."""
    try:
        lines = head.decode("iso-8859-1").split("\r\n")
        method, path, version = lines[0].split(" ")
    except ValueError:
        raise BadRequest(400, "malformed request line") from None
    if version not in ("HTTP/1.1", "HTTP/1.0") or not path.startswith("/"):
        raise BadRequest(400, "malformed request line")
    request = Request(method, path, close=version == "HTTP/1.0")
    lengths: list[str] = []
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        key, value = name.lower(), value.strip()
        if key == "content-length":
            lengths.append(value)
        elif key == "transfer-encoding":
            raise BadRequest(400, "Transfer-Encoding is not accepted: send the body with a "
                                  "Content-Length")
        request.headers[key] = value
    connection = request.headers.get("connection", "").lower()
    request.close = request.close and "keep-alive" not in connection or "close" in connection
    return request, content_length(lengths, limits.body)


class Gateway:
    """The endpoint's HTTP server: `serve()` runs it until cancelled."""

    def __init__(self, bind: str, port: int, pool: EnginePool, limits: Limits,
                 on_ready: Callable[[int], None] | None = None):
        self.bind, self.port, self.pool, self.limits = bind, port, pool, limits
        self.on_ready = on_ready
        self.hosts: set[str] = set()
        self.open = 0
        self.waiting = 0
        self.slots = asyncio.Semaphore(limits.queries)
        self.executor = ThreadPoolExecutor(limits.queries, thread_name_prefix="dta-kg-query")

    async def serve(self) -> None:
        server = await asyncio.start_server(self._connection, self.bind, self.port,
                                            limit=self.limits.head, reuse_address=True,
                                            backlog=1024)
        self.port = server.sockets[0].getsockname()[1]
        self.hosts = allowed_hosts(self.bind, self.port)
        if self.on_ready is not None:
            self.on_ready(self.port)
        async with server:
            await server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open += 1
        try:
            if self.open > self.limits.connections:
                await self._send(writer, 503, b"too many open connections; try again later\n",
                                 close=True)
                return
            first = True
            while True:
                wait = self.limits.header_timeout if first else self.limits.idle_timeout
                if not await self._one(reader, writer, wait):
                    return
                first = False
        except (ConnectionError, asyncio.IncompleteReadError, OSError):
            return
        finally:
            self.open -= 1
            await self._close(reader, writer)

    @staticmethod
    async def _close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Close after the last reply: end the writing side, then read what the client still
        sends for a moment (closing with unread data would reset the connection, and the
        client could lose the reply)."""
        with contextlib.suppress(ConnectionError, OSError, RuntimeError):
            if writer.can_write_eof():
                writer.write_eof()
            with contextlib.suppress(TimeoutError, asyncio.IncompleteReadError,
                                     asyncio.LimitOverrunError):
                await asyncio.wait_for(reader.read(65536), 1.0)
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   wait: float) -> bool:
        """Read and answer one request; False when the connection is to be closed."""
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), wait)
        except (TimeoutError, asyncio.IncompleteReadError):
            return False
        except asyncio.LimitOverrunError:
            await self._send(writer, 431, b"request head too large\n", close=True)
            return False
        try:
            request, length = parse_head(head[:-4], self.limits)
            if length:
                request.body = await asyncio.wait_for(reader.readexactly(length),
                                                      self.limits.body_timeout)
        except BadRequest as exc:
            await self._send(writer, exc.status, f"{exc}\n".encode(), close=True)
            return False
        except TimeoutError:
            await self._send(writer, 408, b"the request body came too slowly\n", close=True)
            return False
        status, ctype, body = await self._answer(request)
        await self._send(writer, status, body, ctype, close=request.close,
                         head_only=request.method == "HEAD")
        return not request.close

    async def _answer(self, request: Request) -> tuple[int, str, bytes]:
        if request.headers.get("host", "").strip().lower() not in self.hosts:
            return 403, TEXT, (b"Host header not allowed: this endpoint answers only requests "
                               b"addressed to the address it is bound to\n")
        try:
            route = urllib.parse.urlsplit(request.path).path
        except ValueError:  # `//[x/query`: an invalid IPv6 authority
            return 400, TEXT, b"malformed request target\n"
        if request.method == "OPTIONS":
            return 204, TEXT, b""
        if route == "/" and request.method in ("GET", "HEAD"):
            return 200, "text/html; charset=utf-8", PAGE
        if route in ("/update", "/store") or request.method in ("PUT", "DELETE", "PATCH"):
            return 403, TEXT, b"this endpoint is read-only: it answers queries only\n"
        if route not in ("/query", "/sparql"):
            return 404, TEXT, b"not found: the SPARQL endpoint is /query\n"
        if request.method not in ("GET", "HEAD", "POST"):
            return 405, TEXT, b"send queries with GET or POST\n"
        ctype = request.headers.get("content-type", "")
        if request.method == "POST" and ctype.split(";")[0].strip().lower() not in QUERY_TYPES:
            return 415, TEXT, (b"send the query as application/x-www-form-urlencoded or "
                               b"application/sparql-query\n")
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
        if request.method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
            for key, values in urllib.parse.parse_qs(request.body.decode("utf-8", "replace")).items():
                params.setdefault(key, []).extend(values)
        if "update" in params or ctype.startswith("application/sparql-update"):
            return 403, TEXT, b"SPARQL Update is not allowed: this endpoint is read-only\n"
        if ctype.startswith("application/sparql-query") and request.method == "POST":
            params["query"] = [request.body.decode("utf-8", "replace")]
        texts = params.get("query", [])
        if len(texts) != 1:
            return 400, TEXT, b"send exactly one query= parameter\n"
        job = Job(texts[0], request.headers.get("accept", ""),
                  tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])))
        return await self._run(job)

    async def _run(self, job: Job) -> tuple[int, str, bytes]:
        if self.waiting >= self.limits.waiting:
            return 503, TEXT, b"too many queries waiting; try again later\n"
        self.waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.waiting -= 1
        try:
            result: Answer = await asyncio.get_running_loop().run_in_executor(
                self.executor, self.pool.run, job)
        finally:
            self.slots.release()
        return result.status, result.content_type, result.body

    async def _send(self, writer: asyncio.StreamWriter, status: int, body: bytes,
                    ctype: str = TEXT, close: bool = False, head_only: bool = False) -> None:
        reason = {200: "OK", 204: "No Content", 400: "Bad Request", 403: "Forbidden",
                  404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
                  413: "Content Too Large", 415: "Unsupported Media Type",
                  431: "Request Header Fields Too Large", 500: "Internal Server Error",
                  503: "Service Unavailable"}.get(status, "Status")
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}",
                f"Content-Length: {len(body)}", "Access-Control-Allow-Origin: *",
                "Access-Control-Allow-Methods: GET, POST, OPTIONS",
                "Access-Control-Allow-Headers: Content-Type, Accept",
                "Access-Control-Max-Age: 600", "X-Content-Type-Options: nosniff"]
        if close:
            head.append("Connection: close")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        if not head_only:
            writer.write(body)
        await writer.drain()
