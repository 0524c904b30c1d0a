"""Items 13 and 14 of issue 14: what is written into spreadsheets and Cypher scripts."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.output import render


def test_csv_and_tsv_defuse_spreadsheet_formulas():
    """Attack: a title starting with =, +, -, @ (or a tab or carriage return) went out as it
    was in --format csv and tsv, and a spreadsheet opening the file would run it as a formula.
    Expected: such text gets a leading apostrophe (OWASP); numbers, negative ones included,
    stay as they are."""
    rows = [{"title": '=HYPERLINK("http://evil.example","x")', "n": -1.5},
            {"title": "+cmd|' /C calc'!A0", "n": 2}, {"title": "-2+3", "n": 0},
            {"title": "@SUM(A1)", "n": 1}, {"title": "A plain title", "n": 3}]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        back = list(csv.reader(io.StringIO(render(rows, fmt)), delimiter=delimiter))
        assert [r[0] for r in back[1:]] == ["'" + r["title"] for r in rows[:4]] + ["A plain title"]
        assert [r[1] for r in back[1:]] == ["-1.5", "2", "0", "1", "3"]


@pytest.mark.parametrize("graph", ["x\nMATCH (n) DETACH DELETE n;\n//", "urn:x'}) DELETE n //",
                                   "no scheme", ""])
def test_cypher_script_refuses_graph_names_that_break_out(graph, built_project, tmp_path):
    """Attack: `export --format cypher --graph $'x\\nMATCH (n) DETACH DELETE n;\\n//'` wrote a
    live statement into the script. Expected: a graph name that is not an IRI (line breaks,
    quotes, spaces, no scheme) is refused with one line and no file is written."""
    out = tmp_path / "push.cypher"
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    before = snapshot(built_project.records)
    result = CliRunner().invoke(main, ["export", "--format", "cypher", "--graph", graph,
                                       "-o", str(out), *where])
    if graph:
        one_line_error(result, "--graph", "not an IRI")
        assert not out.exists()
    assert snapshot(built_project.records) == before


def test_cypher_script_writes_the_graph_name_only_as_a_literal(built_project, tmp_path):
    """Attack: a valid IRI still carrying Cypher syntax (`'` cannot occur, but `//` can) in the
    header comment. Expected: every line of the script is a comment, a statement or blank;
    the graph name appears only inside quoted literals."""
    out = tmp_path / "push.cypher"
    graph = "urn:a//b;MATCH"
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    assert CliRunner().invoke(main, ["export", "--format", "cypher", "--graph", graph,
                                     "-o", str(out), *where]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "\n".join(text.splitlines()[:1]).count("'urn:a//b;MATCH'") == 1
    assert all(line.startswith(("//", "CREATE", "UNWIND", "MATCH", "MERGE", "SET", "ON", " ",
                                "WITH", "RETURN", "FOREACH", "CALL")) or not line.strip()
               for line in text.splitlines())
