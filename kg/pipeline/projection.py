"""The one property-graph projection of the RDF graph, shared by Cypher, exports and views.

Nodes are the typed resources of the data and the vocabulary individuals they point to; each
fact's evidence annotation is folded into the fact as `section`, `quote`, `inferred` and
`sourceDoi` (the DOI of the quoted document, the review's or a study's), and a
study's rdf:List of authors into an `authors` list. Edge types are UPPER_SNAKE_CASE, prefixed
with HAS_ where they would clash with a node label (dta:polarity -> HAS_POLARITY, as the class
dta:Polarity is a label): Kùzu-style engines keep labels and types in one case-blind namespace.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, cast

from dta_kg.core.iris import DTA, PREFIXES, local_name
from dta_kg.core.rdfterms import Lit, Term, Triple, plain_term, python_value
from dta_kg.core.vocabulary import words

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

RDF_TYPE = PREFIXES["rdf"] + "type"
RDF_FIRST, RDF_REST, RDF_NIL = (PREFIXES["rdf"] + n for n in ("first", "rest", "nil"))
OA = PREFIXES["oa"]
BIBO_DOI = PREFIXES["bibo"] + "doi"
# node classes kept, besides every dta: class
EXTRA_CLASSES = {PREFIXES["bibo"] + "Periodical": "Periodical", PREFIXES["prov"] + "Agent": "Agent",
                 PREFIXES["skos"] + "Concept": "Concept"}
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
# nodes whose names a `factor` parameter matches: their lower-case words, each name framed by
# spaces (see `dta_kg.core.vocabulary.words`), so no match spans two names
WORDED = {"FactorReport", "FactorConcept"}
MULTI_VALUED = {"altLabels"}
# xsd:dateTime properties, ISO text here; typed as datetimes by the Cypher store and the
# Neo4j exports
DATETIME_PROPERTIES = frozenset({"generatedAtTime", "invalidatedAtTime", "modified", "endedAtTime"})
# dta:reportsComponent summarises facts for SPARQL; a property graph walks the facts as cheaply
# (and a view with retracted facts shown would contradict it)
SKIPPED_PREDICATES = {PREFIXES["dcterms"] + "creator", PREFIXES["bibo"] + "authorList",
                      PREFIXES["prov"] + "wasDerivedFrom", DTA + "evidence",
                      PREFIXES["skos"] + "inScheme", DTA + "reportsComponent"}


def value_kind(key: str, types: set[type]) -> str:
    """The kind of property `key` from its values' Python types: boolean, integer, float,
    datetime, list or string. The one rule the typed stores and exports map to their own type
    names (ladybug's columns, neo4j-admin's headers), so a column has one type however written."""
    if types == {bool}:
        return "boolean"
    if types and (types == {datetime} or (key in DATETIME_PROPERTIES and types <= {str, datetime})):
        return "datetime"
    if types == {int}:
        return "integer"
    if types and types <= {int, float}:
        return "float"
    return "list" if types == {list} else "string"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    label: str
    props: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
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


@cache
def edge_type(predicate: str) -> str:
    """'aboutStudy' -> 'ABOUT_STUDY' (one string per type, shared by all its edges)."""
    name = local_name(predicate)
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).upper().replace("-", "_")


def _value(term: Lit) -> str | int | float | bool | None:
    """A literal as a property value; a year (xsd:gYear) as a number, so it compares as one."""
    if term.datatype == PREFIXES["xsd"] + "gYear" and term.lexical.isdigit():
        return int(term.lexical)
    return python_value(term)


def plain_triples(source: Graph | Iterable[tuple[Term, str, Term]]) -> Iterable[Triple]:
    """Triples of plain terms (IRIs as str, literals as Lit) from an rdflib graph or as given."""
    if not hasattr(source, "namespace_manager"):
        return cast("Iterable[Triple]", source)  # subjects are IRIs (str), never literals
    return ((cast(str, plain_term(s)), str(p), plain_term(o)) for s, p, o in source)


def project(source: Graph | Iterable[tuple[Term, str, Term]], include_retracted: bool = True,
            context: dict[str, str] | None = None,
            captions: dict[str, str] | None = None,
            dois: dict[str, str] | None = None) -> PropertyGraph:
    """Project an RDF graph (data + ontology) onto labelled nodes and typed edges.

    `source` is an rdflib graph or an iterable of plain triples. `context` maps the IRIs of
    nodes projected elsewhere to their labels, so that a chunk of a large graph (one batch of
    studies) keeps its edges to the shared vocabulary; those nodes are not repeated.
    `captions` gives those nodes' captions, for the captions of the facts that point to them,
    and `dois` their DOIs, for the evidence that quotes them (the review).
    """
    by_subject: dict[str, list] = defaultdict(list)
    for s, p, o in plain_triples(source):
        by_subject[s].append((p, o))
    label_of = {s: lab for s, pos in by_subject.items() if (lab := node_label(s, pos))}
    doi_of = {**(dois or {}), **{s: o.lexical for s, pos in by_subject.items() for p, o in pos
                                 if p == BIBO_DOI and isinstance(o, Lit)}}
    targets = {**(context or {}), **label_of}

    nodes, edges = [], []
    for s, lab in label_of.items():
        props: dict = {}
        for p, o in by_subject[s]:
            if p == RDF_TYPE or p in SKIPPED_PREDICATES:
                if p == DTA + "evidence":
                    props.update(_evidence(by_subject, o, doi_of))
                elif p == PREFIXES["bibo"] + "authorList":
                    props["authors"] = _rdf_list(by_subject, o)
                continue
            if isinstance(o, Lit):
                name = _property_name(p)
                if name in MULTI_VALUED:
                    props.setdefault(name, []).append(_value(o))
                else:
                    props[name] = _value(o)
            elif o in targets:
                edges.append(Edge(s, o, edge_type(p)))
        props["iri"] = s
        props.setdefault("label", props.get("shortCitation") or props.get("prefLabel")
                         or props.get("title") or local_name(s))
        for multi in MULTI_VALUED & props.keys():
            props[multi].sort()
        if lab in WORDED:  # what a `factor` parameter matches, in any Cypher engine
            names = [props.get("prefLabel") or props["label"], *props.get("altLabels", ())]
            props["words"] = "".join(words(str(name)) for name in names)
        nodes.append(Node(s, lab, dict(sorted(props.items()))))
    for s in by_subject.keys() & (context or {}).keys() - label_of.keys():
        edges += [Edge(s, o, edge_type(p)) for p, o in by_subject[s]
                  if p != RDF_TYPE and p not in SKIPPED_PREDICATES and isinstance(o, str)
                  and o in targets]
    _caption_facts(nodes, edges, captions or {})
    if not include_retracted:
        gone = {n.id for n in nodes if n.props.get("retracted")}
        nodes = [n for n in nodes if n.id not in gone]
        edges = [e for e in edges if e.source not in gone and e.target not in gone]
    labels = {lab.casefold() for lab in targets.values()}
    clashing = {t for t in {e.type for e in edges} if t.casefold() in labels}
    edges = [Edge(e.source, e.target, f"HAS_{e.type}", e.props)
             if e.type in clashing else e for e in edges]
    nodes.sort(key=lambda n: n.id)
    edges.sort(key=lambda e: (e.source, e.type, e.target))
    return PropertyGraph(nodes, edges)


@cache
def _property_name(predicate: str) -> str:
    return PROPERTY_NAMES.get(predicate) or local_name(predicate)


@dataclass(frozen=True)
class Shared:
    """What a part of the graph (a chunk of studies, one changed study) is projected with: the
    shared nodes' labels, captions and DOIs (`project`'s `context`, `captions` and `dois`)."""

    labels: dict[str, str]
    captions: dict[str, str]
    dois: dict[str, str]

    @classmethod
    def of(cls, graph: PropertyGraph) -> Shared:
        return cls({n.id: n.label for n in graph.nodes},
                   {n.id: str(n.props["label"]) for n in graph.nodes},
                   {n.id: str(n.props["doi"]) for n in graph.nodes if n.props.get("doi")})

    def project(self, triples: Iterable[Triple]) -> PropertyGraph:
        """The projection of `triples`, a part of the graph, beside the shared nodes."""
        return project(triples, context=self.labels, captions=self.captions, dois=self.dois)


def scoped(pgraph: PropertyGraph, scope: str = "all") -> PropertyGraph:
    """The projection with only the studies of `scope` ("review": the review's own, "living":
    those added after it, "all"), the facts about them and everything else."""
    if scope == "all":
        return pgraph
    gone = {n.id for n in pgraph.nodes if n.label == "Study" and n.props.get("studyScope") != scope}
    gone |= {e.source for e in pgraph.edges if e.type == "ABOUT_STUDY" and e.target in gone}
    return PropertyGraph([n for n in pgraph.nodes if n.id not in gone],
                         [e for e in pgraph.edges if e.source not in gone and e.target not in gone])


def _caption_facts(nodes: list[Node], edges: list[Edge], captions: dict[str, str]) -> None:
    """Give facts, claims and definitions without an rdfs:label a caption a person can read:
    'Beatty et al 2022: therapeutic bond', 'studies per component (user engagement): 14'."""
    names = {**captions, **{n.id: str(n.props["label"]) for n in nodes}}
    links: dict[str, dict[str, str]] = defaultdict(dict)
    for e in edges:
        links[e.source].setdefault(e.type.removeprefix("HAS_"), names.get(e.target, local_name(e.target)))
    for n in nodes:
        if n.props.get("label") != local_name(n.id):
            continue  # it has a label of its own
        caption = _caption(n.label, n.props, links[n.id])
        if caption:
            n.props["label"] = caption


def _caption(kind: str, props: dict, to: dict[str, str]) -> str | None:
    study = to.get("ABOUT_STUDY")
    if kind == "ReviewClaim":
        about = f" ({to['CLAIM_ABOUT']})" if "CLAIM_ABOUT" in to else ""
        return f"{to.get('CLAIM_KIND', 'claim')}{about}: {props.get('claimedValue', '')}".rstrip(": ")
    if kind == "Definition":
        return f"definition of the {to['DEFINES']}" if "DEFINES" in to else "definition"
    if kind == "ScreeningDecision":
        return (f"{props.get('screeningVerdict', 'decision')} at {props.get('screeningStage', '')}"
                f": {to.get('USED', 'candidate')}")
    if study is None:
        return None
    what = {
        "ComponentReport": to.get("COMPONENT"),
        "DesignReport": to.get("DESIGN"),
        "PopulationReport": props.get("populationDescription"),
        "InterventionReport": props.get("interventionName") or to.get("INTERVENTION_TYPE"),
        "CuratorNote": "curator's note",
    }.get(kind)
    if kind == "Finding":
        measure = to.get("USES_SUBSCALE") or to.get("USES_MEASURE") or "finding"
        what = measure + (f" ({to['COMPONENT']})" if "COMPONENT" in to else "")
        if props.get("resultValue") is not None:
            what += f", {to.get('RESULT_KIND', 'result')} {props['resultValue']}{props.get('resultUnit', '')}"
    return f"{study}: {what}" if what else study


def node_label(subject: str, pos: list) -> str | None:
    """The node label of `subject` from its types: a dta: class first, else a kept class."""
    if not subject.startswith(("http", "urn")):
        return None
    types = sorted(o for p, o in pos if p == RDF_TYPE and isinstance(o, str))
    if any(t in SKIPPED_TYPES for t in types):
        return None
    own = [local_name(t) for t in types if t.startswith(DTA)]
    extra = [EXTRA_CLASSES[t] for t in types if t in EXTRA_CLASSES]
    return (own or extra or [None])[0]  # type: ignore[list-item]


def _first(by_subject: dict[str, list[tuple[str, Term]]], subject: Term,
           predicate: str) -> Term | None:
    if not isinstance(subject, str):  # a literal is never a subject
        return None
    return next((o for p, o in by_subject.get(subject, ()) if p == predicate), None)


def _firsts(by_subject: dict[str, list[tuple[str, Term]]], subject: Term | None) -> dict[str, Term]:
    """Predicate -> the first object `_first` gives, for every predicate of `subject`."""
    found: dict[str, Term] = {}
    if isinstance(subject, str):
        for p, o in by_subject.get(subject, ()):
            found.setdefault(p, o)
    return found


def _evidence(by_subject: dict, annotation: str, doi_of: dict[str, str]) -> dict:
    """The section, quote, curator's inference and source DOI of an evidence annotation."""
    found: dict[str, str | bool] = {}
    about = _firsts(by_subject, annotation)
    section, inferred = about.get(DTA + "section"), about.get(DTA + "curatorInference")
    target = _firsts(by_subject, about.get(OA + "hasTarget"))
    selector, source = target.get(OA + "hasSelector"), target.get(OA + "hasSource")
    quote = _firsts(by_subject, selector).get(OA + "exact")
    for name, value in (("section", section), ("quote", quote), ("inferred", inferred)):
        if value is not None:
            found[name] = cast(Lit, value).lexical
    verified = about.get(DTA + "quoteVerified")
    if isinstance(verified, Lit) and python_value(verified) is False:
        found["quoteVerified"] = False  # quoted from a document whose text the project lacks
    if isinstance(source, str) and source in doi_of:
        found["sourceDoi"] = doi_of[source]
    return found


def _rdf_list(by_subject: dict, head: str) -> list[str]:
    items: list[str] = []
    node: Term | None = head
    seen: set[Term] = set()
    while node and node != RDF_NIL and node not in seen:
        seen.add(node)
        first = _first(by_subject, node, RDF_FIRST)
        if first is not None:
            items.append(first.lexical if isinstance(first, Lit) else first)
        node = _first(by_subject, node, RDF_REST)
    return items


def to_networkx(pgraph: PropertyGraph, nodes: Iterable[Node] | None = None) -> nx.MultiDiGraph:
    """A networkx MultiDiGraph of the projection (node attribute `label` is the node type)."""
    # lazy: networkx loads ~85 ms; the projection is on the path of every query
    import networkx as nx

    g = nx.MultiDiGraph()
    for n in nodes if nodes is not None else pgraph.nodes:
        g.add_node(n.id, type=n.label, **n.props)
    for e in pgraph.edges:
        if e.source in g and e.target in g:
            g.add_edge(e.source, e.target, key=e.type, type=e.type, **e.props)
    return g
