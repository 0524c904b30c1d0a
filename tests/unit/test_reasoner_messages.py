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


def test_an_ontology_file_is_reasoned_over_once_per_text(tmp_path, monkeypatch):
    from dta_kg.pipeline import checks

    calls = []
    real = checks.run_reasoner
    monkeypatch.setattr(checks, "run_reasoner", lambda graph: calls.append(len(graph)) or real(graph))
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(INCONSISTENT, encoding="utf-8")
    first = checks.ontology_problems(ontology)
    assert first and first == checks.ontology_problems(ontology)
    assert len(calls) == 1, "the same text was reasoned over again"
    ontology.write_text(INCONSISTENT.replace("ex:rex a ex:Cat, ex:Dog .", ""), encoding="utf-8")
    assert checks.ontology_problems(ontology) == []  # a changed file is reasoned over anew
    assert len(calls) == 2


def test_the_shipped_ontology_is_not_reasoned_over_while_its_generated_answer_names_it(
        tmp_path, monkeypatch):
    import functools
    import json

    from dta_kg.core.paths import ONTOLOGY
    from dta_kg.pipeline import checks

    calls = []
    real = checks.run_reasoner
    monkeypatch.setattr(checks, "run_reasoner", lambda graph: calls.append(len(graph)) or real(graph))
    assert checks.ontology_problems(ONTOLOGY) == []
    assert calls == [], "the generated answer names the shipped ontology's bytes"
    # an answer naming other bytes (the ontology edited, `make generate` not run) is not used
    stale = tmp_path / "reasoned.json"
    answer = json.loads(checks.REASONED.read_text(encoding="utf-8"))
    stale.write_text(json.dumps({**answer, "sha256": "0" * 64, "owl_rl_problems": ["stale"]}))
    monkeypatch.setattr(checks, "REASONED", stale)
    # an answer this process already reasoned out (`make generate` in a test) is not counted
    monkeypatch.setattr(checks, "_reasoned", functools.cache(checks._reasoned.__wrapped__))
    assert checks.ontology_problems(ONTOLOGY) == [] and len(calls) == 1
    for broken in ("not json", "[]", '{"sha256": 1, "owl_rl_problems": []}',
                   json.dumps({**answer, "owl_rl_problems": "none"})):
        stale.write_text(broken)
        assert checks.ontology_problems(ONTOLOGY) == []  # reasoned over (once per process)
