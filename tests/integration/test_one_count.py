"""One count, everywhere: `check`, the count queries in both engines, the study lists, the site
and the gap map agree on how many studies inform each component; facilitators and barriers
exactly through the factor reports that are not retracted; and review-scope counts ignore the
living review."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from support.project import LIVING_BIB, LIVING_DOI

from dta_kg.cli import main
from dta_kg.core.paths import Project

HE = "10.1186/s12889-022-13115-x"  # ref 38: one factor report, a facilitator of engagement
SMITH = LIVING_DOI
FB = "facilitators and barriers"
BIB = LIVING_BIB


def commands(project: Project) -> tuple[Project, Callable[..., str]]:
    """`project` (a built copy of the curated records) and a runner of dta-kg commands on it."""
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_CURATOR": "Ada Curator"}

    def run(*args) -> str:
        result = CliRunner().invoke(main, [str(a) for a in args], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    return project, run


def review_counts(project: Project, run: Callable[..., str]) -> dict[str, int]:
    """Every count of the review's studies per component, by where it is shown."""
    from dta_kg.site.pages import component_counts
    from dta_kg.site.snapshot import read_project
    from dta_kg.views.gapmap import _header
    from dta_kg.views.source import gap_map_data

    counts: dict[str, int] = {}
    for n in json.loads(run("check", "--format", "json"))["findings"]:
        if n["check"] == "studies-per-component":
            counts[f"check {n['subject'].replace('-', ' ')}"] = n["curated"]
    for lang in ("sparql", "cypher"):
        for r in json.loads(run("query", "run", "studies-per-component", "--lang", lang,
                                "--format", "json")):
            counts[f"studies-per-component {lang} {r['component']}"] = r["curated"]
        for r in json.loads(run("query", "run", "factors-by-component", "-p", "scope=review",
                                "--lang", lang, "--format", "json")):
            if r["component"] == FB:
                counts[f"factors-by-component {lang}"] = r["studies"]
        for component in ("goal alignment", "task agreement", "therapeutic bond",
                          "user engagement", FB):
            rows = json.loads(run("query", "run", "studies-by-component", "-p",
                                  f"component={component}", "-p", "scope=review", "--lang", lang,
                                  "--format", "json"))
            counts[f"studies-by-component {lang} {component}"] = len(rows)
        rows = json.loads(run("studies", "--component", FB, "--scope", "review", "--lang", lang,
                              "--format", "json"))
        counts[f"studies {lang}"] = len(rows)
    for row in component_counts(read_project(project)):
        counts[f"site {row['label']}"] = row["curated"]
    data = gap_map_data(project)
    for component in data["components"]:
        in_row = [s for s in data["studies"] if component in s["components"]]
        counts[f"gap map {component.lower()}"] = _header(component, in_row,
                                                         data["stated_counts"])["review_count"]
    return counts


@pytest.mark.slow
def test_retracting_a_studys_only_factor_report_drops_every_count_by_one(built_copy):
    project, run = commands(built_copy)
    before = review_counts(project, run)
    fb = {k: v for k, v in before.items() if k.endswith(FB) or "factors-by" in k
          or k.startswith("studies ")}
    assert len(fb) == 11 and set(fb.values()) == {24}, fb  # one figure, everywhere
    run("retract", f"{HE}#motivational-interviewing", "--reason", "test: the only factor")
    after = review_counts(project, run)
    assert {k: before[k] - after[k] for k in before} == {
        k: (1 if k in fb else 0) for k in before}


@pytest.mark.slow
def test_adding_a_living_study_changes_no_review_count_and_no_check_line(built_copy, tmp_path):
    project, run = commands(built_copy)
    before = review_counts(project, run)
    lines = json.loads(run("check", "--format", "json"))["findings"]
    pairs = {lang: run("query", "run", "component-co-occurrence", "-p", "scope=review", "--lang",
                       lang, "--format", "json") for lang in ("sparql", "cypher")}
    factors_all = json.loads(run("query", "run", "factors-by-component", "--format", "json"))
    bib = tmp_path / "june.bib"
    bib.write_text(BIB, encoding="utf-8")
    run("study", "import", bib)
    for component, quote in (("bond", "bond scores rose by d=0.62"),
                             ("engagement", "users sent a mean of 40 messages")):
        run("finding", "add", SMITH, "--component", component, "--section", "Results",
            "--quote", quote)
    run("factor", "add", SMITH, "--facilitator", "a friendly tone", "--theme",
        "conversational-design", "--section", "Results", "--quote", "users liked its tone")
    assert review_counts(project, run) == before
    assert pairs == {lang: run("query", "run", "component-co-occurrence", "-p", "scope=review",
                               "--lang", lang, "--format", "json") for lang in pairs}
    now = json.loads(run("check", "--format", "json"))["findings"]
    assert [n for n in now if n["subject"] != "added-after-review"] == lines
    living = next(n for n in now if n["subject"] == "added-after-review")
    assert living["curated"] == 1 and "living review" in living["message"]
    # without a scope, the living study is counted with the review's
    fb = {r["component"]: r["studies"] for r in json.loads(
        run("query", "run", "factors-by-component", "--format", "json"))}
    assert fb[FB] == next(r["studies"] for r in factors_all if r["component"] == FB) + 1
