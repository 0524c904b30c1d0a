"""Each slot's predicate in the project's namespace is declared in ontology/dta.ttl with the
slot's range (issue 25, item 2): a new field's slot fails here until the ontology says what it
is, so the ontology and the record schema cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from dta_kg.core.iris import expand
from dta_kg.core.paths import ONTOLOGY
from dta_kg.core.record_schema import DATATYPES, EVIDENCE, FIGURE, Slot, slots
from dta_kg.core.registry import RECORD_CLASSES
from dta_kg.core.vocabulary import KINDS

ONTOLOGY_GRAPH = Graph().parse(ONTOLOGY)


def record_slots() -> Iterator[tuple[str, Slot]]:
    """Every slot of every record class, nested records included, that names a dta: predicate."""
    todo, seen = list(RECORD_CLASSES), set()
    while todo:
        cls = todo.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        for s in slots(cls):
            if s.record is not None:
                todo.append(s.record)
            if s.predicate and s.predicate.startswith("dta:"):
                yield f"{cls.__name__}.{s.name}", s


def expected(s: Slot) -> tuple[URIRef, URIRef | None]:
    """The property type and rdfs:range the slot implies (None: no single range)."""
    if s.custom and s.range:  # its text names a node of that class (a candidate id -> its IRI)
        return OWL.ObjectProperty, URIRef(expand(s.range))
    if s.kind in DATATYPES:
        return OWL.DatatypeProperty, URIRef(expand(DATATYPES[s.kind]))
    if s.kind == FIGURE:  # a count or a text, as the review states it
        return OWL.DatatypeProperty, None
    if s.range:
        return OWL.ObjectProperty, URIRef(expand(s.range))
    assert s.vocab or s.kind == EVIDENCE, s
    classes = KINDS[s.vocab] if s.vocab else ()
    return OWL.ObjectProperty, URIRef(expand(f"dta:{classes[0]}")) if len(classes) == 1 else None


def test_the_schema_has_slots_to_check():
    assert len(list(record_slots())) >= 30


@pytest.mark.parametrize(("where", "slot"), list(record_slots()),
                         ids=lambda x: x if isinstance(x, str) else "")
def test_each_slot_predicate_is_declared_in_the_ontology_with_the_slot_range(where, slot):
    predicate = URIRef(expand(slot.predicate))
    kind, range_ = expected(slot)
    declared = set(ONTOLOGY_GRAPH.objects(predicate, RDF.type))
    assert kind in declared, f"{where}: dta.ttl must declare {slot.predicate} a {kind.n3()}"
    if range_ is not None:
        ranges = set(ONTOLOGY_GRAPH.objects(predicate, RDFS.range))
        assert range_ in ranges, f"{where}: dta.ttl must give {slot.predicate} rdfs:range {range_.n3()}"
