"""Screening (issue 23): search exports imported with their duplicates marked, two screeners'
decisions, agreement, conflicts and their resolution, ranking, promotion and the PRISMA counts.

The fixtures in tests/fixtures/screening/ are one fictional search export of 40 records in four
formats (see make_exports.py for the deliberate duplicates)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project

FIXTURES = Path(__file__).parents[1] / "fixtures" / "screening"
EXPORTS = ("search.ris", "search.bib", "search.csv", "search.nbib")
BEATTY = "10.3389/fdgth.2022.847991"  # ref 25, record 38 of the export (with its DOI)
HE = "10.1186/s12889-022-13115-x"  # ref 38, record 39 of the export (no DOI: by title)
# what each duplicate of one export duplicates, and how it was found (make_exports.py)
WITHIN_ONE_EXPORT = {"s-35": ("s-3", "doi"), "s-36": ("s-7", "title"),
                     "s-37": ("s-12", "title"), "s-38": (BEATTY, "doi"), "s-39": (HE, "title")}


def run(project: Project, *args: str, curator: str = "Alice"):
    """`dta-kg ARGS` on `project`'s records and build folder, as `curator`."""
    depth = 3 if args[:2] == ("screen", "reason") else 2 if args[0] == "screen" else 1
    argv = [*args[:depth], "--records", str(project.records), "--build-dir", str(project.build),
            *args[depth:]]
    return CliRunner().invoke(main, argv, env={"DTA_KG_CURATOR": curator})


def import_export(project: Project, name: str, run_id: str, database: str = "Fictional DB"):
    result = run(project, "screen", "import", str(FIXTURES / name), "--database", database,
                 "--date", "2025-06-30", "--query", "alliance AND chatbot", "--run", run_id)
    assert result.exit_code == 0, result.output
    return result


def duplicates(project: Project) -> dict[str, tuple[str, str]]:
    from dta_kg.curation.screening import load_screening

    return {c.id: (c.duplicate_of or c.duplicate_of_study or "", c.duplicate_by or "")
            for r in load_screening(project).runs for c in r.candidates
            if c.duplicate_of or c.duplicate_of_study}


@pytest.mark.parametrize("name", EXPORTS)
def test_each_export_format_finds_the_same_duplicates_by_id(project_copy, name):
    result = import_export(project_copy, name, "s")
    assert "imported 40 records as search run s (5 duplicates)" in result.output
    assert duplicates(project_copy) == WITHIN_ONE_EXPORT


def test_the_four_exports_in_turn_are_duplicates_of_the_first_and_of_the_graph(project_copy):
    for name, rid in zip(EXPORTS, ("ris", "bib", "csv", "nbib"), strict=True):
        import_export(project_copy, name, rid)
    found = duplicates(project_copy)
    per_run = {rid: sum(c.startswith(f"{rid}-") for c in found) for rid in ("ris", "bib", "csv",
                                                                             "nbib")}
    assert per_run == {"ris": 5, "bib": 40, "csv": 40, "nbib": 40}
    # every duplicate points to an original: a first-export record or a study of the graph
    originals = {f"ris-{n}" for n in range(1, 35)} | {"ris-40", BEATTY, HE}
    assert {original for original, _ in found.values()} <= originals
    assert found["nbib-36"] == ("ris-7", "title")  # accented, upper-cased, no DOI
    assert found["csv-40"] == ("ris-40", "title")  # no DOI in either
    assert found["bib-35"] == ("ris-3", "doi")
    assert found["nbib-39"] == (HE, "title")


def test_importing_the_same_file_again_changes_nothing(project_copy):
    import_export(project_copy, "search.ris", "s")
    before = snapshot(project_copy.records)
    result = import_export(project_copy, "search.ris", "again")
    assert "unchanged: search.ris was imported already as search run s" in result.output
    assert snapshot(project_copy.records) == before


# Two screeners on 20 candidates (s-1 .. s-20), include or exclude at title-abstract:
#   both include: s-1..s-6 (6); both exclude: s-7..s-16 (10);
#   Alice include, Bob exclude: s-17, s-18, s-19 (3); Alice exclude, Bob include: s-20 (1).
# Observed agreement po = (6 + 10) / 20 = 0.8.
# Alice includes 9 of 20, Bob 7 of 20: chance agreement
#   pe = (9/20)(7/20) + (11/20)(13/20) = (63 + 143) / 400 = 0.515.
# kappa = (po - pe) / (1 - pe) = 0.285 / 0.485 = 0.58763 (to 5 places).
HAND_KAPPA = 0.285 / 0.485
ALICE = {**{f"s-{n}": "include" for n in (*range(1, 7), 17, 18, 19)},
         **{f"s-{n}": "exclude" for n in (*range(7, 17), 20)}}
