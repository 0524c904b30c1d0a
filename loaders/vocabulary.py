"""Read the controlled vocabulary out of the ontology (and curator-added instruments)."""

from __future__ import annotations

from pathlib import Path

from dta_kg.paths import ONTOLOGY
from dta_kg.terms import KINDS, Term, Vocabulary
from dta_kg.vocab import DTA, local_name


def load_vocabulary(ontology: Path = ONTOLOGY) -> Vocabulary:
    """Every individual of the vocabulary classes in the ontology, with its labels."""
    from rdflib import Graph

    graph = Graph().parse(ontology, format="turtle")
    return Vocabulary(terms_of(graph))


def terms_of(graph) -> list[Term]:
    """The vocabulary individuals (in the dta: namespace) of an rdflib graph."""
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS, SKOS

    wanted = {URIRef(DTA + cls) for classes in KINDS.values() for cls in classes}
    subscale_of, measures = URIRef(DTA + "subscaleOf"), URIRef(DTA + "measuresComponent")
    terms = []
    for cls in sorted(wanted):
        for node in sorted(graph.subjects(RDF.type, cls)):
            if not str(node).startswith(DTA):
                continue
            parent = graph.value(node, subscale_of)
            terms.append(Term(
                id=local_name(str(node)), cls=local_name(str(cls)),
                label=str(graph.value(node, RDFS.label) or local_name(str(node))),
                alt_labels=tuple(sorted(str(a) for a in graph.objects(node, SKOS.altLabel))),
                parent=local_name(str(parent)) if parent else None,
                measures=tuple(sorted(local_name(str(m)) for m in graph.objects(node, measures))),
            ))
    return terms
