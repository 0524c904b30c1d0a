"""Items 9 and 10 of issue 14: hand-edited records and values that make no sense."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project

BEATTY = "10.3389/fdgth.2022.847991"
QUOTE = ["--section", "Results > Therapeutic Bond", "--quote",
         "Beatty et al [25] reported that users expressed strong emotional connections"]
STUDY = ["study", "add", "--title", "A study", "--year", "2024", "--author", "Doe, Jane"]
FINDING = ["finding", "add", BEATTY, "--component", "bond", *QUOTE]


def invoke(project: Project, *args: str):
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    return CliRunner().invoke(main, list(args), env=env)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda text: text.replace("\ndoi: ", "\ndoi: 10.9999/other\ndoi: ", 1),
     ["ref-25-beatty-2022.yaml", "line", "duplicate key 'doi'", "keep one"]),
    (lambda text: text.replace("\nfindings:", "\nfindngs:", 1),
     ["ref-25-beatty-2022.yaml", "field 'findngs'", "unknown key (line", "did you mean 'findings'"]),
    (lambda text: text.replace("    components:", "    compnents:", 1),
     ["field 'factors[", "compnents'", "unknown key (line", "did you mean 'components'"]),
])
def test_hand_edited_records_with_duplicate_or_misspelled_keys(edit, expected,
                                                               project_copy: Project):
    """Attack: a record with `doi:` twice passed validate and build (the last value won), and a
    misspelled key (`findngs:`, `compnents:`) dropped its data without a word. Expected:
    `validate` refuses with one line naming the file, the line and the nearest valid key."""
    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    text = record.read_text(encoding="utf-8")
    assert "    components:" in text or "compnents" not in expected[1]
    record.write_text(edit(text), encoding="utf-8")
    one_line_error(invoke(project_copy, "validate"), *expected)


CASES = {
    "nan": ([*FINDING, "--result", "nan", "--result-kind", "cohens-d"], ["not a finite number"]),
    "inf": ([*FINDING, "--result", "inf", "--result-kind", "cohens-d"], ["not a finite number"]),
    "1e309": ([*FINDING, "--result", "1e309", "--result-kind", "cohens-d"],
              ["not a finite number"]),
    "percentage over 100": ([*FINDING, "--result", "150", "--result-kind", "percentage"],
                            ["150 is not a percentage from 0 to 100"]),
    "a second study with the same ref": ([*STUDY, "--doi", "10.2196/80011", "--ref", "25"],
                                         ["field 'ref'", "reference 25 is also",
                                          "ref-25-beatty-2022.yaml"]),
    "the review's own DOI": ([*STUDY, "--doi", "10.2196/69294"], ["review's own DOI"]),
    "an ontology property as an instrument": (
        ["instrument", "add", "Evidence Scale", "--id", "evidence", "--measures", "bond",
         "--definition", "A scale.", "--source", "10.2196/12345", "--section", "Methods",
         "--quote", "the Evidence Scale was used"],
        ["field 'id'", "class or property of the ontology (dta:evidence)"]),
    "a DOI with a trailing dot": ([*STUDY, "--doi", BEATTY + "."], ["field 'doi'"]),
    "a DOI that slugs like another": ([*STUDY, "--doi", "10.3389/fdgth-2022-847991"],
                                      ["field 'doi'", "duplicate DOI", "same study IRI"]),
    "an escape sequence in a title": (["study", "add", "--title", "A \x1b[2Jcleared\x07 title",
                                       "--year", "2024", "--author", "Doe, Jane", "--doi",
                                       "10.2196/80012"], ["U+001B", "title"]),
}


@pytest.mark.parametrize("name", CASES)
def test_values_that_make_no_sense_are_refused(name, project_copy: Project):
    """Attack: --result nan/inf/1e309 (stored as "nan"^^xsd:decimal, NaN in JSON), a
    percentage of 150, a second study claiming reference 25, the review's own DOI as an
    included study, `instrument add --id evidence` (the ontology's dta:evidence property),
    DOIs that differ only in punctuation (one IRI, an opaque SHACL error), and control
    characters stored and echoed raw. Expected: a one-line error naming the field, with no raw
    control character printed, and the records byte-identical."""
    args, expected = CASES[name]
    before = snapshot(project_copy.records)
    result = invoke(project_copy, *args)
    one_line_error(result, *expected)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert ".dta-kg-check-" not in result.output  # never the validation's temporary copy
    assert snapshot(project_copy.records) == before


def test_a_surname_in_another_script_gets_a_file_name(project_copy: Project, tmp_path: Path):
    """Attack: an author surname in Cyrillic slugged to nothing and gave the file name
    `-2025.yaml`. Expected: the file is named from the DOI instead."""
    bib = tmp_path / "new.bib"
    bib.write_text("@article{iv2025,\n  author = {Иванов, Иван}, title = {A study}, "
                   "journal = {JMIR}, year = 2025, doi = {10.2196/80013}\n}\n", encoding="utf-8")
    result = invoke(project_copy, "study", "import", str(bib))
    assert result.exit_code == 0, result.output
    assert (project_copy.studies / "doi-80013-2025.yaml").exists()
    assert not list(project_copy.studies.glob("-*.yaml"))
