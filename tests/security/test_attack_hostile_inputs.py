"""Issue 21, the attacker's second round: JSON from outside nested past the decoder's
recursion, special files where a regular file is read, queries nested past the parsers'
stacks and endpoints that answer too slowly. Each ends in one line naming the input, never a
traceback, a crash or a hang."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.errors import OutputError
from dta_kg.core.files import MARKER, write_folder
from dta_kg.core.paths import Project
from dta_kg.pipeline.manifest import is_fresh
from dta_kg.query.cypher_guard import check_cypher_read_only
from dta_kg.query.guards import MAX_NESTING, ReadOnlyViolation
from dta_kg.query.sparql_guard import check_sparql


def _deep(kind: str, depth: int) -> str:
    """JSON nesting `depth` arrays, objects or both alternately (left open: the decoder gives
    up on the depth before it sees the end)."""
    opener = {"array": lambda i: "[", "object": lambda i: '{"a": ',
              "mixed": lambda i: "[" if i % 2 else '{"k": '}[kind]
    return "".join(opener(i) for i in range(depth))


DEEP = [(kind, depth) for kind in ("array", "object", "mixed") for depth in (5_000, 200_000)]
WRAPS = ["{}", '{{"results": {{"bindings": {}}}}}', '{{"message": {}}}', '{{"files": {}}}']


class Server:
    """A local HTTP server answering every request with `body`, as `kind`."""

    def __init__(self) -> None:
        self.body, self.kind = b"{}", "application/sparql-results+json"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "PUT":
                    self.send_response(204)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", server.kind)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            do_GET = do_POST = do_PUT = _answer  # noqa: N815 (http.server's names)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.server.shutdown()


@pytest.mark.parametrize(("kind", "depth"), DEEP)
@pytest.mark.parametrize("wrap", WRAPS)
def test_a_deeply_nested_output_marker_is_refused(tmp_path: Path, kind: str, depth: int,
                                                  wrap: str) -> None:
    """Attack: an earlier output folder whose `.dta-kg-output.json` nests 5,000+ deep
    (a RecursionError traceback). Expected: the folder is refused in one OutputError."""
    out = tmp_path / "site"
    write_folder(out, lambda f: (f / "index.html").write_text("v1"))
    (out / MARKER).write_text(wrap.format(_deep(kind, depth)))
    with pytest.raises(OutputError, match=str(out)):
        write_folder(out, lambda f: (f / "index.html").write_text("v2"))


@pytest.mark.parametrize(("kind", "depth"), DEEP)
@pytest.mark.parametrize("wrap", WRAPS[:2])
def test_deeply_nested_sparql_replies_are_one_line(built_project: Project, server: Server,
                                                   kind: str, depth: int, wrap: str) -> None:
    """Attack: an endpoint answering `sparql --endpoint` and the triple count of
    `sparql-store push --query-endpoint` with JSON nested 5,000+ deep. Expected: one line
    naming the endpoint."""
    server.body = wrap.format(_deep(kind, depth)).encode()
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, ["sparql", "--endpoint", server.url + "/sparql",
                                       "SELECT * {?s ?p ?o}", *built])
    one_line_error(result, server.url)
    result = CliRunner().invoke(main, ["sparql-store", "push", "--endpoint", server.url,
                                       "--query-endpoint", server.url + "/q", *built])
    one_line_error(result, server.url)


@pytest.mark.parametrize(("kind", "depth"), DEEP)
@pytest.mark.parametrize("wrap", [WRAPS[0], WRAPS[2]])
def test_deeply_nested_crossref_replies_are_one_line(project_copy: Project, server: Server,
                                                     kind: str, depth: int, wrap: str) -> None:
    """Attack: a Crossref stand-in answering `study add --fetch` with JSON nested 5,000+
    deep. Expected: one line, nothing written."""
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build)}
    before = snapshot(project_copy.records)
    server.kind, server.body = "application/json", wrap.format(_deep(kind, depth)).encode()
    result = CliRunner().invoke(main, ["study", "add", "--doi", "10.5555/x", "--fetch", "--yes",
                                       "--crossref-url", server.url], env=env)
    one_line_error(result, "Crossref")
    assert snapshot(project_copy.records) == before


DTA_KG = str(Path(sys.executable).parent / "dta-kg")
SPECIALS = {"fifo": lambda path: os.mkfifo(path),
            "device": lambda path: path.symlink_to("/dev/zero"),
            "socket": lambda path: socket.socket(socket.AF_UNIX).bind(str(path))}


def _special(kind: str, path: Path) -> None:
    path.unlink(missing_ok=True)
    SPECIALS[kind](path)


@pytest.mark.parametrize("kind", sorted(SPECIALS))
@pytest.mark.parametrize("where", ["review.yaml", "instruments.yaml"])
def test_a_special_file_as_a_record_is_refused_at_once(project_copy: Project, tmp_path: Path,
                                                       kind: str, where: str) -> None:
    """Attack: a FIFO (or a device, a socket) in place of a record: `validate` blocked on the
    FIFO for ever. Expected: one line naming the file, at once."""
    _special(kind, project_copy.records / where)
    proc = subprocess.run([DTA_KG, "validate", "--records", str(project_copy.records),
                           "--build-dir", str(project_copy.build)],
                          capture_output=True, text=True, timeout=60)
    one_line_error(proc, Path(where).name)


@pytest.mark.parametrize("kind", sorted(SPECIALS))
@pytest.mark.parametrize("command", ["source", "suggest", "sparql", "cypher", "docs"])
def test_a_special_file_as_an_input_is_refused_at_once(built_project: Project, tmp_path: Path,
                                                       project_copy: Project, kind: str,
                                                       command: str) -> None:
    """Attack: a FIFO with no writer as `source add --text`, `suggest --text`, `sparql -f`,
    `cypher -f` or `docs --ontology` blocked for ever. Expected: one line, at once."""
    special = tmp_path / "input"
    _special(kind, special)
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    copy = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    args = {"source": ["source", "add", "10.2196/50025", "--text", str(special), *copy],
            "suggest": ["suggest", "10.2196/50025", "--text", str(special), *copy],
            "sparql": ["sparql", "-f", str(special), *built],
            "cypher": ["cypher", "-f", str(special), *built],
            "docs": ["docs", "-o", str(tmp_path / "docs"), "--ontology", str(special), *built]}
    proc = subprocess.run([DTA_KG, *args[command]], capture_output=True, text=True, timeout=60)
    one_line_error(proc, str(special))


@pytest.mark.parametrize("kind", sorted(SPECIALS))
def test_a_special_output_marker_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    """Attack: a FIFO as an output folder's `.dta-kg-output.json` blocked `site` for ever.
    Expected: the folder is refused (OutputError), at once."""
    out = tmp_path / "site"
    write_folder(out, lambda f: (f / "index.html").write_text("v1"))
    _special(kind, out / MARKER)
    done: list[BaseException] = []

    def attempt() -> None:
        try:
            write_folder(out, lambda f: (f / "index.html").write_text("v2"))
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            done.append(exc)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(30)
    assert done and isinstance(done[0], OutputError), done


@pytest.mark.parametrize("where", ["review.yaml", "instruments.yaml", "studies/*.yaml"])
@pytest.mark.parametrize("command", [["export", "--format", "ttl", "-o", "{out}"], ["studies"]])
def test_a_record_removed_after_the_build_is_one_line(built_copy: Project, tmp_path: Path,
                                                      where: str, command: list[str]) -> None:
    """Attack: review.yaml (or another record the build read) removed after `build`: `export`,
    `studies` gave a FileNotFoundError traceback. Expected: one line naming the file."""
    args = ["--records", str(built_copy.records), "--build-dir", str(built_copy.build)]
    assert is_fresh(built_copy)
    victim = sorted(built_copy.records.glob(where))[0]
    victim.unlink()
    result = CliRunner().invoke(main, [c.format(out=tmp_path / "o.ttl") for c in command] + args)
    if result.exit_code == 0:  # a command that does not need the record may go on without it
        assert "Traceback" not in result.output
        return
    one_line_error(result, victim.name)


def _nest(opens: str, depth: int) -> str:
    """Brackets from `opens` (cycled) `depth` deep around a trivial pattern, closed again."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    chosen = [opens[i % len(opens)] for i in range(depth)]
    return "".join(chosen) + " 1 " + "".join(pairs[c] for c in reversed(chosen))


