"""Tables fit the terminal and keep IRIs whole (issue 13, defect 8)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from dta_kg.cli import main

BEATTY = "10.3389/fdgth.2022.847991"


@pytest.fixture(scope="module")
def cli(built_project):
    def invoke(*args, columns: int = 100):
        env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build),
               "COLUMNS": str(columns)}
        result = CliRunner().invoke(main, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


@pytest.mark.parametrize("columns", [100, 60])
def test_study_evidence_as_a_table_fits_the_terminal(cli, columns):
    out = cli("query", "run", "study-evidence", "-p", f"study={BEATTY}", "--format", "table",
              columns=columns)
    lines = out.splitlines()
    assert max(map(len, lines)) <= columns, max(lines, key=len)
    assert lines[0].split()[:2] == ["kind", "fact"]
    assert "ComponentReport" in out and "Finding" in out
    if columns >= 100:
        words = " ".join(out.split())
        assert "users expressed strong emotional connections" in words  # Beatty's quote, wrapped


def test_a_narrow_terminal_leaves_columns_out_and_says_how_to_see_them(cli):
    out = cli("query", "run", "study-evidence", "-p", f"study={BEATTY}", "--format", "table",
              columns=60)
    assert "left out to fit 60 characters" in out and "--format csv" in out


def test_sparql_table_shows_iris_whole_as_curies(cli):
    out = cli("sparql", "--format", "table",
              "SELECT ?study ?component WHERE { ?study a dta:Study ; bibo:doi "
              f"'{BEATTY}' ; dta:reportsComponent ?component }}", columns=70)
    assert "dtar:study-10-3389-fdgth-2022-847991" in out
    assert "dta:therapeutic-bond" in out
    for line in out.splitlines()[2:-1]:
        for token in line.split():
            assert re.fullmatch(r"(dtar?:[\w.-]+)", token), f"an IRI was broken: {line!r}"
