"""`dta-kg suggest` end to end on a study added after the review, with the fictional abstract of
examples/: the text registered, candidates accepted or drafted and imported, the accepted facts
in `study show`, `studies`, the evidence query and the graph view as inferred by suggestion, and
bad input refused with the records left byte-identical."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from support.project import RECORDS, one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project
from dta_kg.curation.accept import SUGGESTED
from dta_kg.loaders.review_text import normalise, source_text_path

DOI = "10.2196/70002"
ABSTRACT = Path(__file__).resolve().parents[2] / "examples" / "fictional-study-abstract.md"
BIB = ABSTRACT.with_name("fictional-study.bib")


def new_project(root: Path) -> tuple[Project, Callable[..., Any]]:
    shutil.copytree(RECORDS, root / "records", ignore=shutil.ignore_patterns("source", "README.md"))
    project = Project(records=root / "records", build=root / "build")
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    runner = CliRunner()

    def run(*args: object, ok: bool = True) -> Any:
        result = runner.invoke(main, [str(a) for a in args], env=env)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    run("study", "import", BIB)
    return project, run


# the project, its runner, the candidates, the first and second accept's output, the records after
# the first
Accepted = tuple[Project, Callable[..., Any], list[dict], str, str, dict[str, bytes]]


def numbers_of(candidates: list[dict], *wanted: tuple[str, str]) -> str:
    """The numbers of the candidates of (kind, term), as --accept takes them."""
    chosen = [c["number"] for c in candidates for kind, term in wanted
              if c["kind"] == kind and c["term"] == term]
    assert len(chosen) == len(wanted), (wanted, candidates)
    return ",".join(map(str, chosen))


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> Accepted:
    """The fictional study's candidates, four of them accepted, then accepted again."""
    root = tmp_path_factory.mktemp("suggest")
    project, run = new_project(root)
    candidates = json.loads(run("suggest", DOI, "--text", ABSTRACT, "--format", "json").stdout)
    chosen = numbers_of(candidates, ("finding", "wai-sr-bond"), ("factor", "anonymity"),
                        ("factor", "privacy-concerns"), ("design", "randomised-controlled-trial"))
    first = run("suggest", DOI, "--text", ABSTRACT, "--accept", chosen).output
    before = snapshot(project.records)
    again = run("suggest", DOI, "--text", ABSTRACT, "--accept", chosen).output
    return project, run, candidates, first, again, before


def test_suggest_registers_the_text_as_source_add_does(accepted: Accepted) -> None:
    project, *_ = accepted
    held = source_text_path(project.records, DOI)
    assert held.read_text(encoding="utf-8") == ABSTRACT.read_text(encoding="utf-8")


def test_candidates_name_their_terms_quotes_sections_and_cues(accepted: Accepted) -> None:
    _, _, candidates, *_ = accepted
    text = normalise(ABSTRACT.read_text(encoding="utf-8"))
    kinds = {c["kind"] for c in candidates}
    assert kinds == {"component", "finding", "factor", "design", "population", "intervention"}
    for c in candidates:
        assert normalise(c["quote"]) in text and len(c["quote"].split()) <= 30
        assert c["section"] in ("Title", "Abstract") and c["cue"] and 0 < c["score"] <= 1
    bond = next(c for c in candidates if c["term"] == "wai-sr-bond")
    assert bond["details"]["result"] == {"value": 0.48, "kind": "cohens-d",
                                         "comparator": "waiting list"}


def test_accepted_facts_are_inferred_by_suggestion_with_curator_and_confidence(accepted: Accepted) -> None:
    _, run, _, first, *_ = accepted
    shown = json.loads(run("study", "show", DOI, "--format", "json").stdout)
    facts = {f["id"]: f for f in shown["facts"]}
    assert {"therapeutic-bond-wai-sr", "anonymity", "privacy-concerns",
            "design-randomised-controlled-trial", "therapeutic-bond",
            "facilitators-and-barriers"} == set(facts)
    for fact in facts.values():
        ev = fact["evidence"]
        assert (ev["inferred"], ev["source"], ev["verified"]) == (SUGGESTED, DOI, True)
        assert ev["confidence"] in ("high", "medium", "low")
        assert fact["added"]["by"] == "Ada Curator" and fact["added"]["at"]
    assert facts["anonymity"]["polarity"] == "facilitator"
    assert facts["privacy-concerns"]["polarity"] == "barrier"
    assert facts["therapeutic-bond-wai-sr"]["result"]["value"] == 0.48
    assert "Added" in first and f"{DOI}#anonymity" in first
    text = run("study", "show", DOI).output
    assert f"inferred: {SUGGESTED} (confidence: high)" in text
    record = Path(shown["path"]).read_text(encoding="utf-8")
    assert "&id" not in record and "*id" not in record  # no YAML anchors: written as by hand


