"""Factors as concepts: a curator names the concept a factor report reports, its theme follows
from the concept, and a theme that contradicts the concept's is refused by the QC query."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.loaders.terms import load_vocabulary

SMITH = "10.2196/70001"
BIB = """@article{smith2025, author = {Smith, Jane A.}, title = {A Chatbot for Loneliness},
  journal = {JMIR Ment Health}, year = {2025}, doi = {10.2196/70001}}
"""
CRASHES = ["factor", "add", SMITH, "--barrier", "app crashes", "--concept", "technical errors",
           "--section", "Results", "--quote", "the app crashed twice a week"]


@pytest.fixture
def run(project_copy, tmp_path):
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], env=env)

    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    assert invoke("study", "import", bib).exit_code == 0
    return invoke


def test_every_factor_concept_sits_under_one_theme():
    vocab = load_vocabulary()
    themes = vocab.ids("theme")
    for concept in vocab.of_kind("factor-concept"):
        seen, up = set(), concept.id
        while up not in themes:
            assert up not in seen and up is not None, concept.id
            seen.add(up)
            up = vocab.terms[up].parent
    # the review's factors named in the issue are concepts with their synonyms
    for name in ("anonymity", "flexibility", "empathic tone", "privacy concerns",
                 "technical errors", "crisis handling", "lack of human connection",
                 "crisis scenarios", "technical difficulties"):
        assert vocab.resolve("factor-concept", name)


def test_a_factor_takes_its_theme_from_its_concept(project_copy, run):
    result = run(*CRASHES)
    assert result.exit_code == 0, result.output
    text = (project_copy.studies / "smith-2025.yaml").read_text(encoding="utf-8")
    assert "    theme: technical-reliability\n    concept: technical-errors\n" in text


def test_a_theme_that_contradicts_the_concept_is_refused_and_nothing_changes(project_copy, run):
    before = snapshot(project_copy.records)
    result = run(*CRASHES, "--theme", "privacy-and-ethics")
    assert result.exit_code != 0
    assert "'privacy-and-ethics' is not the theme of the factor 'technical-errors'" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(project_copy.records) == before


def test_an_unknown_concept_is_a_one_line_error_naming_the_closest(project_copy, run):
    before = snapshot(project_copy.records)
    result = run(*CRASHES[:-6], "--concept", "technical eror", *CRASHES[-4:])
    assert result.exit_code != 0
    assert "unknown factor-concept 'technical eror'" in result.output
    assert "technical-errors" in result.output
    assert snapshot(project_copy.records) == before
