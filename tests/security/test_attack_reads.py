"""Issue 21, section 3: bounded reading of every input. Generated YAML that nests deep,
expands through aliases or keys by lists; endless streams for every file option; malformed
replies from SPARQL endpoints and Crossref. Each ends in one line, never a traceback, a crash
or a process that grows without end, and the records stay byte-identical."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.errors import RecordError
from dta_kg.core.paths import Project
from dta_kg.loaders.yaml_io import MAX_DEPTH, parse_yaml

DTA_KG = str(Path(sys.executable).parent / "dta-kg")
BLOCK, FLOW = ("block-seq", "block-map"), ("flow-seq", "flow-map")


def nested(kinds: list[str], leaf: str = "x") -> str:
    """YAML text nesting one collection per kind, block kinds outside flow kinds."""
    lines, indent = [], 0
    for kind in (k for k in kinds if k in BLOCK):
        lines.append(" " * indent + ("-" if kind == "block-seq" else "k:"))
        indent += 1
    flows = [k for k in kinds if k in FLOW]
    inner = "".join("[" if k == "flow-seq" else "{a: " for k in flows) + leaf + \
        "".join("]" if k == "flow-seq" else "}" for k in reversed(flows))
    return "\n".join([*lines, " " * indent + inner]) + "\n"


def structures(low: int, high: int) -> st.SearchStrategy[list[str]]:
    """Nestings `low` to `high` deep: some block levels (a repeated pattern of block lists
    and mappings), then flow levels (a repeated pattern of flow lists and mappings)."""
    def build(depth: int, share: float, blocks: list[str], flows: list[str]) -> list[str]:
        b = int(depth * share)
        return [blocks[i % len(blocks)] for i in range(b)] + \
            [flows[i % len(flows)] for i in range(depth - b)]

    return st.builds(build, st.integers(low, high), st.floats(0, 1),
                     st.lists(st.sampled_from(BLOCK), min_size=1, max_size=6),
                     st.lists(st.sampled_from(FLOW), min_size=1, max_size=6))


@settings(max_examples=80, deadline=None)
@given(kinds=structures(MAX_DEPTH + 1, 5000))
def test_yaml_nested_too_deep_is_one_error_not_a_crash(kinds: list[str]) -> None:
    """Attack: a 5,000-deep list crashed the C composer (a segfault near 100,000 levels, a
    RecursionError for block mappings much earlier). Expected: any mix of block and flow
    lists and mappings deeper than MAX_DEPTH is a RecordError naming the file."""
    with pytest.raises(RecordError, match="deep|larger than"):
        parse_yaml(nested(kinds).encode(), Path("deep.yaml"))


@settings(max_examples=60, deadline=None)
@given(kinds=structures(1, 40))
def test_yaml_nested_within_the_limit_still_reads(kinds: list[str]) -> None:
    """The bound refuses by depth, not by shape: anything shallower reads as YAML."""
    assert parse_yaml(nested(kinds).encode(), Path("ok.yaml")) is not None


def _bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


ALIASES = [_bomb(9, 9), _bomb(30, 2), "a: &x 1\nb: *x\n", "base: &b {k: v}\nthis:\n  <<: *b\n",
           "a: &x [1]\nb: [*x, *x]\n", "? &k key\n: 1\n*k : 2\n", "- &x {a: 1}\n- *x\n",
           "a: &x\n  - 1\nb:\n  c: *x\n"]


@pytest.mark.parametrize("text", ALIASES)
def test_yaml_aliases_are_refused(text: str) -> None:
    """Attack: anchors and aliases (a billion-laughs bomb, merge keys, alias keys). Expected:
    refused before anything expands, with the line of the first alias."""
    with pytest.raises(RecordError, match="alias"):
        parse_yaml(text.encode(), Path("bomb.yaml"))


KEYS = ["? [a, b]\n: c\n", "? {a: 1}\n: c\n", "[a]: x\n", "{a: 1}: x\n", "1: x\n", "true: x\n",
        "null: x\n", "2020-01-01: x\n", "1.5: x\n", "~: x\n", "doi: 10.1/x\nnested:\n  ? [q]\n  : r\n",
        "- {[a]: b}\n", "!!binary aGk=: x\n", "? !!set {a, b}\n: c\n"]


@pytest.mark.parametrize("text", KEYS)
def test_yaml_keys_that_are_not_text_are_refused(text: str) -> None:
    """Attack: `? [a, b] : c` made the loader raise TypeError (a traceback). Expected: every key
    that is not plain text, at any depth, is a RecordError naming the line."""
    with pytest.raises(RecordError, match="key that is not plain text"):
        parse_yaml(text.encode(), Path("keys.yaml"))


@pytest.mark.parametrize("body", [
    "[" * 5000 + "]" * 5000,
    "- " * 5000 + "x",
    "doi: 10.1/x\ntitle: " + "a" * 20_000_000,
    "a: &a [x]\nb: [*a, *a]",
    "? [a, b]\n: c",
])
def test_a_bad_study_record_is_one_line_through_the_cli(project_copy: Project, body: str) -> None:
    """The same through `dta-kg validate`: a 5,000-deep list, a 20 MB scalar, an alias, a list
    key in a study record. Expected: one line naming the file, exit 1, records unchanged."""
    bad = project_copy.studies / "ref-99-bad.yaml"
    bad.write_text(body, encoding="utf-8")
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, ["validate", "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    one_line_error(result, "ref-99-bad.yaml")
    assert snapshot(project_copy.records) == before


def _limited(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


ENDLESS = ["/dev/zero", "/dev/urandom"]


@pytest.mark.parametrize("stream", ENDLESS)
def test_endless_inputs_are_cut_at_their_limit(stream: str, project_copy: Project,
                                               built_project: Project) -> None:
    """Attack: `source add --text /dev/zero` grew to 16 GB of memory. Expected: every option
    that reads a file (source add --text, study import, sparql -f, cypher -f) stops at its
    limit with one line, inside an address space of 3 GB; the records stay unchanged."""
    copy = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    before = snapshot(project_copy.records)
    for args in (["source", "add", "10.1234/x", "--text", stream, *copy],
                 ["study", "import", stream, *copy],
                 ["sparql", "-f", stream, *built], ["cypher", "-f", stream, *built]):
        proc = subprocess.run([DTA_KG, *args], capture_output=True, text=True, timeout=300,
                              preexec_fn=lambda: _limited(3 << 30))
        line = one_line_error(proc)
        assert "larger than" in line or "not UTF-8" in line or "binary" in line or \
            "not a regular file" in line, line  # a device is now refused before reading
    assert snapshot(project_copy.records) == before


class Replies:
    """A local HTTP server answering every POST with `body` (and every PUT with 204)."""

    def __init__(self) -> None:
        self.body, self.kind = b"{}", "application/sparql-results+json"
        replies = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", replies.kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:  # noqa: N802 (http.server's name)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(204, b"")

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer(200, replies.body)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def replies() -> Iterator[Replies]:
    server = Replies()
    yield server
    server.server.shutdown()


COUNT_REPLIES = ["{}", "[]", '"x"', "5", "null", "not json", '{"boolean": true}',
                 '{"results": {"bindings": [{}]}}', '{"results": 5}', '{"results": {"bindings": "x"}}',
                 '{"results": {"bindings": [{"n": {"type": "literal", "value": "many"}}]}}',
                 '{"results": {"bindings": [{"n": {"type": "uri"}}]}}',
                 '{"results": {"bindings": [{"n": 5}]}}', '{"head": {"vars": 5}, "results": {}}',
                 '{"results": {"bindings": [{"m": {"type": "literal", "value": "3"}}]}}']


def test_unexpected_replies_to_the_triple_count_are_one_line(built_project: Project,
                                                             replies: Replies) -> None:
    """Attack: `sparql-store push --query-endpoint` at a server that answers the count with
    something else (`KeyError: 'n'` today). Expected: for each malformed answer one line
    naming the endpoint and saying what to check, never a traceback."""
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    for body in COUNT_REPLIES:
        replies.body = body.encode()
        result = CliRunner().invoke(main, ["sparql-store", "push", "--endpoint", replies.url,
                                           "--query-endpoint", replies.url + "/q", *built])
        one_line_error(result, replies.url)


def test_an_endless_reply_is_cut_at_its_limit(built_project: Project, replies: Replies,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A reply larger than the limit is refused with one line, read no further."""
    import dta_kg.stores.sparql_http as sparql_http

    monkeypatch.setattr(sparql_http, "REPLY_BYTES", 1000)
    replies.body = json.dumps({"results": {"bindings": [{"n": {"type": "literal",
                                                               "value": "1" * 5000}}]}}).encode()
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, ["sparql", "--endpoint", replies.url, "SELECT * {?s ?p ?o}",
                                       *built])
    one_line_error(result, "larger than")