BOB = {**{f"s-{n}": "include" for n in (*range(1, 7), 20)},
       **{f"s-{n}": "exclude" for n in range(7, 20)}}


def decisions_csv(path: Path, verdicts: dict[str, str]) -> Path:
    path.write_text("candidate,decision,stage\n" + "".join(
        f"{c},{v},title-abstract\n" for c, v in verdicts.items()), encoding="utf-8")
    return path


@pytest.fixture
def screened(project_copy, tmp_path) -> Project:
    """The RIS export imported as run s, then Alice's and Bob's decisions on s-1 .. s-20."""
    import_export(project_copy, "search.ris", "s")
    for who, verdicts in (("Alice", ALICE), ("Bob", BOB)):
        result = run(project_copy, "screen", "decide", "--file",
                     str(decisions_csv(tmp_path / f"{who}.csv", verdicts)), curator=who)
        assert result.exit_code == 0, result.output
    return project_copy


def test_two_screeners_kappa_matches_the_hand_computed_figure(screened):
    from dta_kg.curation.agreement import agreement
    from dta_kg.curation.screening import load_screening

    [pair] = agreement(load_screening(screened))
    assert (pair.stage, pair.first, pair.second, pair.both, pair.agreed) == \
        ("title-abstract", "Alice", "Bob", 20, 16)
    assert pair.kappa == pytest.approx(HAND_KAPPA, abs=1e-9)
    shown = run(screened, "screen", "status", "--format", "json")
    assert '"kappa": 0.588' in shown.output and '"both_decided": 20' in shown.output


def test_conflicts_are_listed_then_resolved_with_who_resolved_them(screened):
    listed = run(screened, "screen", "conflicts", "--format", "csv")
    assert [line.split(",")[0] for line in listed.output.splitlines()[1:]] == \
        ["s-17", "s-18", "s-19", "s-20"]
    assert "Alice: include; Bob: exclude" in listed.output
    result = run(screened, "screen", "resolve", "s-17", "include", curator="Carol")
    assert result.exit_code == 0, result.output
    assert "Carol resolved s-17 at title-abstract: include" in result.output
    listed = run(screened, "screen", "conflicts", "--format", "csv")
    assert "s-17" not in listed.output and "s-18" in listed.output
    text = (screened.screening / "decisions.yaml").read_text(encoding="utf-8")
    assert "by: \"Carol\"" in text and "resolves: true" in text


def test_bad_input_gets_one_line_and_leaves_the_records_byte_identical(screened, tmp_path):
    bad_ris = tmp_path / "bad.ris"
    bad_ris.write_text("TY  - JOUR\nTI  - A fictional title\nAU - Fictus, A\nER  - \n",
                       encoding="utf-8")
    before = snapshot(screened.records)
    cases = [
        (("screen", "import", str(bad_ris), "--database", "X", "--date", "2025-06-30",
          "--query", "q"), ("bad.ris", "line 3", "is not an RIS tag line")),
        (("screen", "decide", "s-21", "include", "--stage", "abstract-only"),
         ("decisions.yaml", "s-21", "unknown stage 'abstract-only'")),
        (("screen", "decide", "s-999", "include"), ("no candidate has id 's-999'",)),
        (("screen", "decide", "s-1", "exclude", "--stage", "full-text"),
         ("s-1", "field 'reason'", "an exclusion at full text needs a reason")),
        (("screen", "decide", "s-35", "include"), ("'s-35' is a duplicate of s-3",)),
        (("screen", "decide", "s-21", "include", "--reason", "not-empirical"),
         ("a reason is given for 'include'",)),
        (("screen", "decide", "s-21", "exclude", "--reason", "too-long"),
         ("unknown exclusion reason 'too-long'",)),
        (("screen", "resolve", "s-1", "include"), ("has no open conflict",)),
        (("screen", "decide", "s-7", "include", "--stage", "full-text"),
         ("is exclude at title-abstract",)),
        (("screen", "promote", "s-1"), ("is undecided at full text",)),
    ]
    for args, parts in cases:
        one_line_error(run(screened, *args), *parts)
        assert snapshot(screened.records) == before, args