NESTINGS = [(opens, depth) for opens in ("(", "{", "[", "({", "{[(") for depth in
            (MAX_NESTING + 1, 5_000, 60_000)]


@pytest.mark.parametrize(("opens", "depth"), NESTINGS)
def test_queries_nested_too_deep_are_refused_before_parsing(opens: str, depth: int) -> None:
    """Attack: `sparql -f` with 5,000 nested braces crashed the process (rc 139) in the
    parsers; `cypher -f` with 50,000 parentheses grew to gigabytes. Expected: both guards
    refuse the text with one ReadOnlyViolation before a parser sees it."""
    with pytest.raises(ReadOnlyViolation, match="nests brackets"):
        check_sparql(f"SELECT * WHERE {{ FILTER{_nest(opens, depth)} }}")
    with pytest.raises(ReadOnlyViolation, match="nests brackets"):
        check_cypher_read_only(f"RETURN {_nest(opens, depth)}")


@pytest.mark.parametrize("hide", ['"{}"', "'{}'", '"""{}"""', "'''{}'''", "# {}\n"])
def test_brackets_in_strings_and_comments_are_not_nesting(hide: str) -> None:
    """Brackets inside strings, IRIs and comments are text, not nesting: a query quoting many
    is still checked as usual."""
    check_sparql("SELECT * WHERE { ?s ?p ?o " + hide.format("(" * 5000) + " }"
                 if hide.startswith("#") else
                 "SELECT * WHERE { ?s ?p " + hide.format("(" * 5000) + " }")
    check_sparql("SELECT * WHERE { <http://x/(((((((((> ?p ?o }")
    check_cypher_read_only("RETURN '" + "(" * 5000 + "', \"" + "[" * 5000 + "\"")