CROSSREF_REPLIES = ["[]", "null", "5", '"x"', "not json", '{"status": "ok"}', '{"message": []}',
                    '{"message": "x"}', '{"message": {"author": 5}}',
                    '{"message": {"author": [{"family": ["a"]}], "issued": 5}}',
                    '{"message": {"issued": {"date-parts": 5}}}',
                    '{"message": {"issued": {"date-parts": [5]}}}', '{"message": {"title": {}}}',
                    '{"message": {"author": "someone", "published-print": []}}']


def test_unexpected_crossref_replies_are_one_line(project_copy: Project, replies: Replies,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: `study add --fetch` at a Crossref stand-in answering malformed work records,
    and one larger than its limit. Expected: one line each (Crossref's answer refused, or the
    record it makes refused field by field), nothing written."""
    import dta_kg.curation.crossref as crossref

    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build)}
    before = snapshot(project_copy.records)
    replies.kind = "application/json"
    for body in CROSSREF_REPLIES:
        replies.body = body.encode()
        result = CliRunner().invoke(main, ["study", "add", "--doi", "10.5555/x", "--fetch",
                                           "--yes", "--crossref-url", replies.url], env=env)
        one_line_error(result)
    monkeypatch.setattr(crossref, "CROSSREF_BYTES", 100)
    replies.body = json.dumps({"message": {"title": ["t" * 500]}}).encode()
    result = CliRunner().invoke(main, ["study", "add", "--doi", "10.5555/x", "--fetch", "--yes",
                                       "--crossref-url", replies.url], env=env)
    one_line_error(result, "larger than")
    assert snapshot(project_copy.records) == before