def test_a_bad_row_in_a_decisions_file_writes_none_of_them(screened, tmp_path):
    before = snapshot(screened.records)
    rows = tmp_path / "rows.csv"
    rows.write_text("candidate,decision\ns-21,include\ns-22,perhaps\n", encoding="utf-8")
    one_line_error(run(screened, "screen", "decide", "--file", str(rows), curator="Carol"),
                   "s-22", "unknown decision 'perhaps'")
    assert snapshot(screened.records) == before


def test_next_ranks_the_alliance_records_above_the_off_topic_ones(project_copy, tmp_path):
    from dta_kg.curation.screening import next_candidates

    import_export(project_copy, "search.ris", "s")
    # s-1 .. s-12 are about the alliance with chatbots, s-13 .. s-34 off topic (make_exports.py)
    verdicts = {**{f"s-{n}": "include" for n in range(1, 5)},
                **{f"s-{n}": "exclude" for n in range(13, 21)}}
    result = run(project_copy, "screen", "decide", "--file",
                 str(decisions_csv(tmp_path / "some.csv", verdicts)))
    assert result.exit_code == 0, result.output
    ranked = [c.id for c, _ in next_candidates(project_copy, limit=100)]
    assert sorted(ranked) == sorted(f"s-{n}" for n in (*range(5, 13), *range(21, 35), 40))
    relevant = {f"s-{n}" for n in range(5, 13)}
    assert set(ranked[:8]) == relevant, ranked


@pytest.mark.slow
def test_promote_keeps_the_link_to_candidate_and_search_run(screened):
    from dta_kg.pipeline.build import build, validate_graph
    from dta_kg.query.session import Session

    for who in ("Alice", "Bob"):
        result = run(screened, "screen", "decide", "s-2", "include", "--stage", "full-text",
                     curator=who)
        assert result.exit_code == 0, result.output
    build(screened)  # fresh stores: the promotion is checked and written in place
    result = run(screened, "screen", "promote", "s-2")
    assert result.exit_code == 0, result.output
    linked = run(screened, "cypher", "MATCH (s:Study)-[:SCREENED_AS]->(c:ScreeningCandidate)"
                 "-[:WAS_GENERATED_BY]->(r:SearchRun) RETURN s.doi AS doi, r.searchDatabase AS db",
                 "--format", "csv")
    assert linked.output.splitlines()[1:] == ["10.99999/fict.2023.002,Fictional DB"], linked.output
    rows = Session(screened).named("studies-by-year", {"year_from": "2023", "scope": "living"},
                                   "sparql").rows
    assert [r["doi"] for r in rows] == ["10.99999/fict.2023.002"]
    [path] = [p for p in screened.studies.glob("*.yaml") if "candidate: s-2" in p.read_text()]
    graph = validate_graph(screened)
    rows = list(graph.query("""
        PREFIX dta: <https://w3id.org/dta-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX bibo: <http://purl.org/ontology/bibo/>
        SELECT ?doi ?scope ?database WHERE {
          ?study dta:screenedAs ?c ; bibo:doi ?doi ; dta:studyScope ?scope .
          ?c prov:wasGeneratedBy ?run . ?run dta:searchDatabase ?database .
        }"""))
    assert [tuple(map(str, r)) for r in rows] == [("10.99999/fict.2023.002", "living",
                                                   "Fictional DB")]
    one_line_error(run(screened, "screen", "promote", "s-2"), "already recorded")
    assert path.exists()


def test_screening_records_are_in_the_rdf_graph_with_who_and_when(screened):
    from dta_kg.pipeline.build import validate_graph

    graph = validate_graph(screened)  # SHACL, QC and the reasoner pass
    [[runs, candidates, duplicates_, decisions, screeners]] = [tuple(int(v) for v in r) for r in
                                                               graph.query("""
        PREFIX dta: <https://w3id.org/dta-kg/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT (COUNT(DISTINCT ?run) AS ?runs) (COUNT(DISTINCT ?c) AS ?cs)
               (COUNT(DISTINCT ?dup) AS ?dups) (COUNT(DISTINCT ?d) AS ?ds)
               (COUNT(DISTINCT ?who) AS ?whos) WHERE {
          { ?run a dta:SearchRun . dta:SearchRun rdfs:subClassOf prov:Activity }
          UNION { ?c a dta:ScreeningCandidate ; prov:wasGeneratedBy ?r }
          UNION { ?dup dta:duplicateOf|dta:duplicateOfStudy ?o }
          UNION { ?d a dta:ScreeningDecision ; prov:used ?x ; prov:wasAssociatedWith ?who ;
                     prov:endedAtTime ?t . dta:ScreeningDecision rdfs:subClassOf prov:Activity }
        }""")]
    assert (runs, candidates, duplicates_, decisions, screeners) == (1, 40, 5, 40, 2)


