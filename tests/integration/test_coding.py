"""Every review study coded for intervention theme, design and population: quoted where the
review states it, else a curator's inference with a reason and a confidence; `dta-kg study set`
and `dta-kg restore` through the CLI."""

from __future__ import annotations

import json
import re

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


# a word for people: a population says who took part, not what condition they have
PEOPLE = re.compile(r"\b(people|users?|patients|adults|adolescents|parents|elders|students|youth"
                    r"|professionals|therapists|clients)\b")
NAMES_AGENTS = re.compile(r"chatbots?|conversational agents?", re.IGNORECASE)


def test_every_population_names_people(corpus):
    populations = {s.doi: f.population for s in corpus.studies for f in s.populations
                   if not f.retracted}
    assert [doi for doi, text in populations.items() if not PEOPLE.search(text)] == []
    # ref 57: "A Cognitive Behavioral Therapy Chatbot (OTIS) for Health Anxiety Management"
    assert populations["10.2196/37877"] == "people with health anxiety"


def test_a_theme_reason_says_when_a_title_naming_chatbots_is_kept_out_of_the_chatbots(corpus):
    from dta_kg.curation.audit import active, review_studies

    studies = review_studies(corpus)
    named = {s.ref for s in studies if NAMES_AGENTS.search(s.title)}
    assert named == {20, 25, 37, 38, 40, 41, 43, 44, 51, 53, 55, 56, 57, 58, 59, 62}
    themes = {s.ref: active(s)["InterventionReport"][0] for s in studies}
    chatbots = {ref for ref, fact in themes.items() if fact.type == "ai-powered-chatbot"}
    assert chatbots < named and len(chatbots) == 12  # "AI-powered chatbots (n=12)"
    for ref in sorted(named - chatbots):  # 37, 43, 51, 55
        reason = themes[ref].evidence.inferred or ""
        # the reason names what the title says, and says why it is not among the chatbots
        assert NAMES_AGENTS.search(reason) and "among the AI-powered chatbots" in reason, ref
    # Russo 2018 [51]: conversational agents in its title, a theme chosen for the counts
    russo = themes[51]
    assert russo.evidence.inferred.startswith("chosen to make the review's per-theme counts add up")
    assert russo.evidence.confidence == "low"


def test_a_finding_is_no_surer_than_the_component_report_on_its_quote(corpus):
    """Goldberg 2022 [49]: the goal-alignment report and the DWAI finding rest on one sentence
    of Task Agreement, so both are inferences, with the same reason and confidence."""
    surer = []
    for s in corpus.studies:
        inferred = {(f.component, f.evidence.section, f.evidence.quote): f.evidence
                    for f in s.components if f.evidence.inferred}
        for f in s.findings:
            report = inferred.get((f.component, f.evidence.section, f.evidence.quote))
            if report is not None and not f.evidence.inferred:
                surer.append(f"{s.doi}#{f.id}")
    assert surer == []
    goldberg = next(s for s in corpus.studies if s.doi == "10.1177/10731911211015310")
    goal = next(f for f in goldberg.components if f.id == "goal").evidence
    finding = next(f for f in goldberg.findings if f.id == "goal-dwai").evidence
    assert (goal.quote, goal.inferred, goal.confidence) == \
        (finding.quote, finding.inferred, finding.confidence) != (finding.quote, None, None)


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
