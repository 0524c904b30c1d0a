"""HTML documentation of the ontology, written by the project's own Jinja template.

Every class and property the ontology declares, the project's own first, each with its IRI,
label, definitions, super- and sub-classes or -properties, domain, range and the properties it
is the domain or range of; the ontology's metadata, a schema.org description as JSON-LD, and
the namespaces. The template escapes every string, the JSON-LD is script-safe, links go only to
anchors of the page or to http(s) IRIs, and the page's Content-Security-Policy runs no script
and loads nothing. Why not pyLODE: docs/architecture.md, "Libraries".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DTA, PREFIXES
from dta_kg.core.limits import ONTOLOGY_BYTES, read_input

from .page import csp, json_island, write_page
from .vocabulary_page import PAGE as VOCABULARY
from .vocabulary_page import write_vocabulary

PAGE = "index.html"
# (section id, heading, the rdf:types it lists, badge, badge title): the order of the page
SECTIONS: tuple[tuple[str, str, tuple[URIRef, ...], str, str], ...] = (
    ("classes", "Classes", (OWL.Class, RDFS.Class), "c", "OWL/RDFS Class"),
    ("objectproperties", "Object Properties", (OWL.ObjectProperty,), "op", "OWL Object Property"),
    ("datatypeproperties", "Datatype Properties", (OWL.DatatypeProperty,), "dp",
     "OWL Datatype Property"),
    ("annotationproperties", "Annotation Properties", (OWL.AnnotationProperty,), "ap",
     "OWL Annotation Property"),
)
DESCRIPTIONS = (SKOS.definition, DCTERMS.description, RDFS.comment)
# (predicate, what the metadata list calls it)
METADATA = ((DCTERMS.title, "Title"), (DCTERMS.creator, "Creator"), (DCTERMS.license, "License"),
            (OWL.versionIRI, "Version IRI"), (OWL.versionInfo, "Version info"),
            (DCTERMS.source, "Source"), (DCTERMS.description, "Description"),
            (RDFS.comment, "Comment"))
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@dataclass
class Link:
    """A term as the page names it: its label, and where it points (an anchor, an IRI or none)."""
    label: str
    href: str | None
    badge: str = ""


@dataclass
class Entity:
    iri: str
    anchor: str
    label: str
    badge: str
    own: bool
    descriptions: list[str]
    rows: list[tuple[str, list[Link]]] = field(default_factory=list)


def _label(graph: Graph, node: Node) -> str:
    value = graph.value(node, RDFS.label) or graph.value(node, SKOS.prefLabel)
    if value is not None:
        return str(value)
    return re.split(r"[#/]", str(node).rstrip("#/"))[-1]


def _href(iri: str) -> str | None:
    """Only http(s) IRIs become links: never javascript:, data: or a relative path."""
    return iri if re.match(r"https?://", iri) else None


class _Documented:
    """The ontology's declared terms, with the anchor and badge each gets on the page."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.sections: dict[str, list[URIRef]] = {}
        self.anchor: dict[URIRef, str] = {}
        self.badge: dict[URIRef, str] = {}
        taken: set[str] = set()
        for section, _, types, badge, _ in SECTIONS:
            terms = {t for kind in types for t in graph.subjects(RDF.type, kind)
                     if isinstance(t, URIRef) and t not in self.anchor}
            ordered = sorted(terms, key=lambda t: (not str(t).startswith(DTA),
                                                   _label(graph, t).casefold(), str(t)))
            self.sections[section] = ordered
            for term in ordered:
                self.anchor[term] = self._anchor(term, taken)
                self.badge[term] = badge

    @staticmethod
    def _anchor(term: URIRef, taken: set[str]) -> str:
        """The local name for the project's own terms, a squeezed label-like name otherwise;
        unique on the page."""
        local = re.split(r"[#/]", str(term))[-1]
        base = local if str(term).startswith(DTA) else _NON_ALNUM.sub("", local.lower()) or "term"
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        return anchor

    def link(self, node: Node) -> Link | None:
        if not isinstance(node, URIRef):
            return None  # a class expression (a union, a restriction): not named, not listed
        if node in self.anchor:
            return Link(_label(self.graph, node), "#" + self.anchor[node], self.badge[node])
        return Link(_label(self.graph, node), _href(str(node)))

    def links(self, nodes: Iterable[Node]) -> list[Link]:
        found = [link for n in nodes if (link := self.link(n))]
        return sorted(found, key=lambda link: link.label.casefold())


