"""`dta-kg check --registry`: each study's DOI, first author, title, year and venue against a
Crossref stand-in on 127.0.0.1 replaying the hand-written answers of tests/fixtures/crossref
(never the network); differences are warnings with both values, and no record is written."""

from __future__ import annotations

import json
import socket
from dataclasses import replace

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from tests.support.crossref import Replay
from tests.support.project import snapshot

LIU, MACRYNIKA = "10.1016/j.invent.2022.100495", "10.1177/07067437241274201"  # refs 44, 45
FICTIONAL, UNKNOWN = "10.5555/dta-kg-test.2025.001", "10.5555/dta-kg-test.not-registered"


@pytest.fixture
def crossref():
    with Replay() as replay:
        yield replay


@pytest.fixture
def project(project_copy):
    """Refs 44 and 45 of the review, and two studies added since: one whose record differs
    from the fictional Crossref work of its DOI, one whose DOI Crossref does not know."""
    for path in project_copy.studies.glob("*.yaml"):
        if not path.name.startswith(("ref-44-", "ref-45-")):
            path.unlink()
    added = [
        ["--doi", FICTIONAL, "--title", "A test chatbot and the working alliance: a pilot study",
         "--year", "2024", "--author", "Smyth, Jane A.", "--author", "van der Berg, Piet",
         "--venue", "JMIR Ment Health"],
        ["--doi", UNKNOWN, "--title", "A study whose DOI was mistyped", "--year", "2025",
         "--author", "Doe, Jan", "--venue", "JMIR Ment Health"],
    ]
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    for args in added:
        result = CliRunner().invoke(main, ["study", "add", *args], env=env)
        assert result.exit_code == 0, result.output
    return project_copy


def check(project, *args: str):
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_MAILTO": "curators@example.org"}
    return CliRunner().invoke(main, ["check", "--registry", *args], env=env)


def registry_findings(output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for n in json.loads(output)["findings"]:
        if n["check"] == "registry":
            assert n["severity"] == "warning"
            found.setdefault(n["subject"], []).append(n["message"])
    return found


def test_mismatches_and_an_unknown_doi_are_warnings_with_both_values(project, crossref):
    before = snapshot(project.records)
    result = check(project, "--crossref-url", crossref.url, "--format", "json")
    assert result.exit_code == 0, result.output
    found = registry_findings(result.output)
    # ref 44 agrees: a capital after the colon and the journal's full name are no difference
    assert set(found) == {MACRYNIKA, FICTIONAL, UNKNOWN}
    assert found[MACRYNIKA] == ["first author: the records print 'Macrynika N', Crossref has "
                                "'Macrynikola N' (ref 45)"]
    assert found[UNKNOWN] == [f"the DOI '{UNKNOWN}' does not resolve: Crossref has no record of it"]
    assert found[FICTIONAL] == [
        "first author: the records print 'Smyth JA', Crossref has 'Smith JA'",
        "title: the records print 'A test chatbot and the working alliance: a pilot study', "
        "Crossref has 'A test chatbot and the therapeutic bond: a pilot study'",
        "year: the records print 2024, Crossref has 2025 (issued / print / online)"]
    assert snapshot(project.records) == before  # nothing written but the build's cache
    assert len(crossref.requests) == 4
    assert all("mailto=curators%40example.org" in path for path, _ in crossref.requests)


def test_the_text_report_names_the_check_and_both_values(project, crossref):
    result = check(project, "--crossref-url", crossref.url)
    assert result.exit_code == 0, result.output
    assert "Bibliographic data against the DOI registry (Crossref; with --registry)" in result.output
    assert "warning  10.1177/07067437241274201: first author: the records print 'Macrynika N', " \
        "Crossref has 'Macrynikola N' (ref 45)" in result.output


@pytest.mark.slow
def test_answers_are_kept_in_the_build_folder_and_reused(project, crossref):
    first = check(project, "--crossref-url", crossref.url, "--format", "json")
    assert first.exit_code == 0, first.output
    assert len(list((project.build / "crossref").glob("*.json"))) == 4
    again = check(project, "--crossref-url", crossref.url, "--format", "json")
    assert again.exit_code == 0, again.output
    assert registry_findings(again.output) == registry_findings(first.output)
    assert len(crossref.requests) == 4  # the second audit asked nothing
    refreshed = check(project, "--crossref-url", crossref.url, "--refresh", "--format", "json")
    assert refreshed.exit_code == 0 and len(crossref.requests) == 8
    with socket.socket() as s:  # another service: its answers are not the ones kept
        s.bind(("127.0.0.1", 0))
        other = check(project, "--crossref-url", f"http://127.0.0.1:{s.getsockname()[1]}")
    assert other.exit_code != 0 and "Crossref could not be reached" in other.output


def test_an_unreachable_registry_is_one_line_and_writes_no_record(project):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    before = snapshot(project.records)
    result = check(project, "--crossref-url", closed)
    assert result.exit_code != 0
    error = result.output.strip().splitlines()
    assert len(error) == 1 and "Crossref could not be reached" in error[0]
    assert snapshot(project.records) == before


def test_without_registry_check_asks_nothing(project, crossref):
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build)}
    result = CliRunner().invoke(main, ["check", "--format", "json"], env=env)
    assert result.exit_code == 0 and registry_findings(result.output) == {}
    refused = CliRunner().invoke(main, ["check", "--refresh"], env=env)
    assert refused.exit_code != 0 and "--registry" in refused.output
    assert crossref.requests == []


def test_fields_compare_beyond_case_punctuation_and_abbreviation(corpus):
    from dta_kg.curation.doi_registry import abbreviates, compare_study

    liu = next(s for s in corpus.studies if s.doi == LIU)
    work = {"DOI": LIU.upper(), "title": ["Using AI Chatbots to Provide Self-Help Depression "
                                          "Interventions for University Students — a randomized "
                                          "trial of <i>effectiveness</i>"],
            "author": [{"family": "LIU", "given": "Hao", "sequence": "first"}],
            "container-title": ["Internet Interventions"],
            "issued": {"date-parts": [[2021, 12]]}, "published-print": {"date-parts": [[2022, 3]]}}
    assert compare_study(liu, work) == []
    assert compare_study(replace(liu, venue="Internet Res"), work) == [
        "venue: the records print 'Internet Res', Crossref has 'Internet Interventions'"]
    moved = {**work, "DOI": "10.1016/j.invent.2022.100496", "issued": {"date-parts": [[2021]]},
             "published-print": {}}
    assert compare_study(liu, moved) == [
        f"DOI: the records print '{LIU}', Crossref has '10.1016/j.invent.2022.100496'",
        "year: the records print 2022, Crossref has 2021 (issued / print / online)"]
    assert abbreviates("J Med Internet Res", "Journal of Medical Internet Research")
    assert abbreviates("Front Digit Health", "Frontiers in Digital Health")
    assert not abbreviates("JMIR Form Res", "Journal of Medical Internet Research")
    assert not abbreviates("Internet Interv", "Internet Interventions and Beyond")

