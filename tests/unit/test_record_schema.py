"""The record schema is defined once (the slots of `dta_kg.core.model`): the keys a record may
hold, the triples it becomes and the SHACL shapes all follow it."""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF
from support.project import RECORDS

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import expand, fact_iri
from dta_kg.core.model import STUDY_FACTS, Fact, Review, Study
from dta_kg.core.paths import SHAPES
from dta_kg.core.record_schema import record_keys, slots
from dta_kg.loaders.records import study_from_data
from dta_kg.loaders.terms import load_vocabulary, read_instruments
from dta_kg.loaders.triples import study_triples
from dta_kg.loaders.yaml_io import read_yaml

SH = Namespace("http://www.w3.org/ns/shacl#")
STUDIES_DIR = RECORDS / "studies"


def _shape_paths(target: str) -> set[str]:
    shapes = Graph().parse(SHAPES)
    node = next(shapes.subjects(SH.targetClass, URIRef(expand(target))))
    return {str(shapes.value(p, SH.path)) for p in shapes.objects(node, SH.property)}


@pytest.mark.parametrize("cls", [Study, Review, *STUDY_FACTS], ids=lambda c: c.__name__)
def test_every_mapped_field_has_a_shape(cls):
    inherited = {s.name for s in slots(Fact)} if issubclass(cls, Fact) else set()
    mapped = {expand(s.predicate) for s in slots(cls)
              if s.predicate and s.shape and s.name not in inherited}
    assert mapped <= _shape_paths(f"dta:{cls.rdf_class}")


def test_a_fields_triple_follows_its_slot():
    """Each scalar field of a fact becomes the triple its slot names, nothing else."""
    vocab = load_vocabulary()
    path = sorted(STUDIES_DIR.glob("ref-25-*.yaml"))[0]
    study = study_from_data(read_yaml(path), path, vocab)
    triples = set(study_triples(study, "https://example.org/review"))
    for fact in study.facts():
        node = fact_iri(study.doi, fact.id)
        for s in slots(type(fact)):
            value = getattr(fact, s.name)
            if s.predicate and not s.custom and isinstance(value, str):
                assert any(t[0] == node and t[1] == expand(s.predicate) for t in triples), s


def test_unknown_key_error_lists_the_schemas_keys(tmp_path):
    vocab = load_vocabulary()
    path = sorted(STUDIES_DIR.glob("ref-25-*.yaml"))[0]
    data = read_yaml(path)
    data["findings"][0]["instrumnet"] = "wai-sr"
    with pytest.raises(RecordError) as err:
        study_from_data(data, path, vocab)
    assert "findings[0].instrumnet" in str(err.value) and "did you mean 'instrument'" in str(err.value)


def test_record_files_write_keys_in_the_schemas_order():
    """The curated files follow the schema's key order, the order `put` keeps for curators."""
    order = record_keys(Study)
    for path in sorted(STUDIES_DIR.glob("*.yaml")):
        keys = list(read_yaml(path))
        assert keys == sorted(keys, key=order.index), path.name


def test_shapes_graph_types_every_generated_shape():
    shapes = Graph().parse(SHAPES)
    for prop in set(shapes.objects(None, SH.property)):
        assert (prop, RDF.type, SH.PropertyShape) in shapes, prop


INSTRUMENT = """instruments:
  - id: chatbot-alliance-scale
    label: Chatbot Alliance Scale
    definition: A scale of the alliance with a chatbot.
    {measures_key}: [therapeutic-bond]
    evidence: {{source: 10.2196/70001, section: Methods, quote: "the Chatbot Alliance Scale"}}
"""


def test_instrument_records_follow_the_schema_too(tmp_path):
    """records/instruments.yaml is read by the same schema: a misspelt key is refused (it was
    dropped silently before), a correct one gives the curated term."""
    vocab = load_vocabulary()
    path = tmp_path / "instruments.yaml"
    path.write_text(INSTRUMENT.format(measures_key="measures"), encoding="utf-8")
    (term,) = read_instruments(path, vocab)
    assert (term.term.id, term.term.measures) == ("chatbot-alliance-scale", ("therapeutic-bond",))
    path.write_text(INSTRUMENT.format(measures_key="measure"), encoding="utf-8")
    with pytest.raises(RecordError) as err:
        read_instruments(path, vocab)
    assert "instruments[0].measure" in str(err.value) and "did you mean 'measures'" in str(err.value)