def _entity(docs: _Documented, term: URIRef) -> Entity:
    graph = docs.graph
    descriptions = [str(v) for p in DESCRIPTIONS for v in sorted(graph.objects(term, p), key=str)
                    if isinstance(v, Literal)]
    entity = Entity(str(term), docs.anchor[term], _label(graph, term), docs.badge[term],
                    str(term).startswith(DTA), descriptions)
    relations = (
        ("Sub class of", graph.objects(term, RDFS.subClassOf)),
        ("Super class of", graph.subjects(RDFS.subClassOf, term)),
        ("Equivalent class", graph.objects(term, OWL.equivalentClass)),
        ("Sub property of", graph.objects(term, RDFS.subPropertyOf)),
        ("Super property of", graph.subjects(RDFS.subPropertyOf, term)),
        ("Inverse of", graph.objects(term, OWL.inverseOf)),
        ("Domain", graph.objects(term, RDFS.domain)),
        ("Range", graph.objects(term, RDFS.range)),
        ("In domain of", graph.subjects(RDFS.domain, term)),
        ("In range of", graph.subjects(RDFS.range, term)),
        ("Characteristics", (t for t in graph.objects(term, RDF.type)
                             if t in (OWL.FunctionalProperty, OWL.TransitiveProperty,
                                      OWL.SymmetricProperty, OWL.InverseFunctionalProperty))),
    )
    for name, nodes in relations:
        links = docs.links(nodes)
        if links:
            entity.rows.append((name, links))
    return entity


def _metadata(graph: Graph, ontology: Node | None) -> tuple[str, list[tuple[str, list[Link]]]]:
    """The ontology's title and its metadata rows (IRIs as links, literals as text)."""
    if ontology is None:
        return "Ontology", []
    rows = [("IRI", [Link(str(ontology), None)])]
    for predicate, name in METADATA:
        values = sorted(graph.objects(ontology, predicate), key=str)
        if values:
            rows.append((name, [Link(_label(graph, v) if isinstance(v, URIRef) and predicate
                                     == DCTERMS.source else str(v),
                                     _href(str(v)) if isinstance(v, URIRef) else None)
                                for v in values]))
    return str(graph.value(ontology, DCTERMS.title) or "Ontology"), rows


def _schema_org(graph: Graph, ontology: Node | None, title: str) -> dict[str, object]:
    """A schema.org DefinedTermSet describing the ontology, for search engines."""
    data: dict[str, object] = {"@context": "https://schema.org", "@type": "DefinedTermSet",
                               "name": title}
    if ontology is not None:
        data["@id"] = str(ontology)
        for key, predicate in (("description", DCTERMS.description), ("license", DCTERMS.license),
                               ("creator", DCTERMS.creator), ("version", OWL.versionInfo),
                               ("isBasedOn", DCTERMS.source)):
            value = graph.value(ontology, predicate)
            if value is not None:
                data[key] = str(value)
    return data


def ontology_context(graph: Graph) -> dict[str, object]:
    """What the ontology template shows of `graph`."""
    docs = _Documented(graph)
    ontology = next(iter(graph.subjects(RDF.type, OWL.Ontology)), None)
    title, metadata = _metadata(graph, ontology)
    sections = [(section, heading, [_entity(docs, t) for t in docs.sections[section]])
                for section, heading, _, _, _ in SECTIONS]
    badges = [(badge, meaning) for _, _, _, badge, meaning in SECTIONS]
    used = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    namespaces = [(p, ns) for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in used)]
    return {"title": title, "metadata": metadata, "sections": sections, "badges": badges,
            "namespaces": namespaces, "vocabulary": VOCABULARY, "csp": csp(),
            "schema_org": json_island(_schema_org(graph, ontology, title))}


def read_ontology(path: Path) -> Graph:
    """The Turtle ontology at `path`, at most ONTOLOGY_BYTES; a problem is a RecordError. It
    is parsed by Oxigraph, which does not recurse, and rdflib reads Oxigraph's N-Triples: on
    malformed or deeply nested Turtle rdflib's own parser ends in assertion, index or
    recursion errors."""
    raw = read_input(path, ONTOLOGY_BYTES, "an ontology", "check that it is the right file")
    triples = io.BytesIO()
    try:
        pyoxigraph.serialize(pyoxigraph.parse(raw, pyoxigraph.RdfFormat.TURTLE), triples,
                             pyoxigraph.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError) as exc:
        raise RecordError(path, "", f"is not valid Turtle ({exc})",
                          "give the ontology in Turtle with absolute IRIs") from exc
    try:
        return Graph().parse(data=triples.getvalue().decode("utf-8"), format="nt")
    except ParserError as exc:  # RDF 1.2: a triple term or a text direction
        raise RecordError(path, "", f"holds a term rdflib cannot read ({exc})",
                          "give the ontology in RDF 1.1 Turtle") from exc


def write_docs(directory: str | Path, graph: Graph,
               examples: dict[str, str] | None = None) -> Path:
    """Write the documentation of the ontology `graph` (read_ontology) to
    `directory`/index.html, with the controlled vocabulary in `directory`/vocabulary.html
    (linked from it); return index.html."""
    write_vocabulary(directory, graph, examples)
    return write_page("ontology.html", Path(directory) / PAGE, **ontology_context(graph))
