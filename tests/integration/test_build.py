"""The build: golden graph, summary figures, PRISMA arithmetic, and refusal of invalid graphs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF

from dta_kg.cli import main
from dta_kg.core.iris import DTA
from dta_kg.core.paths import Project
from dta_kg.pipeline import build as build_module
from dta_kg.pipeline.build import build, data_graph, summarise

GOLDEN = Path(__file__).parents[1] / "fixtures" / "golden"


def test_golden_records_map_to_the_expected_graph():
    graph = data_graph(Project(records=GOLDEN / "records", build=GOLDEN / "unused"))
    expected = Graph().parse(GOLDEN / "expected.ttl")
    if not isomorphic(graph, expected):
        got, want = to_isomorphic(graph), to_isomorphic(expected)
        missing = sorted(str(t) for t in want - got)[:5]
        extra = sorted(str(t) for t in got - want)[:5]
        pytest.fail(f"graphs differ; missing {missing}; unexpected {extra}")


def test_summary_counts_the_review(built_graph):
    s = summarise(built_graph)
    assert (s.studies, s.reviews, s.components) == (28, 1, 5)
    assert s.instruments >= 6
    assert s.factor_reports >= 25
    assert s.facts == s.facts_with_evidence > 0
    assert s.triples_per_class["Study"] > 0 and s.triples_per_class["Finding"] > 0


PRISMA = """
PREFIX dta: <https://w3id.org/dta-kg/ontology#>
SELECT ?kind ?value WHERE { ?c a dta:ReviewClaim ; dta:claimKind ?k ; dta:claimedValue ?value .
  BIND(STRAFTER(STR(?k), "#") AS ?kind) FILTER(STRSTARTS(?kind, "prisma-")) }
"""


def test_prisma_figures_add_up(built_graph):
    n = {str(r.kind): int(r.value) for r in built_graph.query(PRISMA)}
    assert n["prisma-records-identified"] - n["prisma-duplicates-removed"] \
        == n["prisma-records-screened"]
    assert n["prisma-records-screened"] - n["prisma-excluded-at-screening"] \
        == n["prisma-full-text-assessed"]
    assert n["prisma-excluded-population"] + n["prisma-excluded-no-intervention"] \
        == n["prisma-excluded-at-screening"]
    studies = set(built_graph.subjects(RDF.type, URIRef(DTA + "Study")))
    assert n["prisma-included"] == len(studies) == 28


def test_build_writes_three_serialisations_of_one_graph(project_copy):
    summary = build(project_copy)
    ttl = Graph().parse(project_copy.build / "dta-kg.ttl")
    nt = Graph().parse(project_copy.build / "dta-kg.nt")
    jsonld = Graph().parse(project_copy.build / "dta-kg.jsonld", format="json-ld")
    assert len(ttl) == summary.triples
    assert isomorphic(ttl, nt) and isomorphic(ttl, jsonld)
    manifest = json.loads((project_copy.build / "manifest.json").read_text())
    assert manifest["studies"] == 28 and len(manifest["content_hash"]) == 64


def test_cli_build_prints_the_summary(project_copy):
    result = CliRunner().invoke(main, ["build", "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    assert result.exit_code == 0, result.output
    assert "studies 28, reviews 1, components 5" in result.output


def test_build_refuses_a_graph_that_breaks_a_shape(project_copy, monkeypatch):
    good = build_module.review_triples

    def with_untitled_study(review):
        yield from good(review)
        yield "https://w3id.org/dta-kg/id/study-bad", str(RDF.type), DTA + "Study"

    monkeypatch.setattr(build_module, "review_triples", with_untitled_study)
    result = CliRunner().invoke(main, ["build", "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    assert result.exit_code == 1
    assert "graph refused" in result.output and "study-bad" in result.output
    assert not project_copy.build.exists() or not any(project_copy.build.iterdir())


def test_validate_names_the_bad_record_and_writes_nothing(project_copy):
    path = next(project_copy.studies.glob("ref-44-*.yaml"))
    path.write_text(path.read_text().replace("year: 2022", "year: 20222"))
    result = CliRunner().invoke(main, ["validate", "--records", str(project_copy.records)])
    assert result.exit_code == 1
    assert path.name in result.output and "field 'year'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_retracted_fact_stays_in_the_graph_marked(built_graph):
    golden = data_graph(Project(records=GOLDEN / "records", build=GOLDEN / "unused"))
    retracted = list(golden.subjects(URIRef(DTA + "retracted"), Literal(True)))
    assert len(retracted) == 1
