"""Every command that takes a study takes its DOI, its citation or its reference number."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from tests.support.project import snapshot

LIU = "10.1016/j.invent.2022.100495"


@pytest.fixture
def run(built_copy):
    env = {"DTA_KG_RECORDS": str(built_copy.records), "DTA_KG_BUILD": str(built_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args], env=env)


@pytest.mark.parametrize("name", ["Liu et al 2022", "Liu 2022", "44", "ref 44",
                                  "https://doi.org/10.1016/J.INVENT.2022.100495"])
def test_study_show_and_query_parameters_take_a_citation_or_a_number(run, name):
    shown = run("study", "show", name)
    assert shown.exit_code == 0, shown.output
    assert f"doi {LIU}, ref 44" in shown.output
    rows = run("query", "run", "study-evidence", "-p", f"study={name}", "--format", "json")
    assert rows.exit_code == 0, rows.output
    assert any(r["fact"] == "bond" for r in json.loads(rows.stdout))


def test_view_focus_and_retract_take_a_citation(run, built_copy, tmp_path):
    page = run("view", "-o", tmp_path / "liu.html", "--focus", "Liu 2022")
    assert page.exit_code == 0, page.output
    done = run("retract", "ref 44#bond", "--reason", "checking look-ups")
    assert done.exit_code == 0, done.output
    shown = run("study", "show", "Liu et al 2022")
    assert "RETRACTED" in shown.output


def test_an_ambiguous_name_lists_candidates_and_changes_nothing(run, built_copy):
    before = snapshot(built_copy.records)
    for args in (["study", "show", "Goldberg"],
                 ["retract", "Goldberg", "--reason", "x"],
                 ["query", "run", "study-evidence", "-p", "study=Goldberg"]):
        result = run(*args)
        assert result.exit_code != 0
        error = result.output.strip().splitlines()[-1]  # one line (after any build notice)
        assert error.startswith("Error: ") and "matches 2 studies" in error
        assert "ref 48" in error and "ref 49" in error
    assert snapshot(built_copy.records) == before


def test_a_citation_not_found_does_not_suggest_adding_a_study(run):
    result = run("study", "show", "Nobody et al 2021")
    assert result.exit_code != 0
    assert "study add" not in result.output and "dta-kg study list" in result.output
    doi = run("study", "show", "10.1234/not-in-the-review")
    assert doi.exit_code != 0 and "study add" in doi.output