def test_accepting_twice_adds_nothing_twice(accepted: Accepted) -> None:
    project, _, _, _, again, before = accepted
    assert "Added" not in again and "Already recorded" in again
    assert snapshot(project.records) == before


def test_accepted_facts_answer_queries_and_show_in_the_view(accepted: Accepted, tmp_path: Path) -> None:
    project, run, *_ = accepted
    studies = json.loads(run("studies", "--factor", "anonymity", "--scope", "living",
                             "--format", "json").stdout)
    assert [s["doi"] for s in studies] == [DOI]
    rows = json.loads(run("query", "run", "study-evidence", "-p", f"study={DOI}",
                          "--format", "json").stdout)
    assert rows and {r["inferred"] for r in rows} == {SUGGESTED}
    page = tmp_path / "focus.html"
    run("view", "-o", page, "--focus", DOI)
    assert SUGGESTED.replace("'", "\\u0027") in page.read_text(encoding="utf-8") or \
        SUGGESTED in page.read_text(encoding="utf-8")


def test_a_draft_written_then_imported_adds_its_facts_once(tmp_path: Path) -> None:
    project, run = new_project(tmp_path)
    draft = tmp_path / "draft.yaml"
    out = run("suggest", DOI, "--text", ABSTRACT, "--kind", "factor", "--write", draft).output
    assert "study import" in out
    data = yaml.safe_load(draft.read_text(encoding="utf-8"))
    assert data["doi"] == DOI and set(data) == {"doi", "factors"}
    assert {(f["concept"], f["polarity"]) for f in data["factors"]} >= {
        ("anonymity", "facilitator"), ("technical-errors", "barrier"),
        ("lack-of-human-connection", "barrier")}
    assert all(f["evidence"]["inferred"] == SUGGESTED for f in data["factors"])
    imported = run("study", "import", draft).output
    assert f"{len(data['factors']) + 1} fact(s) added" in imported  # and the F&B report
    shown = json.loads(run("study", "show", DOI, "--format", "json").stdout)
    assert {f["concept"] for f in shown["facts"] if f["kind"] == "FactorReport"} == \
        {f["concept"] for f in data["factors"]}
    before = snapshot(project.records)
    assert "0 fact(s) added" in run("study", "import", draft).output
    assert snapshot(project.records) == before