def test_sparql_nested_too_deep_is_one_line_not_a_crash(built_project: Project,
                                                        tmp_path: Path) -> None:
    """Through the command line: rc 1 and one line, never a segfault."""
    query = tmp_path / "deep.rq"
    query.write_text("SELECT * WHERE " + _nest("{", 5_000))
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    proc = subprocess.run([DTA_KG, "sparql", "-f", str(query), *built], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 1
    one_line_error(proc, "nests brackets")


@pytest.mark.parametrize("inside", ["sub", "studies/sub", "sub/../sub2", "link/sub"])
def test_init_into_the_records_folder_named_by_the_environment_is_refused(
        project_copy: Project, inside: str) -> None:
    """Attack: `DTA_KG_RECORDS=R dta-kg init R/sub` copied the records into the records.
    Expected: refused like every other writer, the records unchanged."""
    (project_copy.records.parent / "link").symlink_to(project_copy.records)
    target = str(project_copy.records / inside).replace(
        str(project_copy.records / "link"), str(project_copy.records.parent / "link"))
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, ["init", target],
                                env={"DTA_KG_RECORDS": str(project_copy.records)})
    one_line_error(result, "records folder")
    assert snapshot(project_copy.records) == before


class Slow:
    """A local TCP server that reads a request, then answers as `mode` says: never (silent),
    its headers a byte at a time, or full headers and then a body a byte at a time."""

    def __init__(self, mode: str) -> None:
        self.mode, self.stop = mode, threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
        with conn:
            conn.recv(65536)
            try:
                if self.mode == "drip-body":
                    conn.sendall(head)
                for byte in (head if self.mode == "drip-headers" else b" " * 100):
                    if self.stop.wait(0.3 if self.mode != "silent" else 30):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return


@pytest.fixture(params=["silent", "drip-headers", "drip-body"])
def slow(request: pytest.FixtureRequest) -> Iterator[Slow]:
    server = Slow(request.param)
    yield server
    server.stop.set()
    server.sock.close()


def test_a_slow_sparql_endpoint_is_cut_at_the_timeout(slow: Slow) -> None:
    """Attack: an endpoint that never answers, or drips its answer a byte at a time, held
    `sparql --endpoint` and `sparql-store push --query-endpoint` past their timeout (the
    socket's timeout bounds each read only). Expected: one error once the timeout for the
    whole exchange is spent."""
    import time

    from dta_kg.stores.sparql_http import SparqlStoreError, query

    start = time.monotonic()
    with pytest.raises(SparqlStoreError, match=slow.url):
        query(slow.url + "/sparql", "ASK {}", timeout=2)
    assert time.monotonic() - start < 6


def test_sparql_endpoint_takes_the_commands_timeout(built_project: Project, slow: Slow) -> None:
    """Attack: `sparql --endpoint --timeout 2` at an endpoint that never answers or drips
    waited the client's own 120 s: the command's --timeout did not reach the endpoint's
    exchange. Expected: one line, naming the endpoint and the 2 s limit."""
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, ["sparql", "--endpoint", slow.url + "/sparql",
                                       "--timeout", "2", "ASK {}", *built])
    one_line_error(result, slow.url)
    assert "within 2 s" in result.output


def test_sparql_endpoint_takes_the_commands_row_limit(built_project: Project,
                                                      server: Server) -> None:
    """Attack: `sparql --endpoint --max-rows 2` printed every row the endpoint sent.
    Expected: the row limit holds as it does on the local store."""
    rows = [{"s": {"type": "literal", "value": str(i)}} for i in range(3)]
    server.body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode()
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, ["sparql", "--endpoint", server.url, "--max-rows", "2",
                                       "SELECT ?s WHERE { ?s ?p ?o }", *built])
    one_line_error(result, "more than 2 rows")
    result = CliRunner().invoke(main, ["sparql", "--endpoint", server.url, "--max-rows", "3",
                                       "--format", "json", "SELECT ?s WHERE { ?s ?p ?o }", *built])
    assert result.exit_code == 0 and len(json.loads(result.output)) == 3, result.output


