"""Item 11 of issue 14: bypassing the evidence check."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot
from support.views import island

from dta_kg.cli import main
from dta_kg.core.paths import Project

BEATTY = "10.3389/fdgth.2022.847991"
NEW = "10.2196/80021"
TITLE = "Chatbot alliance in a pilot trial"
MADE_UP = "users loved the chatbot more than their therapist"


def invoke(project: Project, *args: str):
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    return CliRunner().invoke(main, list(args), env=env)


def test_a_one_word_quote_is_refused(project_copy: Project):
    """Attack: `--quote a` on a study of the review passed the verbatim check ('a' occurs in
    every section). Expected: a one-line refusal asking for at least 3 words; records
    byte-identical."""
    before = snapshot(project_copy.records)
    result = invoke(project_copy, "finding", "add", BEATTY, "--component", "bond", "--section",
                    "Results > Therapeutic Bond", "--quote", "a")
    one_line_error(result, "field 'quote'", "at least 3")
    assert snapshot(project_copy.records) == before


@pytest.mark.slow
def test_quotes_from_texts_not_held_are_unverified_until_the_text_is_registered(
        project_copy: Project, tmp_path: Path):
    """Attack: `--source <the study's own DOI>` with a made-up quote was accepted like a
    checked one. Expected: it is stored but marked unverified (`study show` says so, the graph
    has dta:quoteVerified false); `source add DOI --text FILE` refuses a text that does not
    hold the quote, and once a text is registered, quotes from it are checked verbatim."""
    assert invoke(project_copy, "study", "add", "--doi", NEW, "--title", TITLE, "--year", "2025",
                  "--author", "Doe, Jane").exit_code == 0
    finding = ["finding", "add", NEW, "--component", "engagement", "--source", NEW,
               "--section", "Results", "--quote"]
    assert invoke(project_copy, *finding, MADE_UP).exit_code == 0
    shown = invoke(project_copy, "study", "show", NEW).output
    assert shown.count("UNVERIFIED") == 2  # the finding and the component report it implies
    ask = ("ASK { ?f dta:evidence ?e . ?e dta:quoteVerified false ; oa:hasTarget/oa:hasSelector"
           f"/oa:exact \"{MADE_UP}\" }}")
    assert invoke(project_copy, "sparql", ask, "--format", "csv").output.split()[-1] == "true"
    view = tmp_path / "view.html"
    assert invoke(project_copy, "view", "-o", str(view), "--focus", NEW).exit_code == 0
    shown = [n["props"] for n in island(view.read_text(encoding="utf-8"))["nodes"]
             if n["props"].get("quote") == MADE_UP]
    assert shown and all(props.get("quoteVerified") == "False" for props in shown)  # as text
    site = tmp_path / "site"
    assert invoke(project_copy, "site", "-o", str(site)).exit_code == 0
    page = next(p for p in (site / "studies").glob("*.html") if MADE_UP in p.read_text("utf-8"))
    assert page.read_text("utf-8").count('class="badge">unverified<') == 2

    text = tmp_path / "paper.txt"
    text.write_text(f"{TITLE}\n\nResults\nEngagement was high in the pilot.\n", encoding="utf-8")
    before = snapshot(project_copy.records)
    one_line_error(invoke(project_copy, "source", "add", NEW, "--text", str(text)),
                   "evidence.quote'", "not verbatim in the registered text")
    assert snapshot(project_copy.records) == before

    text.write_text(f"{TITLE}\n\nResults\nIn interviews, {MADE_UP}.\n", encoding="utf-8")
    assert invoke(project_copy, "source", "add", NEW, "--text", str(text)).exit_code == 0
    assert "UNVERIFIED" not in invoke(project_copy, "study", "show", NEW).output
    one_line_error(invoke(project_copy, *finding, "engagement was very low overall"),
                   "not verbatim in the registered text")
