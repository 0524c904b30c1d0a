"""`dta-kg query run` writes rows as they are read, within the query limits (issue 13)."""

from __future__ import annotations

import csv
import io
import json
import sys
import threading

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.query.guards import Limits, QueryLimit
from dta_kg.query.session import Session

# studies reporting the bond: among them the three that measure it with the WAI-SR
WAI_SR_BOND = {"10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"}
WAIT = 20  # seconds a gated source waits for the writer before giving up (a failure)


def _args(project, *args: str) -> list[str]:
    return [*args, "--records", str(project.records), "--build-dir", str(project.build)]


class Watched(io.StringIO):
    """A stdout that tells when a text has been written to it."""

    def __init__(self, wanted: str):
        super().__init__()
        self.wanted, self.seen = wanted, threading.Event()

    def write(self, text: str) -> int:
        count = super().write(text)
        if self.wanted in self.getvalue():
            self.seen.set()
        return count


def test_query_run_writes_the_first_row_before_the_last_is_read(built_project, monkeypatch):
    """The engine's rows pass through a source that, after the first, waits until the first
    row is on stdout: a command that read every row before writing would never see it."""
    expected = Session(built_project).named("studies-by-component", {"component": "bond"})
    first_doi = expected.rows[0]["doi"]
    out = Watched(first_doi)
    written_first = []
    original = Session._sparql_rows

    def gated_rows(self, *args, **kwargs):
        columns, rows = original(self, *args, **kwargs)

        def gated():
            yield next(rows)
            written_first.append(out.seen.wait(WAIT))
            yield from rows

        return columns, gated()

    monkeypatch.setattr(Session, "_sparql_rows", gated_rows)
    monkeypatch.setattr(sys, "stdout", out)
    for fmt in ("csv", "json"):
        out.seek(0)
        out.truncate()
        out.seen.clear()
        main.main(_args(built_project, "query", "run", "studies-by-component", "-p",
                        "component=bond", "--format", fmt), standalone_mode=False)
        rows = (list(csv.DictReader(io.StringIO(out.getvalue()))) if fmt == "csv"
                else json.loads(out.getvalue()))
        assert [r["doi"] for r in rows] == [r["doi"] for r in expected.rows]
        assert WAI_SR_BOND <= {r["doi"] for r in rows}
    assert written_first == [True, True]


def test_a_streamed_query_keeps_the_row_limit_and_writes_nothing(built_project):
    result = CliRunner().invoke(main, _args(built_project, "query", "run", "studies-by-component",
                                            "-p", "component=bond", "--max-rows", "2",
                                            "--format", "csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == ("Error: the query returns more than 2 rows; add a LIMIT or "
                                     "a narrower pattern, or raise --max-rows")


def test_a_streamed_query_stops_at_its_timeout(built_project, monkeypatch):
    """A source that never ends is stopped at the time limit with the usual error, and its
    worker is told to stop."""
    stopped = threading.Event()

    def endless_rows(self, text, bindings, hidden, stop=None, ordered=True):
        def rows():
            yield {"doi": "10.1/first"}
            stop.wait(WAIT)
            stopped.set()

        return ["doi"], rows()

    monkeypatch.setattr(Session, "_sparql_rows", endless_rows)
    stream = Session(built_project, limits=Limits(timeout=0.5)).stream(
        "studies-by-component", {"component": "bond"})
    assert next(stream.rows) == {"doi": "10.1/first"}
    with pytest.raises(QueryLimit, match=r"ran longer than 0.5 s and was stopped"):
        next(stream.rows)
    assert stopped.wait(WAIT)


def test_an_unknown_factor_in_a_streamed_query_writes_nothing(built_project):
    result = CliRunner().invoke(main, _args(built_project, "query", "run", "studies-by-factor",
                                            "-p", "factor=zzzqqq", "--format", "csv"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: unknown factor 'zzzqqq'")


def test_unordered_rows_are_the_same_rows_in_the_engines_order(built_project, monkeypatch):
    """--unordered leaves out the final sort: no row is held back for it, none is lost."""
    sorted_calls = []
    import dta_kg.query.session as session_module

    real_sort = session_module.sorted_solutions
    monkeypatch.setattr(session_module, "sorted_solutions",
                        lambda *a: sorted_calls.append(1) or real_sort(*a))
    answers = {}
    for extra in ((), ("--unordered",)):
        result = CliRunner().invoke(main, _args(built_project, "query", "run",
                                                "studies-by-component", "-p", "component=bond",
                                                "--format", "csv", *extra))
        assert result.exit_code == 0, result.output
        answers[extra] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted_calls == [1]
    ordered, unordered = answers[()], answers[("--unordered",)]
    assert sorted(map(tuple, (r.values() for r in unordered))) == \
        sorted(map(tuple, (r.values() for r in ordered)))
    assert WAI_SR_BOND <= {r["doi"] for r in unordered}