def _bad(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    if name == "empty.txt":
        path.write_text("  \n\n", encoding="utf-8")
    elif name == "binary.pdf":
        path.write_bytes(b"%PDF-1.7\x00\x01\x02\xff\xfe")
    elif name == "latin1.txt":
        path.write_bytes("Anonymität und Flexibilität".encode("latin-1"))
    elif name == "huge.txt":
        path.write_text("Anonymity helped. " * 120_000, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Callable[..., Any]]:
    """A project with the study added, for tests that show a refusal changes nothing."""
    return new_project(tmp_path_factory.mktemp("untouched"))


@pytest.mark.parametrize(("name", "says"), [
    ("empty.txt", "is binary or empty"), ("binary.pdf", "not UTF-8"),
    ("latin1.txt", "not UTF-8"), ("huge.txt", "larger than 2,000,000 bytes"),
    ("missing.txt", "cannot be read")])
def test_bad_texts_are_refused_in_one_line_and_change_nothing(
        untouched: tuple[Project, Callable[..., Any]], tmp_path: Path, name: str,
        says: str) -> None:
    project, run = untouched
    before = snapshot(project.records)
    for extra in ([], ["--accept", "1"], ["--write", tmp_path / "draft.yaml"]):
        one_line_error(run("suggest", DOI, "--text", _bad(tmp_path, name), *extra, ok=False),
                       says)
    assert snapshot(project.records) == before
    assert not (tmp_path / "draft.yaml").exists()


def test_a_quote_not_in_the_text_or_an_unknown_number_changes_nothing(tmp_path: Path) -> None:
    project, run = new_project(tmp_path)
    draft = tmp_path / "draft.yaml"
    run("suggest", DOI, "--text", ABSTRACT, "--kind", "design", "--write", draft)
    before = snapshot(project.records)
    one_line_error(run("suggest", DOI, "--text", ABSTRACT, "--accept", "999", ok=False),
                   "no candidate 999")
    one_line_error(run("suggest", DOI, "--text", ABSTRACT, "--accept", "1,x", ok=False),
                   "'x' is not a number")
    edited = draft.read_text(encoding="utf-8").replace("a randomized controlled trial",
                                                       "a randomised controlled trial")
    draft.write_text(edited, encoding="utf-8")
    one_line_error(run("study", "import", draft, ok=False), "not verbatim in the registered text")
    assert snapshot(project.records) == before


def test_yaml_and_table_show_the_same_candidates_as_json(accepted: Accepted) -> None:
    project, run, candidates, *_ = accepted
    before = snapshot(project.records)
    as_yaml = yaml.safe_load(run("suggest", DOI, "--text", ABSTRACT, "--format", "yaml").stdout)
    assert as_yaml == candidates
    table = run("suggest", DOI, "--text", ABSTRACT, "--kind", "factor").stdout
    assert "anonymity (facilitator)" in table and "wai-sr" not in table
    assert snapshot(project.records) == before  # the text is registered already: no write


def test_a_text_without_headings_needs_a_section_to_accept(
        untouched: tuple[Project, Callable[..., Any]], tmp_path: Path) -> None:
    project, run = untouched
    plain = tmp_path / "plain.txt"
    plain.write_text("Participants valued the anonymity of the chatbot.\n", encoding="utf-8")
    before = snapshot(project.records)
    one_line_error(run("suggest", DOI, "--text", plain, ok=False),  # its record quotes its title
                   "which the text given does not hold", "the title as its first line")
    assert snapshot(project.records) == before
    title = BIB.read_text(encoding="utf-8").split("title = {", 1)[1].split("}", 1)[0]
    plain.write_text(f"{title}\n\nParticipants valued the anonymity of the chatbot.\n",
                     encoding="utf-8")
    [candidate] = [c for c in json.loads(run("suggest", DOI, "--text", plain, "--kind", "factor",
                                             "--format", "json").stdout)]
    assert (candidate["term"], candidate["section"]) == ("anonymity", None)
    before = snapshot(project.records)
    one_line_error(run("suggest", DOI, "--text", plain, "--accept", candidate["number"],
                       ok=False), "has no section", "--section")
    assert snapshot(project.records) == before


def test_a_draft_is_never_written_into_the_records(
        untouched: tuple[Project, Callable[..., Any]]) -> None:
    project, run = untouched
    before = snapshot(project.records)
    for inside in (project.studies / "draft.yaml", project.records / "draft.yaml"):
        one_line_error(run("suggest", DOI, "--text", ABSTRACT, "--write", inside, ok=False),
                       "inside the records folder")
    assert snapshot(project.records) == before


@pytest.mark.parametrize(("fragment", "says"), [
    ("factors: []\n", "field 'doi': is missing"),
    (f"doi: {DOI}\nfriends: []\n", "field 'friends': is not a fact list"),
    (f"doi: {DOI}\nfactors: [anonymity]\n", "holds an item that is not a mapping"),
    ("doi: 10.2196/99999\nfactors: []\n", "no study has DOI"),
    (f"doi: {DOI}\nfactors: !!python/object:os.system ls\n", "")])
def test_a_bad_fragment_is_refused_in_one_line_and_changes_nothing(
        untouched: tuple[Project, Callable[..., Any]], tmp_path: Path, fragment: str,
        says: str) -> None:
    project, run = untouched
    draft = tmp_path / "draft.yaml"
    draft.write_text(fragment, encoding="utf-8")
    before = snapshot(project.records)
    one_line_error(run("study", "import", draft, ok=False), says)
    assert snapshot(project.records) == before
