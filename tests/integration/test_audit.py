"""`dta-kg check` on the curated review: its figures pinned, and each check shown to bite."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core.paths import PACKAGE_ROOT, Project
from dta_kg.curation.audit import audit, audit_corpus, doi_problem, summary

PROJECT = Project(records=PACKAGE_ROOT / "records", build=Path("/nonexistent"))


@pytest.fixture(scope="module")
def notices():
    return audit(PROJECT)


def figures(notices, check: str) -> dict[str, tuple]:
    return {n.subject: (n.stated, n.curated) for n in notices if n.check == check}


def test_studies_per_component_stated_and_curated(notices):
    assert figures(notices, "studies-per-component") == {
        "goal-alignment": (16, 14), "task-agreement": (8, 7), "therapeutic-bond": (12, 10),
        "user-engagement": (22, 18), "facilitators-and-barriers": (22, 24)}


def test_studies_per_intervention_theme_stated_and_curated(notices):
    assert figures(notices, "studies-per-intervention-theme") == {
        "ai-powered-chatbot": (12, 12), "digital-psychotherapy": (7, 7),
        "exploratory-or-review-study": (3, 3), "general-ai-health-care-tool": (2, 2),
        "personalised-therapy": (2, 2), "behavioural-change-tool": (2, 2)}


def test_total_and_prisma_arithmetic(notices):
    assert figures(notices, "total") == {"prisma-included": (28, 28),
                                         "studies-included": (28, 28)}
    prisma = {n.subject: n for n in notices if n.check == "prisma"}
    assert {k: (n.stated, n.curated) for k, n in prisma.items() if k != "totals"} == {
        "records-screened": (1091, 1091),          # 1294 - 203
        "full-text-assessed": (285, 285),          # 1091 - 806
        "excluded-at-screening": (806, 806),       # 307 + 499
        "excluded-at-full-text": (None, 257)}      # 285 - 28, not itemised by the review
    assert all(n.severity == "info" for k, n in prisma.items() if k != "totals")
    assert prisma["totals"].severity == "warning"  # 28 included, 23 "fully analyzed"
    assert "28" in prisma["totals"].message and "23" in prisma["totals"].message


def test_names_that_disagree_with_the_reference_list(notices):
    assert {(n.subject, n.stated) for n in notices if n.check == "name"} == {
        ("10.1016/j.invent.2023.100668", "Escobar Viera"),   # ref 56: Escobar-Viera CG
        ("10.2196/37877", "Goonasekera"),                     # ref 57: Goonesekera Y
        ("10.1177/20552076241277712", "Brotherdale")}         # ref 60: Brothdale R


def test_suspicious_dois(notices):
    assert [n.subject for n in notices if n.check == "doi"] == ["10.3389/fdgh.2022.989022"]
    assert "fdgth" in doi_problem("10.3389/fdgh.2022.989022", 2022)
    assert doi_problem("10.3389/fdgth.2022.847991", 2022) is None
    assert doi_problem("10.3389/fdgth.2015.847991", 2022)  # year in the DOI too far off
    assert doi_problem("10.1186/s12889-022-13115", 2022)   # BMC suffix cut short


def test_provenance_and_factors(notices):
    assert not [n for n in notices if n.check == "provenance" and n.severity == "error"]
    inferred = next(n for n in notices if n.subject == "inferred")
    assert inferred.curated == 114  # 113, and Goldberg 2022's goal-dwai (ref 49)
    factors = next(n for n in notices if n.check == "factor")
    assert factors.curated == 37 and "37 of 76" in factors.message


def test_severity_summary(notices):
    assert summary(notices) == {"error": 0, "warning": 18, "info": 15}


def test_a_fact_off_the_review_without_a_curator_stamp_is_an_error(corpus):
    study = corpus.studies[0]
    fact = study.components[0]
    stray = replace(fact, evidence=replace(fact.evidence, source=study.doi), added=None)
    changed = replace(corpus, studies=(replace(study, components=(stray,)), *corpus.studies[1:]))
    errors = [n for n in audit_corpus(changed) if n.severity == "error"]
    assert [n.subject for n in errors] == [f"{study.doi}#{fact.id}"]


def test_a_prisma_sum_that_does_not_add_up_is_an_error(corpus):
    claims = tuple(replace(c, value=300) if c.kind == "prisma-excluded-population" else c
                   for c in corpus.review.claims)
    changed = replace(corpus, review=replace(corpus.review, claims=claims))
    bad = [n for n in audit_corpus(changed) if n.severity == "error"]
    assert [n.subject for n in bad] == ["excluded-at-screening"]


def test_check_command_strict_and_json(project_copy):
    env = {"DTA_KG_RECORDS": str(project_copy.records)}
    runner = CliRunner()
    text = runner.invoke(main, ["check"], env=env)
    assert text.exit_code == 0 and "0 errors, 18 warnings, 15 info" in text.output
    data = json.loads(runner.invoke(main, ["check", "--format", "json"], env=env).output)
    assert data["summary"] == {"error": 0, "warning": 18, "info": 15}
    assert runner.invoke(main, ["check", "--strict"], env=env).exit_code == 0
    review = project_copy.review
    review.write_text(review.read_text(encoding="utf-8").replace("value: 307", "value: 300"),
                      encoding="utf-8")
    strict = runner.invoke(main, ["check", "--strict"], env=env)
    assert strict.exit_code == 1 and "does not add up" in strict.output


def test_readme_lists_the_audit_figures(notices):
    readme = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("<!-- curate:start -->"):readme.index("<!-- curate:end -->")]
    for check in ("studies-per-component", "studies-per-intervention-theme"):
        for subject, (stated, curated) in figures(notices, check).items():
            assert f"| {subject} | {stated} | {curated} |" in section
    counts = summary(notices)
    assert (f"{counts['error']} errors, {counts['warning']} warnings and {counts['info']} info"
            in section)


def test_curator_notes_surface_the_citations_the_review_seems_to_swap(notices):
    noted = {n.subject.split("#")[0] for n in notices if n.check == "note"}
    # [51] Russo (10.1089/rej.2018.2075) and [52] Prescott and Hanley (10.1108/MHSI-02-2023-0020)
    # are described in the body as each other's reference titles read; [46] Cross likewise.
    assert {"10.1089/rej.2018.2075", "10.1108/MHSI-02-2023-0020", "10.2196/60589"} <= noted
    assert all(n.severity == "warning" for n in notices if n.check == "note")
