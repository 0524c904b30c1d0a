"""Items 4-6 of issue 14: read-only surfaces that acted, federation, runaway queries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main

DTA_KG = str(Path(sys.executable).parent / "dta-kg")
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def where(project) -> list[str]:
    return ["--records", str(project.records), "--build-dir", str(project.build)]


@pytest.mark.parametrize("statement", [
    "CHECKPOINT",
    "COPY (MATCH (s:Study) RETURN s.doi) TO '{out}'",
    "INSTALL httpfs",
    "LOAD FROM '/etc/hostname' RETURN *",
    "MATCH (s:Study) RETURN count(s); CHECKPOINT",
    "CALL threads=1",
])
def test_cypher_refuses_statements_that_act(built_project, tmp_path: Path, statement: str):
    """Attack: `dta-kg cypher` with CHECKPOINT (broke every later query), COPY ... TO a file,
    INSTALL an extension from the network, LOAD FROM a local file, or a setting. Expected: a
    one-line refusal naming the statement, no file written, the build unchanged, and the next
    read query still answers."""
    out = tmp_path / "leak.csv"
    before = snapshot(built_project.build)
    result = CliRunner().invoke(main, ["cypher", statement.format(out=out), *where(built_project)])
    one_line_error(result, "refused", "may only read")
    assert not out.exists()
    assert snapshot(built_project.build) == before
    after = CliRunner().invoke(main, ["cypher", "MATCH (s:Study) RETURN count(s) AS n",
                                      "--format", "csv", *where(built_project)])
    assert after.exit_code == 0 and after.output.splitlines()[-1] == "28"


def test_cypher_on_neo4j_opens_read_access_sessions():
    """Attack: `cypher --neo4j-uri` ran ad-hoc statements in write-mode sessions, so a
    `CREATE` or `DELETE` would change the server. Expected: query sessions are READ_ACCESS
    (the server refuses writes in them); pushes keep WRITE_ACCESS."""
    import neo4j

    from dta_kg.stores.bolt import BoltClient

    modes: list[str] = []

    class Session:
        def __init__(self, mode):
            modes.append(mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def run(self, text, params):
            class Result:
                def __iter__(self):
                    return iter([])

                def consume(self):
                    return type("Summary", (), {"counters": None})()

            return Result()

    client = BoltClient("bolt://127.0.0.1:1", auth=None, dialect="neo4j")
    client.driver.close()
    client.driver = type("Driver", (), {
        "session": lambda self, database=None, default_access_mode=None: Session(
            default_access_mode), "close": lambda self: None})()
    client.query("MATCH (n) RETURN n")
    client.run("MERGE (n:X {iri: 'x'})")
    assert modes == [neo4j.READ_ACCESS, neo4j.WRITE_ACCESS]


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":["x"]},"results":{"bindings":[]}}')

    do_POST = do_GET

    def log_message(self, *args):
        pass


def test_sparql_service_makes_no_outbound_request(built_project):
    """Attack: `dta-kg sparql 'SELECT * { SERVICE <http://127.0.0.1:PORT/> {...} }'` made the
    embedded engine fetch an internal URL (and crashed with a traceback when it failed).
    Expected: a one-line refusal and no request reaches the server; --allow-service lets a
    local user federate on purpose."""
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        text = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        one_line_error(CliRunner().invoke(main, ["sparql", text, *where(built_project)]),
                       "SERVICE", "disabled")
        assert _Recorder.hits == []
        down = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/none> { ?s ?p ?o } }"
        one_line_error(CliRunner().invoke(main, ["sparql", "--allow-service", down,
                                                 *where(built_project)]), "SPARQL query failed")
    finally:
        server.shutdown()


def test_runaway_queries_stop_at_the_row_limit(built_project):
    """Attack: a cartesian query returned rows until memory ran out (1.6 GB SPARQL, 5 GB
    Cypher). Expected: past --max-rows both stop with a one-line error naming the limit."""
    for command, text in (("sparql", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"),
                          ("cypher", "MATCH (a), (b) RETURN a.iri, b.iri")):
        result = CliRunner().invoke(main, [command, text, "--max-rows", "1000",
                                           *where(built_project)])
        one_line_error(result, "more than 1,000 rows", "--max-rows")


def _cli(project, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DTA_KG_RECORDS": str(project.records),
           "DTA_KG_BUILD": str(project.build)}
    return subprocess.Popen([DTA_KG, *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_runaway_queries_stop_at_the_timeout(built_project):
    """Attack: a cartesian COUNT ran on and on. Expected: --timeout stops it with a one-line
    error and a non-zero exit."""
    proc = _cli(built_project, "sparql", "--timeout", "1", CARTESIAN_COUNT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert err.strip().splitlines() == ["Error: the query ran longer than 1 s and was stopped; "
                                        "narrow it or raise --timeout"]


@pytest.mark.parametrize("text", [CARTESIAN_COUNT, "ASK { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                                  "FILTER(STR(?a) = CONCAT(STR(?d), STR(?g), 'x')) }",
                                  "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c"])
def test_a_library_query_past_its_timeout_stops_computing(built_project, text):
    """Attack: through the library, a query Oxigraph evaluates at once (an aggregate, an ASK,
    an ORDER BY) raised QueryLimit "was stopped" at its timeout but went on computing on its
    thread, a core burnt for the rest of a long-lived process. Expected: the limit, then no
    new thread and the process idle."""
    from dta_kg.query.guards import Limits, QueryLimit
    from dta_kg.query.session import Session

    session = Session(built_project, limits=Limits(timeout=1.0))
    threads = threading.active_count()
    started = time.monotonic()
    with pytest.raises(QueryLimit, match="longer than 1 s"):
        session.sparql(text)
    assert time.monotonic() - started < 10
    assert threading.active_count() <= threads  # (the session's freshness check may have ended)
    cpu, wall = time.process_time(), time.monotonic()
    time.sleep(1.0)
    assert time.process_time() - cpu < 0.5 * (time.monotonic() - wall)  # a runaway thread: ~1.0
    assert session.sparql("ASK { ?s ?p ?o }").rows == [{"ask": True}]  # the session still answers


@pytest.mark.slow
def test_ctrl_c_stops_a_runaway_query(built_project):
    """Attack: Ctrl-C was ignored while a cartesian query ran. Expected: SIGINT stops it with
    a one-line error and a non-zero exit, long before the 300 s timeout."""
    proc = _cli(built_project, "sparql", "--timeout", "300", CARTESIAN_COUNT)
    time.sleep(5)  # imported and running
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err.strip().splitlines()[-1] == "Error: the query was interrupted (Ctrl-C)"


def test_sessions_whose_queries_are_refused_leave_no_child_or_pipe(built_project):
    """Attack: each library Session forks a child to check the stores' freshness (in a process
    without other threads) and reaped it only when a query ran; a refused query, or a session
    left unused, left a zombie and an open pipe (200 sessions: 200 zombies, 199 more file
    descriptors). Expected: none left once the sessions are collected."""
    code = ("import sys, psutil\nfrom pathlib import Path\n"
            "from dta_kg.core.paths import Project\nfrom dta_kg.query.session import Session\n"
            "project = Project(records=Path(sys.argv[1]), build=Path(sys.argv[2]))\n"
            "me = psutil.Process(); files = me.num_fds()\n"
            "for i in range(40):\n"
            "    session = Session(project)\n"
            "    if i % 2:\n"
            "        try: session.sparql('DELETE WHERE { ?s ?p ?o }')\n"
            "        except Exception: pass\n"
            "    del session\n"
            "import gc; gc.collect()\n"
            "print(len(me.children()), me.num_fds() - files)\n")
    done = subprocess.run([sys.executable, "-c", code, str(built_project.records),
                           str(built_project.build)], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "0"], done.stdout + done.stderr
