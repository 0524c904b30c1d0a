"""`dta-kg compare` and `dta-kg diff` on the curated project's build."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support.views import ok, runner_for

from dta_kg.core.iris import DTA, fact_iri
from dta_kg.site.compare import COLUMNS
from dta_kg.site.diff import diff, render_diff
from dta_kg.site.snapshot import read_path

WAI_SR_BOND = {"10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"}
LIU = "10.1016/j.invent.2022.100495"
BEATTY = "10.3389/fdgth.2022.847991"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def cli(built_project):
    return runner_for(built_project)


def test_compare_bond_lists_wai_sr_subscales_and_liu_effect_size(cli):
    rows = {r["doi"]: r for r in json.loads(ok(cli("compare", "--component", "bond",
                                                   "--format", "json")))}
    with_subscale = {doi for doi, r in rows.items() if "WAI-SR bond subscale" in r["subscale"]}
    assert with_subscale == WAI_SR_BOND
    liu = rows[LIU]
    assert liu["study"] == "Liu et al 2022"
    assert (liu["result"], liu["result_kind"], liu["comparator"]) == (["0.83"], ["Cohen's d"],
                                                                      ["bibliotherapy"])
    assert liu["instrument"] == ["therapeutic alliance score"]
    assert all(r["components"] == ["therapeutic bond"] for r in rows.values())
    assert rows[BEATTY]["intervention"] == ["Wysa"]
    assert rows[BEATTY]["design"] == ["mixed methods"]


def test_compare_csv_has_one_row_per_study(cli):
    out = ok(cli("compare", "--component", "task agreement", "--format", "csv"))
    table = list(csv.reader(io.StringIO(out)))
    assert table[0] == COLUMNS
    dois = [row[1] for row in table[1:]]
    assert len(dois) == len(set(dois)) == 7  # the curated count the audit reports
    every = json.loads(ok(cli("compare", "--format", "json")))
    assert len(every) == 28


def test_compare_unknown_component_is_one_line_error(cli):
    result = cli("compare", "--component", "bnd")
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "Error: unknown component 'bnd'; closest: therapeutic-bond (all of them: dta-kg vocab components)"]


def _without_fact(nt: str, iri: str) -> str:
    """The N-Triples `nt` without the lines whose subject is `iri`."""
    return "".join(line for line in nt.splitlines(keepends=True) if not line.startswith(f"<{iri}> "))


def test_diff_reports_added_retracted_restored_changed_and_removed(built_project, tmp_path, cli):
    old_nt = (built_project.build / "dta-kg.nt").read_text(encoding="utf-8")
    liu = fact_iri(LIU, "bond-alliance-score-d")
    beatty = fact_iri(BEATTY, "intervention")
    gone = fact_iri(BEATTY, "design-mixed-methods")
    retract = [f'<{beatty}> <{DTA}retracted> "true"^^<{XSD}boolean> .\n',
               f'<{beatty}> <{DTA}retractionReason> "the name is not in the review" .\n']
    new_nt = old_nt.replace(f'<{liu}> <{DTA}resultValue> "0.83"', f'<{liu}> <{DTA}resultValue> "0.85"')
    new_nt = _without_fact(new_nt, gone) + "".join(retract)
    (tmp_path / "new.nt").write_text(new_nt, encoding="utf-8")
    (tmp_path / "old.nt").write_text(old_nt, encoding="utf-8")
    old, new = read_path(tmp_path / "old.nt"), read_path(tmp_path / "new.nt")

    d = diff(old, new)
    by_change = {(r["change"], r["doi"], r["fact"]) for r in d.facts}
    assert by_change == {("retracted", BEATTY, "intervention"), ("changed", LIU, "bond-alliance-score-d"),
                         ("removed", BEATTY, "design-mixed-methods")}
    changed = next(r for r in d.facts if r["change"] == "changed")
    assert changed["changes"] == {"value": {"old": 0.83, "new": 0.85}}
    retracted = next(r for r in d.facts if r["change"] == "retracted")
    assert retracted["note"] == "the name is not in the review"
    assert "Wysa" in retracted["quote"] and retracted["section"] == "Results > User Engagement"

    back = diff(new, old)
    assert {(r["change"], r["fact"]) for r in back.facts} == {
        ("restored", "intervention"), ("changed", "bond-alliance-score-d"),
        ("added", "design-mixed-methods")}
    md = render_diff(back, "markdown")
    assert "### Facts restored" in md and "### Facts added" in md and "| facts added | 1 |" in md
    out = json.loads(ok(cli("diff", tmp_path / "old.nt", tmp_path / "new.nt", "--format", "json")))
    assert out["counts"]["facts retracted"] == 1 and out["counts"]["facts removed"] == 1
    same = ok(cli("diff", built_project.build, tmp_path / "old.nt", "--format", "markdown"))
    assert "No study or fact changed." in same


def test_diff_of_a_file_that_is_no_graph_is_one_line_error(cli, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello", encoding="utf-8")
    result = cli("diff", bad, tmp_path)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0]


def test_diff_shows_a_fact_added_and_retracted_between_two_graphs_as_such(built_project, tmp_path):
    nt = (built_project.build / "dta-kg.nt").read_text(encoding="utf-8")
    fact = fact_iri(BEATTY, "design-mixed-methods")
    retraction = [f'<{fact}> <{DTA}retracted> "true"^^<{XSD}boolean> .\n',
                  f'<{fact}> <{DTA}retractionReason> "coded from the wrong arm" .\n']
    (tmp_path / "old.nt").write_text(_without_fact(nt, fact), encoding="utf-8")
    (tmp_path / "new.nt").write_text(nt + "".join(retraction), encoding="utf-8")
    d = diff(read_path(tmp_path / "old.nt"), read_path(tmp_path / "new.nt"))
    assert [(r["change"], r["doi"], r["fact"]) for r in d.facts] == [
        ("added and retracted", BEATTY, "design-mixed-methods")]
    assert d.facts[0]["note"] == "coded from the wrong arm"
    md = render_diff(d, "markdown")
    assert "### Facts added and retracted" in md and "| facts added and retracted | 1 |" in md
    assert "| facts added |" not in md


def test_compare_rows_carry_the_weakest_basis_and_min_confidence_drops_the_unsure(cli):
    he = "10.1186/s12889-022-13115-x"
    rows = {r["doi"]: r for r in json.loads(ok(cli("compare", "--component", "bond",
                                                   "--format", "json")))}
    assert (rows[he]["basis"], rows[he]["confidence"]) == ("inferred", "low")  # its design
    assert all(r["basis"] in ("stated", "inferred") for r in rows.values())
    sure = {r["doi"]: r for r in json.loads(ok(cli("compare", "--component", "bond",
                                                   "--min-confidence", "high", "--format", "json")))}
    assert "randomised controlled trial" not in sure[he]["design"]  # the low guess is left out
    assert all(r["confidence"] in (None, "high") for r in sure.values())
