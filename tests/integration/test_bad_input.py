"""Bad input: a one-line error naming file or record, field and fix; exit 1; no record changed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main

BEATTY = "10.3389/fdgth.2022.847991"
GOOD_BIB = """@article{good2025,
  author = {Good, Ann}, title = {A good study}, journal = {JMIR}, year = 2025,
  doi = {10.2196/80001}
}
"""
STUDY = ["study", "add", "--title", "A study", "--year", "2024", "--author", "Doe, Jane"]
QUOTE = ["--section", "Results > Therapeutic Bond", "--quote",
         "Beatty et al [25] reported that users expressed strong emotional connections"]


def bib(text: str):
    return ("new.bib", text.encode())


# (arguments, import file or None, expected parts of the one-line message)
CASES = {
    "malformed DOI": ([*STUDY, "--doi", "10.abc/x"], None,
                      ["study add [10.abc/x]", "field 'doi'", "is not a DOI", "10.<registrant>"]),
    "duplicate DOI": ([*STUDY, "--doi", f"https://doi.org/{BEATTY.upper()}"], None,
                      ["ref-25-beatty-2022.yaml", "field 'doi'", "duplicate DOI",
                       "dta-kg study show"]),
    "duplicate DOI in a file": (["study", "import"], bib(GOOD_BIB + GOOD_BIB.replace(
        "good2025", "again2025")), ["new.bib [again2025]", "field 'doi'", "also in good2025",
                                    "one entry per study"]),
    "impossible year": ([*STUDY[:5], "3024", *STUDY[6:], "--doi", "10.2196/80002"], None,
                        ["field 'year'", "'3024' is not a possible publication year",
                         "give a year from 1900"]),
    "empty title": (["study", "add", "--doi", "10.2196/80003", "--title", " ", "--year", "2024",
                     "--author", "Doe, J"], None,
                    ["study add [10.2196/80003]", "field 'title'", "is empty", "give the"]),
    "unknown component": (["finding", "add", BEATTY, "--component", "bondd", *QUOTE], None,
                          ["ref-25-beatty-2022.yaml [10.3389/fdgth.2022.847991]",
                           "field 'component'", "unknown component 'bondd'",
                           "use one of: therapeutic-bond"]),
    "unknown instrument": (["finding", "add", BEATTY, "--component", "bond", "--instrument",
                            "WAI-SF", *QUOTE], None,
                           ["field 'instrument'", "unknown measure 'WAI-SF'", "wai-sr"]),
    "finding for a study that does not exist": (
        ["finding", "add", "10.2196/99999", "--component", "bond", *QUOTE], None,
        ["[10.2196/99999]", "field 'doi'", "no study has DOI", "dta-kg study add"]),
    "missing quote": (["finding", "add", BEATTY, "--component", "bond", "--section",
                       "Results > Therapeutic Bond"], None,
                      ["ref-25-beatty-2022.yaml", "field 'quote'", "is missing", "give --quote"]),
    "quote not in the review": (["factor", "add", BEATTY, "--barrier", "slow replies",
                                 "--theme", "technical-reliability", "--section",
                                 "Results > Therapeutic Bond", "--quote", "replies were slow"],
                                None, ["field 'quote'", "not verbatim in section",
                                       "copy the span verbatim"]),
    "missing factor theme": (["factor", "add", BEATTY, "--barrier", "x", *QUOTE], None,
                             ["field 'theme'", "is missing", "technical-reliability"]),
    "unknown section": (["finding", "add", BEATTY, "--component", "bond", "--section",
                         "Results > Bond", "--quote", "x"], None,
                        ["field 'section'", "not a heading of the review", "Therapeutic Bond"]),
    "retraction without a reason": (["retract", f"{BEATTY}#bond-wai-sr"], None,
                                    ["ref-25-beatty-2022.yaml", "field 'reason'", "--reason"]),
    "binary import file": (["study", "import"], ("export.bib", b"\x00\x01\x02PK\x03\x04"),
                           ["export.bib: is binary", "export BibTeX, RIS or CSL-JSON"]),
    "truncated BibTeX": (["study", "import"], bib(GOOD_BIB + "@article{cut2025,\n  title = {Cut"),
                         ["new.bib [cut2025]", "truncated or malformed", "re-export"]),
    "truncated RIS": (["study", "import"], ("new.ris", b"TY  - JOUR\nTI  - Cut\nDO  - 10.1/x\n"),
                      ["new.ris [record 1]", "truncated", "re-export"]),
    "truncated CSL-JSON": (["study", "import"], ("new.json", b'[{"DOI": "10.1/x", "title": "T'),
                           ["new.json", "not valid CSL-JSON", "re-export"]),
    "one bad record among good ones": (["study", "import"], bib(
        GOOD_BIB + GOOD_BIB.replace("good2025", "bad2025").replace("10.2196/80001", "nodoi")),
        ["new.bib [bad2025]", "field 'doi'", "'nodoi' is not a DOI"]),
    "an import without DOI": (["study", "import"], ("new.json", json.dumps(
        [{"id": "x1", "title": "T", "author": [{"family": "A"}],
          "issued": {"date-parts": [[2020]]}}]).encode()),
        ["new.json [x1]", "field 'doi'", "is missing", "add the study's DOI"]),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_with_a_one_line_message(name, project_copy, tmp_path):
    args, upload, expected = CASES[name]
    if upload:
        path = tmp_path / upload[0]
        path.write_bytes(upload[1])
        args = [*args, str(path)]
    before = snapshot(project_copy.records)
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    result = CliRunner().invoke(main, args, env=env)
    message = result.output.strip()
    assert result.exit_code == 1, message
    assert message.startswith("Error: ") and "\n" not in message
    for part in expected:
        assert part in message
    after = snapshot(project_copy.records)
    assert after == before


def test_an_unsafe_yaml_tag_in_a_record_stops_every_write(project_copy):
    review = project_copy.review
    review.write_text(review.read_text(encoding="utf-8") + 'x: !!python/object/apply:os.system ["true"]\n',
                      encoding="utf-8")
    before = snapshot(project_copy.records)
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_CURATOR": "Ada Curator"}
    result = CliRunner().invoke(main, ["finding", "add", BEATTY, "--component", "bond", *QUOTE],
                                env=env)
    message = result.output.strip()
    assert result.exit_code == 1 and "\n" not in message
    assert f"{review}" in message and "unsafe or unknown YAML tag" in message
    assert snapshot(project_copy.records) == before


def test_an_unsafe_yaml_tag_in_the_edited_record_is_refused(project_copy):
    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    record.write_text("!!python/object/apply:os.system [\"true\"]\n", encoding="utf-8")
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_CURATOR": "Ada Curator"}
    result = CliRunner().invoke(main, ["retract", f"{BEATTY}#x", "--reason", "r"], env=env)
    assert result.exit_code == 1
    assert "unsafe or unknown YAML tag" in result.output
    assert record.read_text(encoding="utf-8").startswith("!!python/object")
