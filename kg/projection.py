"""The one property-graph projection of the RDF graph, shared by Cypher, exports and views.

Nodes are the typed resources of the data and the vocabulary individuals they point to; each
fact's evidence annotation is folded into the fact as `section`, `quote` and `inferred`, and a
study's rdf:List of authors into an `authors` list. Edge types are UPPER_SNAKE_CASE, prefixed
with HAS_ where they would clash with a node label (dta:polarity -> HAS_POLARITY, as the class
dta:Polarity is a label): Kùzu-style engines keep labels and types in one case-blind namespace.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from dta_kg.vocab import DTA, PREFIXES, local_name

RDF_TYPE = PREFIXES["rdf"] + "type"
OA = PREFIXES["oa"]
# node classes kept, besides every dta: class
EXTRA_CLASSES = {PREFIXES["bibo"] + "Periodical": "Periodical", PREFIXES["prov"] + "Agent": "Agent"}
# classes of the ontology's own machinery, never nodes
SKIPPED_TYPES = {PREFIXES["owl"] + n for n in ("Class", "ObjectProperty", "DatatypeProperty",
                                               "AnnotationProperty", "Ontology")}
PROPERTY_NAMES = {
    PREFIXES["rdfs"] + "label": "label",
    PREFIXES["skos"] + "prefLabel": "prefLabel",
    PREFIXES["skos"] + "altLabel": "altLabels",
    PREFIXES["skos"] + "definition": "definition",
    PREFIXES["dcterms"] + "title": "title",
    PREFIXES["fabio"] + "hasPublicationYear": "year",
    PREFIXES["rdf"] + "value": "text",
}
MULTI_VALUED = {"altLabels"}
SKIPPED_PREDICATES = {PREFIXES["dcterms"] + "creator", PREFIXES["bibo"] + "authorList",
                      PREFIXES["prov"] + "wasDerivedFrom", DTA + "evidence",
                      PREFIXES["skos"] + "inScheme"}


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    props: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    type: str
    props: dict = field(default_factory=dict, hash=False)


@dataclass
class PropertyGraph:
    nodes: list[Node]
    edges: list[Edge]

    def node(self, node_id: str) -> Node | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def edge_type(predicate: str) -> str:
    """'aboutStudy' -> 'ABOUT_STUDY'."""
    name = local_name(predicate)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_")


def _value(term):
    from rdflib import Literal

    if isinstance(term, Literal):
        value = term.toPython()
        if hasattr(value, "isoformat"):
            return value.isoformat()
        if type(value).__name__ == "Decimal":
            return float(value)
        return value if isinstance(value, bool | int | float | str) else str(term)
    return str(term)


def project(graph, include_retracted: bool = True) -> PropertyGraph:
    """Project an rdflib graph (data + ontology) onto labelled nodes and typed edges."""
    from rdflib import Literal, URIRef

    label_of: dict[str, str] = {}
    for s, o in graph.subject_objects(URIRef(RDF_TYPE)):
        s, o = str(s), str(o)
        if not isinstance(s, str) or o in SKIPPED_TYPES:
            continue
        if o.startswith(DTA) and (s not in label_of or label_of[s] in EXTRA_CLASSES.values()):
            label_of[s] = local_name(o)
        elif o in EXTRA_CLASSES and s not in label_of:
            label_of[s] = EXTRA_CLASSES[o]
    label_of = {s: lab for s, lab in label_of.items() if s.startswith(("http", "urn"))
                and not _is_ontology_term(s, lab)}

    props: dict[str, dict] = defaultdict(dict)
    edges: list[Edge] = []
    evidence_of: dict[str, str] = {}
    for s, p, o in graph:
        s, p = str(s), str(p)
        if p == DTA + "evidence":
            evidence_of[s] = str(o)
        if s not in label_of or p == RDF_TYPE or p in SKIPPED_PREDICATES:
            continue
        if isinstance(o, Literal):
            name = PROPERTY_NAMES.get(p, local_name(p))
            if name in MULTI_VALUED:
                props[s].setdefault(name, []).append(_value(o))
            else:
                props[s][name] = _value(o)
        elif str(o) in label_of:
            edges.append(Edge(s, str(o), edge_type(p)))

    _fold_evidence(graph, evidence_of, props)
    _fold_authors(graph, label_of, props)
    nodes = []
    for s, lab in label_of.items():
        p = props[s]
        p["iri"] = s
        p.setdefault("label", p.get("shortCitation") or p.get("prefLabel") or p.get("title")
                     or local_name(s))
        nodes.append(Node(s, lab, dict(sorted(p.items()))))
    if not include_retracted:
        gone = {n.id for n in nodes if n.props.get("retracted")}
        nodes = [n for n in nodes if n.id not in gone]
        edges = [e for e in edges if e.source not in gone and e.target not in gone]
    labels = {lab.casefold() for lab in label_of.values()}
    edges = [Edge(e.source, e.target, f"HAS_{e.type}", e.props)
             if e.type.casefold() in labels else e for e in edges]
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.type, e.target))
    return PropertyGraph(nodes, edges)


def _is_ontology_term(iri: str, label: str) -> bool:
    """Vocabulary individuals are kept; ontology classes and properties are not."""
    return label in {"Class", "ObjectProperty", "DatatypeProperty"}


def _fold_evidence(graph, evidence_of: dict[str, str], props: dict[str, dict]) -> None:
    from rdflib import URIRef

    for subject, ann in evidence_of.items():
        if subject not in props and not any(True for _ in graph.objects(URIRef(subject), None)):
            continue
        a = URIRef(ann)
        section = graph.value(a, URIRef(DTA + "section"))
        inferred = graph.value(a, URIRef(DTA + "curatorInference"))
        target = graph.value(a, URIRef(OA + "hasTarget"))
        selector = graph.value(target, URIRef(OA + "hasSelector")) if target else None
        quote = graph.value(selector, URIRef(OA + "exact")) if selector else None
        p = props.setdefault(subject, {})
        if section is not None:
            p["section"] = str(section)
        if quote is not None:
            p["quote"] = str(quote)
        if inferred is not None:
            p["inferred"] = str(inferred)


def _fold_authors(graph, label_of: dict[str, str], props: dict[str, dict]) -> None:
    from rdflib import URIRef
    from rdflib.collection import Collection

    author_list = URIRef(PREFIXES["bibo"] + "authorList")
    for s, head in graph.subject_objects(author_list):
        if str(s) in label_of:
            props[str(s)]["authors"] = [str(a) for a in Collection(graph, head)]


def to_networkx(pgraph: PropertyGraph, nodes: Iterable[Node] | None = None):
    """A networkx MultiDiGraph of the projection (node attribute `label` is the node type)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for n in nodes if nodes is not None else pgraph.nodes:
        g.add_node(n.id, type=n.label, **n.props)
    for e in pgraph.edges:
        if e.source in g and e.target in g:
            g.add_edge(e.source, e.target, key=e.type, type=e.type, **e.props)
    return g