def test_living_flow_counts_follow_the_screening_records(screened, tmp_path):
    from dta_kg.curation.flow import living_flow
    from dta_kg.curation.screening import load_screening

    for who in ("Alice", "Bob"):
        rows = tmp_path / f"ft-{who}.csv"
        rows.write_text("candidate,decision,stage,reason\n"
                        "s-1,include,full-text,\ns-2,exclude,full-text,not-empirical\n"
                        "s-3,exclude,full-text,not-retrieved\n", encoding="utf-8")
        assert run(screened, "screen", "decide", "--file", str(rows), curator=who).exit_code == 0
    flow = living_flow(load_screening(screened))
    assert flow.databases == [("Fictional DB", 40)]
    assert (flow.identified, flow.duplicates, flow.screened, flow.excluded_screening) == \
        (40, 5, 16, 10)  # 20 decided less the 4 conflicts; both excluded s-7 .. s-16
    assert (flow.sought, flow.not_retrieved, flow.assessed, flow.included) == (6, 1, 2, 1)
    assert flow.full_text_reasons == [("Not an empirical study", 1)]
    assert flow.awaiting == (35 - 16) + (6 - 3)  # 19 not screened or in conflict, 3 sought


def test_the_named_query_gives_the_diagram_counts_in_both_languages(screened, tmp_path):
    from dta_kg.curation.flow import living_flow
    from dta_kg.curation.screening import load_screening
    from dta_kg.pipeline.build import build
    from dta_kg.query.session import Session

    rows = tmp_path / "ft.csv"
    rows.write_text("candidate,decision,stage,reason\ns-1,include,full-text,\n"
                    "s-2,exclude,full-text,not-empirical\ns-3,exclude,full-text,not-retrieved\n"
                    "s-21,exclude,,wrong-population\n", encoding="utf-8")
    for who in ("Alice", "Bob"):
        assert run(screened, "screen", "decide", "--file", str(rows), curator=who).exit_code == 0
    build(screened)
    flow = living_flow(load_screening(screened))
    expected = [
        ("records identified", flow.identified),
        *((f"records identified: {db}", n) for db, n in flow.databases),
        ("duplicates removed", flow.duplicates), ("records screened", flow.screened),
        ("records excluded", flow.excluded_screening),
        *((f"records excluded: {label}", n) for label, n in flow.screening_reasons),
        ("reports sought for retrieval", flow.sought), ("reports not retrieved", flow.not_retrieved),
        ("reports assessed for eligibility", flow.assessed),
        *((f"reports excluded: {label}", n) for label, n in flow.full_text_reasons or []),
        ("studies included", flow.included)]
    assert expected[:6] == [("records identified", 40), ("records identified: Fictional DB", 40),
                            ("duplicates removed", 5), ("records screened", 17),
                            ("records excluded", 11),
                            ("records excluded: Not the target population", 1)]
    session = Session(screened)
    for lang in ("sparql", "cypher"):
        got = session.named("screening-flow", {}, lang).rows
        assert [(r["step"], r["value"]) for r in got] == expected, lang


def test_review_flow_is_the_review_stated_figures(project_copy):
    from dta_kg.curation.flow import review_flow
    from dta_kg.loaders.records import read_review
    from dta_kg.loaders.terms import project_vocabulary

    flow = review_flow(read_review(project_copy.review, project_vocabulary(project_copy)))
    assert (flow.identified, flow.duplicates, flow.screened, flow.excluded_screening,
            flow.assessed, flow.included) == (1294, 203, 1091, 806, 285, 28)
    assert flow.screening_reasons == [("Not targeting the specific population", 307),
                                      ("No psychotherapeutic intervention", 499)]
    assert flow.sought is None and flow.full_text_reasons is None  # the review does not say
    assert flow.quotes["identified"] == "The literature review initially identified 1294 articles."


def test_exclusion_reasons_can_be_extended(project_copy):
    result = run(project_copy, "screen", "reason", "add", "no-chatbot", "No conversational agent")
    assert result.exit_code == 0, result.output
    listed = run(project_copy, "screen", "reason", "list", "--format", "csv")
    assert "no-chatbot,No conversational agent" in listed.output
    one_line_error(run(project_copy, "screen", "reason", "add", "no-chatbot", "again"),
                   "already exists")


