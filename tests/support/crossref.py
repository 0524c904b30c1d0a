"""A local stand-in for the Crossref REST API: replays the answers in tests/fixtures/crossref
on 127.0.0.1, records the requests, and can fail the first N requests with a status."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ANSWERS = Path(__file__).resolve().parent.parent / "fixtures" / "crossref"


class Replay:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail_first, self.fail_status = 0, 503
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                replay.requests.append((self.path, dict(self.headers)))
                if replay.fail_first > 0:
                    replay.fail_first -= 1
                    return self._send(replay.fail_status, b"busy", "text/plain")
                doi = unquote(urlsplit(self.path).path).removeprefix("/works/")
                answer = ANSWERS / f"{doi.replace('/', '-')}.json"
                if not answer.is_file():
                    return self._send(404, b"Resource not found.", "text/plain")
                body = json.dumps(json.loads(answer.read_text(encoding="utf-8"))).encode()
                self._send(200, body, "application/json")

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
