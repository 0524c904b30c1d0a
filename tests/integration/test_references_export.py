"""`dta-kg studies --format bibtex|ris|csl-json`: what a reference manager takes back is the
same list of studies, nothing changed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core.iris import normalise_doi
from dta_kg.loaders.bibliography import read_bibliography
from dta_kg.query.references import study_entries
from dta_kg.query.session import Session

BOND_WAI_SR = ["10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"]
SUFFIX = {"bibtex": ".bib", "ris": ".ris", "csl-json": ".json"}
FIELDS = ("title", "year", "authors", "venue", "volume", "issue", "pages")


@pytest.fixture(scope="module")
def cli(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def run(*args):
        result = CliRunner().invoke(main, [str(a) for a in args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.fixture(scope="module")
def every_study(built_project):
    session = Session(built_project)
    return study_entries(session, sorted(session.dois.values()))


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_selected_studies_round_trip_through_a_reference_manager_file(cli, tmp_path, fmt):
    text = cli("studies", "--component", "bond", "--instrument", "WAI-SR", "--format", fmt)
    path = tmp_path / f"bond{SUFFIX[fmt]}"
    path.write_text(text, encoding="utf-8")
    entries = read_bibliography(path)
    assert [e.doi for e in entries] == [normalise_doi(d) for d in BOND_WAI_SR]
    beatty = entries[0]
    assert beatty.authors == ("Beatty C", "Malik T", "Meheli S", "Sinha C")
    assert (beatty.venue, beatty.year, beatty.volume, beatty.pages) == \
        ("Front Digit Health", "2022", "4", "847991")


@pytest.mark.parametrize("fmt", ["bibtex", "ris", "csl-json"])
def test_every_study_comes_back_unchanged(every_study, tmp_path, fmt):
    from dta_kg.loaders.reference_files import write_references

    assert len(every_study) == 28
    path = tmp_path / f"all{SUFFIX[fmt]}"
    path.write_text(write_references(every_study, fmt), encoding="utf-8")
    back = read_bibliography(path)
    for before, after in zip(every_study, back, strict=True):
        assert after.doi == normalise_doi(before.doi)  # DOIs compare without case
        for field in FIELDS:
            assert getattr(after, field) == getattr(before, field), (fmt, before.doi, field)
        if fmt != "ris":  # RIS has no PubMed id field the reader takes
            assert after.pmid == before.pmid, (fmt, before.doi)
        if fmt == "bibtex":  # "and others" keeps an author list the review cut short
            assert after.authors_truncated == before.authors_truncated, before.doi


def test_csl_json_is_a_list_of_journal_articles(cli):
    items = json.loads(cli("studies", "--year-from", "2024", "--format", "csl-json"))
    assert items and all(i["type"] == "article-journal" and i["DOI"] for i in items)
    assert all(i["issued"]["date-parts"][0][0] >= 2024 for i in items)