def test_prisma_writes_svg_and_refuses_other_names(project_copy, tmp_path):
    out = tmp_path / "flow.svg"
    result = run(project_copy, "prisma", "--scope", "review", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert 'data-count="identified" font-weight="bold">1294<' in text
    one_line_error(run(project_copy, "prisma", "-o", str(tmp_path / "flow.png")), ".svg or .html")
    shutil.rmtree(project_copy.screening)  # a records folder from before screening existed
    result = run(project_copy, "prisma", "--scope", "living", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert 'data-count="identified" font-weight="bold">0<' in out.read_text(encoding="utf-8")


def test_diff_counts_search_runs_and_candidates_screened_and_included_since(project_copy,
                                                                           tmp_path):
    from dta_kg.pipeline.build import build
    from dta_kg.site.diff import diff, markdown
    from dta_kg.site.snapshot import read_path

    before = Project(records=project_copy.records, build=tmp_path / "before")
    build(before)
    import_export(project_copy, "search.ris", "s")
    rows = tmp_path / "d.csv"
    rows.write_text("candidate,decision,stage,reason\ns-1,include,,\ns-2,exclude,,\n"
                    "s-1,include,full-text,\n", encoding="utf-8")
    assert run(project_copy, "screen", "decide", "--file", str(rows)).exit_code == 0
    after = Project(records=project_copy.records, build=tmp_path / "after")
    build(after)
    changes = diff(read_path(before.build), read_path(after.build), "1.0.0", "1.1.0")
    assert {k: v for k, v in changes.counts().items() if k.startswith(("search", "candidates",
                                                                         "screening"))} == {
        "search runs added": 1, "candidates added": 40, "candidates screened": 2,
        "candidates included": 1, "screening decisions added": 3}
    text = markdown(changes)
    assert "| candidates included | 1 |" in text
    assert "- s: Fictional DB, searched 2025-06-30: 40 records identified, 5 duplicates" in text
    assert changes.studies_added == [] and changes.facts == []


@pytest.mark.slow
def test_the_readme_worked_example_runs_as_written(tmp_path, monkeypatch):
    """Every command of the README's worked example, run as written from a folder holding
    examples/ (`dta-kg init` copies the shipped records)."""
    import re
    import shlex

    from dta_kg.core.paths import PACKAGE_ROOT

    readme = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- screening:start -->")[1].split("<!-- screening:end -->")[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1).replace("\\\n", " ")
    shutil.copytree(PACKAGE_ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    env = {"DTA_KG_BUILD": str(tmp_path / "build")}
    outputs = []
    for line in block.splitlines():
        for command in line.split("&&"):
            words = shlex.split(command, comments=True)
            if not words:
                continue
            if words[0] == "export":
                env.update(w.split("=", 1) for w in words[1:])
                continue
            given = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
            args = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
            assert args[0] == "dta-kg", line
            result = CliRunner().invoke(main, args[1:], env={**env, **given})
            assert result.exit_code == 0, (line, result.output)
            outputs.append(result.output)
    text = "\n".join(outputs)
    assert "imported 5 records as search run scopus-2025-06-30 (3 duplicates)" in text
    assert "duplicate  scopus-2025-06-30-5  of pubmed-2025-06-30-1  (same title)" in text
    assert '"screeners": "Alice / Bob", "both_decided": 8, "agreed": 7, "kappa": 0.75' in text
    flow = (tmp_path / "flow.html").read_text(encoding="utf-8")
    assert 'data-count="total-included" font-weight="bold">30<' in flow
    assert '"step": "studies included", "value": 2' in text


BAD_EXPORTS = {  # file name -> (bytes, words the one-line error holds)
    "binary.ris": (b"TY  - JOUR\x00\x01", "is binary"),
    "latin1.csv": ("title\nCaf\xe9 study\n".encode("latin-1"), "is not UTF-8 text"),
    "empty.ris": (b"", "holds no records"),
    "truncated.ris": (b"TY  - JOUR\nTI  - A fictional title\n", "has no 'ER  -' end tag"),
    "wrapped.ris": (b"TY  - JOUR\nTI  - A title\nnot a tag\nER  - \n", "line 3"),
    "notitle.csv": (b"doi,year\n10.99999/x,2024\n", "has no 'title' column"),
    "cells.csv": (b"title,year\nA fictional title,2024,extra\n", "more cells than the header"),
    "baddoi.csv": (b"title,doi\nA fictional title,doi:not-a-doi\n", "is not a DOI"),
    "badyear.csv": (b"title,year\nA fictional title,1066\n", "is not a possible publication year"),
    "notitle.ris": (b"TY  - JOUR\nPY  - 2024\nER  - \n", "field 'title': is empty"),
    "garbage.nbib": (b"PMID- 1\nTI  - A title\n<html>\n", "is not a MEDLINE line"),
    "broken.bib": (b"@article{key,\n  title = {A fictional title\n", "malformed"),
    "unknown.txt": (b"<xml/>", "is neither RIS, BibTeX, CSV nor MEDLINE"),
}


@pytest.mark.parametrize("name", sorted(BAD_EXPORTS))
def test_a_bad_export_gets_one_line_naming_the_file(project_copy, tmp_path, name):
    raw, words = BAD_EXPORTS[name]
    (tmp_path / name).write_bytes(raw)
    before = snapshot(project_copy.records)
    result = run(project_copy, "screen", "import", str(tmp_path / name), "--database", "X",
                 "--date", "2025-06-30", "--query", "q")
    one_line_error(result, name, words)
    assert snapshot(project_copy.records) == before


def test_list_and_dry_run(project_copy):
    before = snapshot(project_copy.records)
    result = run(project_copy, "screen", "import", str(FIXTURES / "search.csv"), "--database",
                 "X", "--date", "2025-06-30", "--query", "q", "--run", "s", "--dry-run")
    assert "would import 40 records as search run s (5 duplicates)" in result.output
    assert snapshot(project_copy.records) == before
    import_export(project_copy, "search.csv", "s")
    listed = run(project_copy, "screen", "list", "--format", "csv").output.splitlines()
    assert len(listed) == 1 + 35 and listed[0].startswith("id,year,title,doi,duplicate_of")
    listed = run(project_copy, "screen", "list", "--duplicates", "--format", "csv").output
    assert len(listed.splitlines()) == 1 + 40 and "s-36,2024," in listed


def ris(records: list[tuple[str, int, str]]) -> str:
    """An RIS export of (title, year, abstract) records with no DOI."""
    return "".join(f"TY  - JOUR\nTI  - {t}\nPY  - {y}\nAB  - {a}\nER  - \n\n"
                   for t, y, a in records)


def test_a_study_retitled_after_an_import_is_matched_by_its_new_title(project_copy, tmp_path):
    """The studies' titles are kept in the build folder between imports, by each record's
    bytes: a record changed since is read again, so its new title finds its duplicate and the
    old one no longer does."""
    import_export(project_copy, "search.ris", "s")
    assert duplicates(project_copy)["s-39"] == (HE, "title")
    record = project_copy.studies / "ref-38-he-2022.yaml"
    old = "Can chatbots help to motivate smoking cessation? A study on the effectiveness of " \
          "motivational interviewing on engagement and therapeutic alliance"
    new = "Motivational interviewing by a fictional chatbot and the therapeutic alliance"
    record.write_text(record.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    export = tmp_path / "again.ris"
    export.write_text(ris([(new.upper(), 2022, "Renamed."), (old, 2022, "The old title.")]),
                      encoding="utf-8")
    result = run(project_copy, "screen", "import", str(export), "--database", "X", "--date",
                 "2025-07-01", "--query", "q", "--run", "t")
    assert result.exit_code == 0, result.output
    found = duplicates(project_copy)
    assert found["t-1"] == (HE, "title") and "t-2" not in found


def test_a_search_run_larger_than_a_study_record_may_be_imported_and_read(project_copy,
                                                                        tmp_path):
    """A search run holds its export's records: 10,000 of them pass the 2 MB a study record
    may have, and the run is still written, read and counted."""
    from dta_kg.core.limits import RECORD_BYTES
    from dta_kg.curation.screening import load_screening

    export = tmp_path / "large.ris"
    export.write_text(ris([(f"Fictional record {n} on the alliance", 2024, "x" * 2000)
                           for n in range(1100)]), encoding="utf-8")
    result = run(project_copy, "screen", "import", str(export), "--database", "X", "--date",
                 "2025-07-01", "--query", "q", "--run", "large")
    assert result.exit_code == 0, result.output
    written = project_copy.screening / "runs" / "large.yaml"
    assert written.stat().st_size > RECORD_BYTES
    [large] = load_screening(project_copy).runs
    assert len(large.candidates) == 1100 and large.candidates[-1].id == "large-1100"
