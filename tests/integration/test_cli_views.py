"""`dta-kg view`, `map` and `docs` on the curated project, through click's CliRunner."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from markupsafe import escape
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from support.views import (
    BEATTY,
    BEATTY_ID,
    ID,
    PAYLOAD,
    assert_self_contained,
    island,
    ok,
    payload_ontology,
    runner_for,
    written,
)

from dta_kg.core.iris import DTA
from dta_kg.core.paths import ONTOLOGY
from dta_kg.views import render_result
from dta_kg.views.source import gap_map_data, load_projection

WAI_SR_BOND = {"10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"}


@pytest.fixture(scope="module")
def cli(built_project):
    return runner_for(built_project)


def nodes_of(path: Path) -> dict[str, dict]:
    return {n["id"]: n for n in island(path.read_text(encoding="utf-8"))["nodes"]}


def test_view_facts_writes_the_whole_graph_fact_by_fact(cli, tmp_path):
    (tmp_path / "views").mkdir()  # dta-kg makes no missing folder above an output
    page = written(cli("view", "-o", tmp_path / "views" / "graph.html", "--facts"))
    text = page.read_text(encoding="utf-8")
    assert_self_contained(text)
    data = island(text)
    kinds = [n["type"] for n in data["nodes"]]
    assert kinds.count("Study") == 28 and kinds.count("DTAComponent") == 5
    assert data["hidden"] == ["Agent"]  # the curators' node starts unticked in the legend
    assert data["focus"] == []
    assert not any(n["props"].get("retracted") for n in data["nodes"])
    beatty = next(n for n in data["nodes"] if n["id"] == BEATTY_ID)
    assert beatty["props"]["doi"] == BEATTY and beatty["props"]["quote"].startswith("25. Beatty")
    names = {n["name"] for n in data["nodes"] if n["type"] == "ComponentReport"}
    assert "therapeutic bond" in names  # a fact is named without its study, drawn beside it


def test_view_draws_an_overview_of_studies_and_concepts_with_facts_folded_into_edges(cli, tmp_path):
    data = island(written(cli("view", "-o", tmp_path / "graph.html")).read_text(encoding="utf-8"))
    kinds = Counter(n["type"] for n in data["nodes"])
    assert kinds["Study"] == 28 and kinds["DTAComponent"] == 5 and kinds["FactorConcept"] > 30
    assert not set(kinds) & {"ComponentReport", "Finding", "FactorReport", "Agent", "ReviewClaim"}
    assert all(n["shape"] == "box" and "x" in n and "y" in n for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == len(data["nodes"])  # no two share a place
    assert data["options"]["physics"]["enabled"] is False
    by_id = {n["id"]: n for n in data["nodes"]}
    # Beatty et al measured the bond with the WAI-SR: one edge, the finding's quote on it
    beatty_wai = [e for e in data["edges"] if e["from"] == BEATTY_ID and e["to"] == DTA + "wai-sr"]
    assert [e["label"] for e in beatty_wai] == ["measured with"]
    assert any("Beatty" in (f.get("quote") or "") or f["type"] == "Finding"
               for f in beatty_wai[0]["facts"])
    assert {e["label"] for e in data["edges"]} == {"informs", "measured with", "facilitator",
                                                  "barrier", "design", "intervention type"}
    assert all(by_id[e["from"]]["type"] == "Study" for e in data["edges"])
    assert all(f.get("quote") for e in data["edges"] for f in e["facts"])  # the evidence travels
    again = island(written(cli("view", "-o", tmp_path / "again.html")).read_text(encoding="utf-8"))
    assert again == data  # the same graph, the same page


def test_view_facts_and_focus_do_not_go_together(cli, tmp_path):
    result = cli("view", "-o", tmp_path / "g.html", "--facts", "--focus", "WAI-SR")
    assert result.exit_code != 0 and "--facts draws the whole graph" in result.output
    assert not (tmp_path / "g.html").exists()


@pytest.mark.parametrize("key,focus", [
    (BEATTY, BEATTY_ID),
    ("therapeutic bond", DTA + "therapeutic-bond"),
    ("WAI-SR", DTA + "wai-sr"),
    ("Working Alliance Inventory-Short Revised", DTA + "wai-sr"),
    ("accessibility and anonymity", DTA + "accessibility-and-anonymity"),
    ("chatbots' limited understanding of user needs",
     ID + "fact-10-3389-fdgth-2022-847991-limited-understanding"),
    ("speech recognition problems", DTA + "speech-recognition-problems"),
])
def test_view_focus_by_doi_component_instrument_or_factor(cli, tmp_path, key, focus):
    page = written(cli("view", "-o", tmp_path / "f.html", "--focus", key))
    data = island(page.read_text(encoding="utf-8"))
    assert data["focus"] == [focus]
    assert focus in {n["id"] for n in data["nodes"]}
    assert 1 < len(data["nodes"]) < 200


def test_focus_on_a_study_keeps_its_evidence_not_other_studies(cli, tmp_path):
    nodes = nodes_of(written(cli("view", "-o", tmp_path / "b.html", "--focus", BEATTY)))
    assert [n for n in nodes.values() if n["type"] == "Study"] == [nodes[BEATTY_ID]]
    quotes = " ".join(n["props"].get("quote", "") for n in nodes.values())
    assert "as measured by the WAI-SR subscale for the bond" in quotes
    assert DTA + "therapeutic-bond" in nodes and DTA + "wai-sr-bond" in nodes
    title = re.search(r"<title>(.*)</title>", (tmp_path / "b.html").read_text()).group(1)
    assert title == "dta-kg: Beatty et al 2022"


def test_depth_sets_how_far_the_focus_reaches(cli, tmp_path):
    near = nodes_of(written(cli("view", "-o", tmp_path / "1.html", "--focus", "bond",
                                "--depth", "1")))
    far = nodes_of(written(cli("view", "-o", tmp_path / "2.html", "--focus", "bond")))
    assert not any(n["type"] == "Study" for n in near.values())
    assert {n["type"] for n in near.values()} >= {"DTAComponent", "Finding", "ComponentReport"}
    assert set(near) < set(far)
    assert BEATTY_ID in far


def test_view_errors(cli, tmp_path):
    result = cli("view", "-o", tmp_path / "x.html", "--focus", "therapeutic bnd")
    assert result.exit_code == 2 and "did you mean: 'therapeutic bond'" in result.output
    result = cli("view", "-o", tmp_path / "x.html", "--depth", "1")
    assert result.exit_code == 2 and "--depth needs --focus" in result.output
    assert cli("view", "-o", tmp_path / "x.html", "--focus", "bond", "--depth", "0").exit_code == 2
    assert not (tmp_path / "x.html").exists()


def test_map_counts_match_the_queries_and_link_to_study_pages(cli, tmp_path):
    (tmp_path / "views").mkdir()
    page = written(cli("map", "-o", tmp_path / "views" / "gap-map.html"))
    text = page.read_text(encoding="utf-8")
    assert_self_contained(text)
    per_component = json.loads(ok(cli("query", "run", "studies-per-component")))
    for row in per_component:  # the row header: name, total, the review's count
        header = re.search(rf'<span class="name">{re.escape(row["component"])}</span>'
                           r'<span class="total">(\d+) stud', text)
        assert int(header.group(1)) == row["curated"]
        assert f'review: {row["stated"]}</span>' in text
    per_theme = json.loads(ok(cli("query", "run", "studies-per-intervention-theme")))
    for row in per_theme:
        assert re.search(rf'<span class="name">{re.escape(row["theme"])}</span>'
                         rf'<span class="total">{row["curated"]} stud', text)
    # every review study has an intervention theme, so components x themes has true gaps only;
    # a study that names no measure for a component leaves that row's measure cells not coded
    assert text.count('<td class="gap') >= 1 and text.count('<td class="uncoded"') > 20
    links = set(re.findall(r'href="(studies/[^"]+\.html)"', text))
    assert len(links) == 28 and all((page.parent / link).is_file() for link in links)
    beatty = page.parent / "studies" / "study-10-3389-fdgth-2022-847991.html"
    assert island(beatty.read_text(encoding="utf-8"))["focus"] == [BEATTY_ID]


def test_gap_map_data_comes_from_the_graph(built_project):
    data = gap_map_data(built_project)
    assert len(data["studies"]) == 28 and len(data["components"]) == 5
    assert len(data["intervention_types"]) == 6
    assert data["instruments"][:6] == ["DWAI", "EHTAI", "RTES", "therapeutic alliance score",
                                       "UES", "WAI-SR"]  # instruments, then metrics, frameworks
    assert {"continued use", "SMART"} <= set(data["instruments"])
    assert "WAI-SR bond subscale" in data["details"]["WAI-SR"]
    assert data["stated_counts"]["therapeutic bond"] == 12
    assert data["stated_counts"]["AI-powered chatbot"] == 12
    bond_wai_sr = {s["doi"] for s in data["studies"] for u in s["instrument_uses"]
                   if (u["component"], u["instrument"]) == ("therapeutic bond", "WAI-SR")}
    assert bond_wai_sr == WAI_SR_BOND  # the same as `dta-kg studies --component bond ...`


def test_a_query_result_is_viewed_around_the_nodes_it_names(built_project, tmp_path):
    from dta_kg.query.session import Session

    rows = Session(built_project).named("studies", {"component": "bond",
                                                    "instrument": "WAI-SR"}).rows
    pgraph = load_projection(built_project)
    page = render_result(pgraph, rows, tmp_path / "result.html", title="bond and WAI-SR")
    data = island(page.read_text(encoding="utf-8"))
    assert {n["props"]["doi"] for n in data["nodes"] if n["id"] in data["focus"]} == WAI_SR_BOND
    with pytest.raises(KeyError):
        render_result(pgraph, [{"n": 3, "x": "no such thing"}], tmp_path / "none.html", title="")


def test_views_leave_out_retracted_facts_and_build_when_stale(project_copy, tmp_path):
    run = runner_for(project_copy, DTA_KG_CURATOR="Ada Curator")
    ok(run("retract", BEATTY, "--reason", "duplicate publication"))
    result = run("view", "-o", tmp_path / "g.html")
    assert "rebuilding the graph first" in result.output  # no build yet: built on demand
    assert BEATTY_ID not in nodes_of(written(result))
    shown = nodes_of(written(run("view", "-o", tmp_path / "r.html", "--include-retracted")))
    assert shown[BEATTY_ID]["props"]["retracted"] == "True"
    text = written(run("map", "-o", tmp_path / "m.html")).read_text(encoding="utf-8")
    assert "Beatty et al 2022" not in text
    assert re.search(r'<span class="name">therapeutic bond</span><span class="total">9 stud', text)


def test_docs_cover_every_class_and_property_offline(cli, tmp_path):
    page = written(cli("docs", "-o", tmp_path / "docs"))
    assert page == tmp_path / "docs" / "index.html"
    text = page.read_text(encoding="utf-8")
    ontology = Graph().parse(ONTOLOGY)
    terms = [t for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
             for t in ontology.subjects(RDF.type, kind) if str(t).startswith(DTA)]
    assert len(terms) > 60
    for term in terms:
        assert f"<code>{term}</code>" in text, term
        assert escape(str(ontology.value(term, RDFS.label))) in text, term
    definition = str(ontology.value(URIRef(DTA + "Study"), SKOS.definition))
    assert escape(definition) in text
    assert "<title>dta-kg ontology: the digital therapeutic alliance</title>" in text
    assert 'http-equiv="Content-Security-Policy"' in text and "script-src 'none'" in text
    assert not re.search(r"<script[^>]*\ssrc=", text, re.I)
    assert not re.search(r"<link[^>]*\shref=[\"'](?!data:)", text, re.I)
    assert not re.search(r"\ssrc=[\"']?(?:https?:)?//", text, re.I)


def test_docs_escape_every_string(cli, tmp_path):
    evil = payload_ontology(tmp_path / "evil.ttl")
    text = written(cli("docs", "-o", tmp_path / "docs", "--ontology", evil)).read_text()
    assert PAYLOAD not in text and "<img" not in text and "<script>alert" not in text
    assert text.count(escape(PAYLOAD)) >= 4
    ld = re.search(r'<script id="schema.org" type="application/ld\+json">(.*?)</script>',
                   text, re.S).group(1)
    assert PAYLOAD in json.dumps(json.loads(ld), ensure_ascii=False)  # script-safe, still JSON


def test_docs_document_the_controlled_vocabulary(cli, tmp_path):
    index = written(cli("docs", "-o", tmp_path / "docs"))
    text = index.read_text(encoding="utf-8")
    assert '<a href="vocabulary.html">' in text
    assert not re.search(r"\bns\d+\b", text)  # the project's prefixes in the namespace table
    vocabulary = (tmp_path / "docs" / "vocabulary.html").read_text(encoding="utf-8")
    assert "WAI-SR" in vocabulary and "WAI-SR bond subscale" in vocabulary
    bond = vocabulary[vocabulary.index('<tr id="wai-sr-bond">'):]
    bond = bond[:bond.index("</tr>")]
    assert "subscale of Working Alliance Inventory-Short Revised" in bond
    assert "measures therapeutic bond" in bond
    for heading in ("DTA components", "Instruments", "Subscales", "Factor themes",
                    "Study designs", "Intervention types"):
        assert f">{heading} <small>" in vocabulary, heading
    assert "<td><code>dtar:</code></td><td><code>https://w3id.org/dta-kg/id/</code>" in vocabulary
    study = vocabulary[vocabulary.index('<h3 id="example-dta-Study">'):]
    study = study[:study.index("</pre>")]
    assert "dtar:study-10-3389-fdgth-2022-847991\n    a dta:Study ;" in study
    assert "dta:shortCitation &#34;Beatty et al 2022&#34;" in study
    for cls in ("dta-Finding", "dta-ReviewClaim", "dta-FactorReport", "oa-Annotation"):
        assert f'<h3 id="example-{cls}">' in vocabulary, cls
    assert "script-src 'none'" in vocabulary and "<script" not in vocabulary
    diagram = vocabulary[vocabulary.index('<h2 id="model">'):vocabulary.index("</svg>")]
    assert "<svg" in diagram and ">dta:IntegrativeReview</text>" in diagram
    assert ">dta:includesStudy</text>" in diagram and ">oa:Annotation</text>" in diagram


def test_docs_list_the_projects_own_classes_before_imported_ones(cli, tmp_path):
    text = written(cli("docs", "-o", tmp_path / "docs", "--no-examples")).read_text(encoding="utf-8")
    classes = text[text.index('<div class="section" id="classes">'):
                   text.index('<div class="section" id="objectproperties">')]
    entities = re.findall(r'<div class="property entity( imported)?" id="([^"]*)">', classes)
    own = [anchor for imported, anchor in entities if not imported]
    assert "Study" in own and "ClaimKind" in own and len(own) > 30
    assert [bool(imported) for imported, _ in entities] == sorted(bool(i) for i, _ in entities)
    ids = [anchor for _, anchor in entities]
    assert ids.index("ClaimKind") < ids.index("concept") < ids.index("researchpaper")
    assert own == sorted(own, key=str.casefold)  # by label, which is the name here
    assert text.count("<div") == text.count("</div>")
    for section in ("objectproperties", "datatypeproperties", "annotationproperties"):
        assert f'<div class="section" id="{section}">' in text


def test_docs_vocabulary_escapes_every_string(cli, tmp_path):
    from rdflib import Literal

    evil = payload_ontology(tmp_path / "evil.ttl")
    graph = Graph().parse(evil)  # the payload also as a component's synonym and definition
    bond = URIRef(DTA + "therapeutic-bond")
    graph.add((bond, SKOS.altLabel, Literal(PAYLOAD)))
    graph.set((bond, SKOS.definition, Literal(PAYLOAD)))
    graph.serialize(evil, format="turtle")
    cli("docs", "-o", tmp_path / "docs", "--ontology", evil)
    text = (tmp_path / "docs" / "vocabulary.html").read_text(encoding="utf-8")
    assert PAYLOAD not in text and "<img" not in text and "<script>alert" not in text
    assert text.count(escape(PAYLOAD)) >= 2


def test_query_run_view_draws_the_studies_the_result_names(cli, tmp_path):
    page = tmp_path / "bond.html"
    result = cli("query", "run", "studies", "-p", "component=bond", "-p", "instrument=WAI-SR",
                 "--format", "json", "--view", page)
    assert result.exit_code == 0, result.output
    assert {r["doi"] for r in json.loads(result.stdout)} == WAI_SR_BOND
    assert_self_contained(page.read_text(encoding="utf-8"))
    focused = {n["props"].get("doi") for n in nodes_of(page).values() if n.get("focus")}
    drawn = {n["props"].get("doi") for n in nodes_of(page).values()}
    assert WAI_SR_BOND <= drawn, focused


def test_query_run_view_of_a_result_naming_no_node_is_an_error(cli, tmp_path):
    result = cli("query", "run", "studies-by-year", "-p", "year_from=2099",
                 "--view", tmp_path / "prisma.html")
    assert result.exit_code == 1
    assert "--view" in result.output and "nothing to draw" in result.output
    assert not (tmp_path / "prisma.html").exists()
