"""The review keeps its 28 studies; a study imported later belongs to the living review, and
every count set beside the review's figures (check, the count queries, the gap map) counts only
the review's own studies."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from support.project import LIVING_BIB, LIVING_DOI

from dta_kg.cli import main
from dta_kg.core.iris import DTA, PREFIXES, agent_iri, review_iri, study_iri

PROV = PREFIXES["prov"]
SMITH = LIVING_DOI
BEATTY = "10.3389/fdgth.2022.847991"
BIB = LIVING_BIB
# a finding for every component, so that a count that wrongly took the new study would differ
FINDINGS = [
    ("bond", "bond scores rose by d=0.62 over four weeks"),
    ("goal alignment", "goals were agreed in the first session"),
    ("task agreement", "users agreed with the tasks the chatbot set"),
    ("engagement", "users sent a mean of 40 messages"),
]


@pytest.fixture(scope="module")
def living(tmp_path_factory):
    """A copy of the records with one 2025 study imported from BibTeX and given findings."""
    import shutil

    from support.project import RECORDS

    from dta_kg.core.paths import Project

    root = tmp_path_factory.mktemp("living")
    shutil.copytree(RECORDS, root / "records",
                    ignore=shutil.ignore_patterns("source", "README.md"))
    project = Project(records=root / "records", build=root / "build")
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, [str(a) for a in args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    bib = root / "june.bib"
    bib.write_text(BIB, encoding="utf-8")
    run("study", "import", bib, "--note", "June search")
    for component, quote in FINDINGS:
        run("finding", "add", SMITH, "--component", component, "--section", "Results",
            "--quote", quote)
    run("build")
    return project, run


@pytest.mark.slow
def test_the_review_still_includes_exactly_its_28_studies(living):
    project, _ = living
    graph = Graph().parse(project.build / "dta-kg.ttl")
    review = URIRef(review_iri())
    included = set(graph.objects(review, URIRef(DTA + "includesStudy")))
    assert len(included) == 28
    assert URIRef(study_iri(SMITH)) not in included
    assert URIRef(study_iri(BEATTY)) in included


def test_the_new_study_belongs_to_the_living_review_with_who_and_when(living):
    project, _ = living
    graph = Graph().parse(project.build / "dta-kg.ttl")
    smith = URIRef(study_iri(SMITH))
    livings = list(graph.subjects(RDF.type, URIRef(DTA + "LivingReview")))
    assert len(livings) == 1
    assert (livings[0], URIRef(DTA + "continuesReview"), URIRef(review_iri())) in graph
    assert set(graph.objects(livings[0], URIRef(DTA + "addsStudy"))) == {smith}
    assert (smith, URIRef(PROV + "wasAttributedTo"), URIRef(agent_iri("Ada Curator"))) in graph
    assert graph.value(smith, URIRef(PROV + "generatedAtTime")).datatype == XSD.dateTime
    assert (smith, URIRef(DTA + "studyScope"), Literal("living")) in graph
    assert (URIRef(study_iri(BEATTY)), URIRef(DTA + "studyScope"), Literal("review")) in graph


def test_check_the_count_queries_and_the_gap_map_agree_on_review_only_counts(living):
    project, run = living
    from dta_kg.views.gapmap import _header
    from dta_kg.views.source import gap_map_data

    notices = json.loads(run("check", "--format", "json"))["findings"]
    checked = {n["subject"]: n["curated"] for n in notices
               if n["check"] in ("studies-per-component", "studies-per-intervention-theme")}
    labels = {"goal-alignment": "goal alignment", "task-agreement": "task agreement",
              "therapeutic-bond": "therapeutic bond", "user-engagement": "user engagement",
              "facilitators-and-barriers": "facilitators and barriers"}
    for lang in ("sparql", "cypher"):
        rows = json.loads(run("query", "run", "studies-per-component", "--lang", lang,
                              "--format", "json"))
        assert {r["component"]: r["curated"] for r in rows} == \
            {labels[k]: v for k, v in checked.items() if k in labels}
        themes = json.loads(run("query", "run", "studies-per-intervention-theme", "--lang", lang,
                                "--format", "json"))
        assert sum(r["curated"] for r in themes) == sum(
            v for k, v in checked.items() if k not in labels)
    data = gap_map_data(project)
    assert SMITH in {s["doi"] for s in data["studies"]}
    for component in data["components"]:
        in_row = [s for s in data["studies"] if component in s["components"]]
        header = _header(component, in_row, data["stated_counts"])
        key = next(k for k, v in labels.items() if v == component.lower())
        assert header["review_count"] == checked[key]
        assert header["count"] == checked[key] + (component.lower() != "facilitators and barriers")


def test_studies_scope_lists_each_set_and_says_which(living):
    _, run = living
    new = json.loads(run("studies", "--scope", "living", "--format", "json"))
    assert [r["doi"] for r in new] == [SMITH]
    assert new[0]["study_set"] == "living"
    review = json.loads(run("studies", "--scope", "review", "--format", "json"))
    assert len(review) == 28 and {r["study_set"] for r in review} == {"review"}
    assert len(json.loads(run("studies", "--format", "json"))) == 29
    cypher = json.loads(run("studies", "--scope", "living", "--lang", "cypher", "--format", "json"))
    assert cypher == new
    bond = json.loads(run("query", "run", "studies-by-component", "-p", "component=bond",
                          "-p", "scope=living", "--format", "json"))
    assert [r["doi"] for r in bond] == [SMITH]


def test_an_unknown_scope_is_a_one_line_error(living):
    project, _ = living
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build)}
    result = CliRunner().invoke(main, ["query", "run", "studies-by-year", "-p", "scope=later"],
                                env=env)
    assert result.exit_code != 0
    assert "unknown scope 'later'" in result.output


def test_views_and_exports_take_a_scope(living, tmp_path):
    from rdflib import Graph as RDFGraph

    _, run = living
    run("export", "--format", "ttl", "--scope", "living", "-o", tmp_path / "living.ttl")
    graph = RDFGraph().parse(tmp_path / "living.ttl")
    assert set(graph.subjects(RDF.type, URIRef(DTA + "Study"))) == {URIRef(study_iri(SMITH))}
    assert not set(graph.subjects(URIRef(DTA + "aboutStudy"), URIRef(study_iri(BEATTY))))
    run("export", "--format", "ttl", "--scope", "review", "-o", tmp_path / "review.ttl")
    graph = RDFGraph().parse(tmp_path / "review.ttl")
    assert len(set(graph.subjects(RDF.type, URIRef(DTA + "Study")))) == 28
    assert not set(graph.subjects(URIRef(DTA + "aboutStudy"), URIRef(study_iri(SMITH))))
    run("export", "--format", "graphml", "--scope", "living", "-o", tmp_path / "living.graphml")
    text = (tmp_path / "living.graphml").read_text(encoding="utf-8")
    assert SMITH in text and BEATTY not in text
    run("view", "-o", tmp_path / "living.html", "--scope", "living")
    page = (tmp_path / "living.html").read_text(encoding="utf-8")
    assert SMITH in page and BEATTY not in page
