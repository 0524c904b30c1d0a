"""`dta-kg study add --doi X --fetch`: bibliographic data from a Crossref stand-in on
127.0.0.1 (tests never touch the network); failures leave every record as it was."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.curation.crossref import CrossrefError
from dta_kg.loaders.yaml_io import read_yaml
from tests.support.crossref import Replay
from tests.support.project import snapshot

DOI = "10.5555/dta-kg-test.2025.001"


@pytest.fixture
def crossref():
    with Replay() as replay:
        yield replay


@pytest.fixture
def run(project_copy, crossref):
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator", "DTA_KG_CROSSREF_URL": crossref.url,
           "DTA_KG_MAILTO": "curators@example.org"}
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_fetch_fills_the_record_from_crossref(run, project_copy, crossref):
    result = run("study", "add", "--doi", f"https://doi.org/{DOI.upper()}", "--fetch", "--yes")
    assert result.exit_code == 0, result.output
    assert "Crossref: Smith JA; van der Berg P; Lee MJ (2025)" in result.output
    path = next(project_copy.studies.glob("smith-2025*.yaml"))
    data = read_yaml(path)
    assert data["doi"] == DOI and data["year"] == 2025
    assert data["authors"] == ["Smith JA", "van der Berg P", "Lee MJ"]
    assert data["title"] == "A test chatbot and the therapeutic bond: a pilot study"
    assert (data["venue"], str(data["volume"]), str(data["issue"]), data["pages"]) == \
        ("JMIR Ment Health", "12", "3", "e70001")
    (path_requested, headers), = crossref.requests
    assert path_requested.startswith(f"/works/{DOI}?mailto=curators%40example.org")
    assert "mailto:curators@example.org" in headers["User-Agent"]
    assert headers["User-Agent"].startswith("dta-kg/")


def test_options_given_win_over_crossref(run, project_copy):
    result = run("study", "add", "--doi", DOI, "--fetch", "--yes", "--venue", "JMIR Mental Health")
    assert result.exit_code == 0, result.output
    data = read_yaml(next(project_copy.studies.glob("smith-2025*.yaml")))
    assert data["venue"] == "JMIR Mental Health"


def test_an_unknown_doi_is_one_line_and_writes_nothing(run, project_copy):
    before = snapshot(project_copy.records)
    result = run("study", "add", "--doi", "10.5555/not-registered", "--fetch", "--yes")
    assert result.exit_code != 0
    error = result.output.strip().splitlines()
    assert len(error) == 1 and "Crossref has no record of the DOI '10.5555/not-registered'" in error[0]
    assert snapshot(project_copy.records) == before


def test_an_unreachable_service_is_one_line_and_writes_nothing(project_copy):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    before = snapshot(project_copy.records)
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build)}
    result = CliRunner().invoke(main, ["study", "add", "--doi", DOI, "--fetch", "--yes",
                                       "--crossref-url", closed], env=env)
    assert result.exit_code != 0
    error = result.output.strip().splitlines()
    assert len(error) == 1 and "Crossref could not be reached" in error[0]
    assert "nothing was written" in error[0]
    assert snapshot(project_copy.records) == before


def test_without_a_terminal_fetch_needs_yes(run, project_copy):
    before = snapshot(project_copy.records)
    result = run("study", "add", "--doi", DOI, "--fetch")
    assert result.exit_code != 0 and "--yes" in result.output
    assert snapshot(project_copy.records) == before


def test_busy_answers_are_retried_with_growing_pauses(crossref):
    from dta_kg.curation.crossref import entry_from_work, fetch_work

    crossref.fail_first = 2
    pauses: list[float] = []
    entry = entry_from_work(fetch_work(DOI, base_url=crossref.url, sleep=pauses.append), DOI)
    assert entry.title and len(crossref.requests) == 3
    assert pauses == [0.5, 1.0]


def test_a_service_that_stays_busy_gives_up(crossref):
    from dta_kg.curation.crossref import fetch_work

    crossref.fail_first = 10
    with pytest.raises(CrossrefError, match=r"HTTP 503, 4 tries"):
        fetch_work(DOI, base_url=crossref.url, sleep=lambda s: None)
    assert len(crossref.requests) == 4
