"""OWL RL inconsistencies are reported with the reasoner's own message (issue 13, defect 5)."""

from __future__ import annotations

import re

from dta_kg.pipeline.checks import run_reasoner

INCONSISTENT = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://example.org/> .
ex:Cat a owl:Class ; owl:disjointWith ex:Dog .
ex:Dog a owl:Class .
ex:rex a ex:Cat, ex:Dog .
"""


def test_an_inconsistency_is_reported_with_the_reasoners_message_not_a_blank_node_id():
    from rdflib import Graph

    problems = run_reasoner(Graph().parse(data=INCONSISTENT, format="turtle"))
    assert problems, "the reasoner found nothing"
    for problem in problems:
        assert problem.startswith("OWL RL inconsistency: ")
        message = problem.removeprefix("OWL RL inconsistency: ")
        assert not re.fullmatch(r"N[0-9a-f]+", message), problem
        assert "https://example.org/rex" in message or "disjoint" in message.lower(), problem


def test_a_consistent_ontology_has_no_problems():
    from rdflib import Graph

    graph = Graph().parse(data=INCONSISTENT.replace("ex:rex a ex:Cat, ex:Dog .", ""), format="turtle")
    assert run_reasoner(graph) == []