def test_a_slow_crossref_is_cut_at_the_timeout(slow: Slow) -> None:
    """Attack: a Crossref stand-in that never answers or drips (`study add --fetch
    --crossref-url`). Expected: CrossrefError within the attempts' timeouts."""
    import time

    from dta_kg.curation.crossref import CrossrefError, fetch_work

    start = time.monotonic()
    with pytest.raises(CrossrefError):
        fetch_work("10.5555/x", base_url=slow.url, timeout=1.5, retries=1, sleep=lambda s: None)
    assert time.monotonic() - start < 6


TERMINATED = """
import os, signal, sys
from pathlib import Path
from dta_kg.cli import exit_on_sigterm
from dta_kg.core.files import write_file, write_folder
exit_on_sigterm()
after, kind = int(sys.argv[2]), sys.argv[3]
def fill(folder):
    for i in range(10):
        if i == after:
            os.kill(os.getpid(), signal.SIGTERM)
        (folder / f"page-{i}.html").write_text("x" * 1000)
if kind == "folder":
    write_folder(Path(sys.argv[1]), fill)
else:
    write_file(Path(sys.argv[1]), lambda tmp: (os.kill(os.getpid(), signal.SIGTERM), tmp.write_text("x")))
"""


@pytest.mark.parametrize(("after", "kind"), [(0, "folder"), (1, "folder"), (7, "folder"),
                                             (0, "file")])
@pytest.mark.parametrize("existing", [False, True])
def test_sigterm_during_a_write_leaves_no_temporary_copy(tmp_path: Path, after: int, kind: str,
                                                         existing: bool) -> None:
    """Attack: SIGTERM while `site` or `release` wrote its folder left `.site.new-*` behind
    (Ctrl-C cleaned up). Expected: SIGTERM cleans up the same way; the old output stays."""
    target = tmp_path / ("site" if kind == "folder" else "out.ttl")
    if existing and kind == "folder":
        write_folder(target, lambda f: (f / "index.html").write_text("v1"))
    elif existing:
        target.write_text("v1")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run([sys.executable, "-c", TERMINATED, str(target), str(after), kind],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 143, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _swap_private(out: Path, records: Path) -> None:
    """Do what racer.py did: move write_file's private folder away, a symlink to `records`
    in its place."""
    for private in out.parent.glob(f".{out.name}.new-*"):
        private.rename(out.parent / "moved")
        private.symlink_to(records)


@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize("name", ["review.yaml", "new.ttl"])
def test_a_private_folder_swapped_for_a_symlink_is_never_followed(tmp_path: Path, when: str,
                                                                  name: str) -> None:
    """Attack: racer.py swapped write_file's private temporary folder for a symlink to the
    records while `export -o /tmp/race/review.yaml` wrote, and the rename took
    records/review.yaml away. Expected: the file is written through the folder's open
    descriptor; the records stay byte-identical, whatever the swap's moment."""
    from dta_kg.core.files import write_file

    records, out = tmp_path / "records", tmp_path / "race" / name
    records.mkdir()
    out.parent.mkdir()
    (records / "review.yaml").write_text("the review")
    before = snapshot(records)

    def produce(staged: Path) -> None:
        if when == "before":
            _swap_private(out, records)
        staged.write_text("exported")
        if when == "after":
            _swap_private(out, records)

    try:
        write_file(out, produce)
    except OutputError:
        pass
    assert snapshot(records) == before
    assert not out.exists() or out.read_text() == "exported"


@pytest.mark.parametrize("step", ["write_database", "load_text"])
@pytest.mark.parametrize("depth", ["b", "new/b"])
def test_a_failed_first_build_leaves_no_build_folder(project_copy: Project, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, step: str,
                                                     depth: str) -> None:
    """Attack: `build --build-dir` onto a full disk left the empty folder it had made.
    Expected: one line, and the build folder it made removed again."""
    import errno

    import dta_kg.pipeline.build as build

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(build, step, full)
    target = tmp_path / depth
    if "/" in depth:
        target.parent.mkdir()
    result = CliRunner().invoke(main, ["build", "--records", str(project_copy.records),
                                       "--build-dir", str(target)])
    one_line_error(result)
    assert not target.exists()
