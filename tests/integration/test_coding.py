"""Every review study coded for intervention theme, design and population: quoted where the
review states it, else a curator's inference with a reason and a confidence; `dta-kg study set`
and `dta-kg restore` through the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.core.iris import DTA, agent_iri, fact_iri

JEONG = "10.1145/3568162.3578625"  # ref 39: "A robotic companion for psychological well-being"
PLAKUN = "10.1097/PRA.0000000000000748"  # ref 50: "Psychotherapy and artificial intelligence"
UNCODED = """
PREFIX dta: <https://w3id.org/dta-kg/ontology#>
SELECT ?doi ?kind WHERE {
  ?review dta:includesStudy ?study . ?study dta:shortCitation ?doi .
  VALUES ?kind { dta:InterventionReport dta:DesignReport dta:PopulationReport }
  FILTER NOT EXISTS {
    ?fact a ?kind ; dta:aboutStudy ?study .
    FILTER NOT EXISTS { ?fact dta:retracted true }
  }
}"""
INFERRED_WITHOUT_CONFIDENCE = """
PREFIX dta: <https://w3id.org/dta-kg/ontology#>
SELECT ?fact WHERE {
  ?review dta:includesStudy ?study .
  VALUES ?kind { dta:InterventionReport dta:DesignReport dta:PopulationReport }
  ?fact a ?kind ; dta:aboutStudy ?study ; dta:evidence ?ev .
  ?ev dta:curatorInference ?reason .
  FILTER NOT EXISTS { ?fact dta:inferenceConfidence ?level FILTER(?level IN ("high", "medium", "low")) }
}"""


@pytest.fixture
def run(project_copy):
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], env=env)

    return invoke


def test_every_review_study_is_coded_and_every_inference_has_a_reason_and_confidence(built_graph):
    assert list(built_graph.query(UNCODED)) == []
    assert list(built_graph.query(INFERRED_WITHOUT_CONFIDENCE)) == []
    levels = {str(o) for o in built_graph.objects(None, URIRef(DTA + "inferenceConfidence"))}
    assert levels == {"high", "medium", "low"}


def test_check_finds_the_coded_themes_at_the_reviews_counts(corpus):
    from dta_kg.curation.audit import audit_corpus

    notices = {n.subject: n for n in audit_corpus(corpus) if n.check == "coding"}
    # "AI-powered chatbots (n=12), digital psychotherapy (n=7), exploratory or review studies
    # (n=3), general AI health care tools (n=2), personalized therapy (n=2), and behavioral
    # change tools (n=2)": each of the 28 studies is placed, and the sums agree
    assert set(notices) == {"theme-distance"}
    assert notices["theme-distance"].curated == 0 and notices["theme-distance"].stated == 28


def test_study_set_replaces_a_coding_and_keeps_the_old_one_retracted(project_copy, run):
    result = run("study", "set", JEONG, "--design", "pilot study", "--section", "References",
                 "--quote", "A robotic companion for psychological well-being",
                 "--inferred", "a first deployment of the robot", "--confidence", "low")
    assert result.exit_code == 0, result.output
    assert f"{JEONG}#design-pilot-study" in result.output
    text = (project_copy.studies / "ref-39-jeong-2023.yaml").read_text(encoding="utf-8")
    assert "  - id: design-pilot-study\n    design: pilot-study\n" in text
    assert ('inferred: "a first deployment of the robot", confidence: low}' in text)
    assert "reason: \"replaced by design-pilot-study (dta-kg study set)\"" in text
    notices = json.loads(run("check", "--format", "json").output)["findings"]
    distance = next(n for n in notices if n["subject"] == "theme-distance")
    assert distance["curated"] == 0  # a design does not move the themes
    result = run("study", "set", PLAKUN, "--intervention-type", "AI-powered chatbots",
                 "--section", "References", "--quote", "Psychotherapy and artificial intelligence",
                 "--inferred", "AI in psychotherapy", "--confidence", "low")
    assert result.exit_code == 0, result.output
    notices = json.loads(run("check", "--format", "json").output)["findings"]
    distance = next(n for n in notices if n["subject"] == "theme-distance")
    assert distance["curated"] == 2 and distance["severity"] == "warning"  # 13 vs 12, 6 vs 7


@pytest.mark.parametrize("args,message", [
    (["--design", "pilot study", "--inferred", "a guess"], "field 'confidence'"),
    (["--design", "pilot study", "--confidence", "low"], "field 'inferred'"),
    (["--design", "pilot stdy"], "unknown design 'pilot stdy'"),
    ([], "nothing to set"),
    (["--population", "everyone", "--section", "References", "--quote", "not in the review"],
     "field 'quote'"),
])
def test_study_set_refuses_bad_input_in_one_line_and_changes_nothing(project_copy, run, args,
                                                                      message):
    before = snapshot(project_copy.records)
    quote = [] if "--quote" in args else ["--section", "References", "--quote",
                                          "A robotic companion for psychological well-being"]
    result = run("study", "set", JEONG, *args, *quote)
    assert result.exit_code != 0
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert snapshot(project_copy.records) == before


def test_restore_undoes_a_retraction_with_a_reason(project_copy, run):
    target = f"{PLAKUN}#privacy-concerns"
    assert run("retract", target, "--reason", "checking").exit_code == 0
    result = run("restore", target, "--reason", "the review names it as a hindrance")
    assert result.exit_code == 0, result.output
    text = (project_copy.studies / "ref-50-plakun-2023.yaml").read_text(encoding="utf-8")
    assert "retracted:" not in text.split("id: privacy-concerns", 1)[1].split("- id:", 1)[0]
    assert 'reason: "the review names it as a hindrance"}' in text
    again = run("restore", target, "--reason", "twice")
    assert again.exit_code != 0 and "is not retracted" in again.output
    assert run("build").exit_code == 0
    graph = Graph().parse(project_copy.build / "dta-kg.ttl")
    fact = URIRef(fact_iri(PLAKUN, "privacy-concerns"))
    assert (fact, URIRef(DTA + "retracted"), Literal(True)) not in graph
    assert (fact, URIRef(DTA + "restoredBy"), URIRef(agent_iri("Ada Curator"))) in graph
    assert str(graph.value(fact, URIRef(DTA + "restorationReason"))).startswith("the review")
    rows = json.loads(run("studies", "--factor", "privacy concerns", "--format", "json").output)
    assert PLAKUN in {r["doi"] for r in rows}


def test_every_record_is_byte_stable_on_a_round_trip():
    from support.project import RECORDS

    from dta_kg.curation.transaction import dump, yaml_rt

    for path in sorted((RECORDS / "studies").glob("*.yaml")) + [RECORDS / "review.yaml"]:
        text = path.read_text(encoding="utf-8")
        assert dump(yaml_rt().load(text)) == text, path.name
