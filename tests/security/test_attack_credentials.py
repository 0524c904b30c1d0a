"""Items 7 and 8 of issue 14: credentials sent to another host, or printed."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from click.testing import CliRunner
from support.project import one_line_error

from dta_kg.cli import main
from dta_kg.core.errors import DtaKgError, redact
from dta_kg.stores.sparql_http import Auth, query

RESULTS = b'{"head":{"vars":[]},"boolean":true}'


def _server(handler: type[BaseHTTPRequestHandler]) -> HTTPServer:
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_redirect_to_another_host_gets_no_credentials():
    """Attack: the endpoint answers 302 with a Location on another host; urllib followed it
    and sent the Basic-auth header there. Expected: the other host gets the request without
    Authorization, while a redirect on the same host keeps it."""
    seen: dict[str, str | None] = {}

    class Other(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            seen[self.path] = self.headers.get("Authorization")
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(RESULTS)))
            self.end_headers()
            self.wfile.write(RESULTS)

        do_GET = do_POST

        def log_message(self, *args):
            pass

    other = _server(Other)
    target = f"http://localhost:{other.server_address[1]}"  # another host name than 127.0.0.1

    class Redirect(Other):
        def do_POST(self):  # noqa: N802
            if self.path == "/same":
                return Other.do_POST(self)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(302)
            location = target + "/stolen" if self.path == "/away" else "/same"
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST

    first = _server(Redirect)
    here = f"http://127.0.0.1:{first.server_address[1]}"
    try:
        assert query(here + "/away", "ASK {}", auth=Auth("bob", "s3cret")) is True
        assert seen == {"/stolen": None}
        assert query(here + "/home", "ASK {}", auth=Auth("bob", "s3cret")) is True
        assert seen["/same"] and seen["/same"].startswith("Basic ")
    finally:
        other.shutdown()
        first.shutdown()


@pytest.mark.parametrize("args", [
    ["sparql", "--endpoint", "http://bob:s3cret@127.0.0.1:1/query", "ASK {}"],
    ["cypher", "--neo4j-uri", "bolt://neo:s3cret@127.0.0.1:1", "MATCH (n) RETURN n"],
    ["sparql-store", "push", "--endpoint", "http://bob:s3cret@127.0.0.1:1/store"],
])
def test_passwords_in_urls_are_never_printed(args, built_project):
    """Attack: a password in a URL (http://bob:pw@..., bolt://neo:pw@...) was printed in
    the error message when the server could not be reached. Expected: a one-line error that
    names the server without the password; the password is used as credentials only."""
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, [*args, *where])
    line = one_line_error(result, "127.0.0.1:1")
    assert "s3cret" not in result.output and "s3cret" not in line
    assert redact("GET http://bob:pw@h/x") == "GET http://bob:***@h/x"
    assert "pw" not in str(DtaKgError("bolt://neo:pw@h:7687 refused"))


@pytest.mark.parametrize("secret_param", ["password", "api_key", "apikey", "access_token",
                                          "X-Amz-Signature", "auth", "client_secret", "PWD"])
def test_credentials_in_a_query_string_are_never_printed(secret_param, built_project):
    """Attack: `--endpoint 'http://host/sparql?password=...'` printed the query string, secret
    and all, in the error when the endpoint failed. Expected: the value is shown as ***."""
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    url = f"http://127.0.0.1:1/sparql?{secret_param}=s3cret&graph=x"
    result = CliRunner().invoke(main, ["sparql", "--endpoint", url, "ASK {}", *where])
    line = one_line_error(result, "127.0.0.1:1")
    assert "s3cret" not in result.output and "s3cret" not in line
    assert redact(url) == f"http://127.0.0.1:1/sparql?{secret_param}=***&graph=x"
    assert redact("http://h/q?query=ASK&default-graph-uri=g") == "http://h/q?query=ASK&default-graph-uri=g"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "FILE:/etc/hostname",
                                 "gopher://127.0.0.1:70/", "/etc/passwd", "http:///nohost",
                                 "data:text/plain,{}"])
def test_the_crossref_url_must_be_http(url, built_project):
    """Attack: `study add --fetch --crossref-url file:///...` read a local file as Crossref's
    answer. Expected: a one-line refusal before any request; the records unchanged."""
    from support.project import snapshot

    before = snapshot(built_project.records)
    result = CliRunner().invoke(main, ["study", "add", "--records", str(built_project.records),
                                       "--build-dir", str(built_project.build), "--doi",
                                       "10.1234/abc", "--fetch", "--yes", "--crossref-url", url])
    one_line_error(result, "http(s)")
    assert snapshot(built_project.records) == before
