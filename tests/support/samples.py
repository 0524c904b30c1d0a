"""Small synthetic graphs for the store tests, shaped like the real one (see the RDF model).

Five studies; three have a therapeutic-bond finding measured with WAI-SR (directly or through
its bond subscale), so the "bond with WAI-SR" question answers study-a, study-b, study-c.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from rdflib import XSD, Graph, Literal

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph

DTA = "https://w3id.org/dta-kg/ontology#"
ID = "https://w3id.org/dta-kg/id/"
BOND_WAI_SR = [ID + "study-a", ID + "study-b", ID + "study-c"]
NOTE = "the participants' \"alliance\" – C:\\data\\new\n(2 lines)"  # quotes, backslashes

TURTLE = """\
@prefix dta: <https://w3id.org/dta-kg/ontology#> .
@prefix dtar: <https://w3id.org/dta-kg/id/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

dta:therapeutic-bond a dta:DTAComponent ; skos:prefLabel "therapeutic bond"@en ;
    skos:altLabel "bond" .
dta:wai-sr a dta:Instrument ; skos:prefLabel "Working Alliance Inventory–Short Revised" ;
    skos:altLabel "WAI-SR" ; dta:hasSubscale dta:wai-sr-bond .
dta:wai-sr-bond a dta:Subscale ; dta:subscaleOf dta:wai-sr ;
    dta:measuresComponent dta:therapeutic-bond .
dta:dwai a dta:Instrument ; skos:altLabel "DWAI" .

dtar:study-a a dta:Study ; dcterms:title "Bond with a chatbot – a trial in Zürich" ;
    fabio:hasPublicationYear "2022"^^xsd:gYear ; dta:referenceNumber 12 ;
    bibo:authorList ( "Beatty, C." "Malik, T." ) ; bibo:doi "10.3389/fdgth.2022.847991" .
dtar:study-b a dta:Study ; dcterms:title "Subscales of the alliance" ;
    fabio:hasPublicationYear "2021"^^xsd:gYear .
dtar:study-c a dta:Study ; dcterms:title \"\"\"A long title
over two lines\"\"\" ; fabio:hasPublicationYear "2023"^^xsd:gYear .
dtar:study-d a dta:Study ; dcterms:title "Digital alliance only" .
dtar:study-e a dta:Study ; dcterms:title "Engagement only" .

dtar:fact-a-1 a dta:Finding ; dta:aboutStudy dtar:study-a ; dta:component dta:therapeutic-bond ;
    dta:usesMeasure dta:wai-sr ; dta:resultValue 0.50 ; dta:resultUnit "Cohen's d" ;
    prov:generatedAtTime "2026-01-02T03:04:05Z"^^xsd:dateTime ; dta:retracted false .
dtar:fact-b-1 a dta:Finding ; dta:aboutStudy dtar:study-b ; dta:component dta:therapeutic-bond ;
    dta:usesSubscale dta:wai-sr-bond ; dta:resultValue 4.1 .
dtar:fact-c-1 a dta:Finding ; dta:aboutStudy dtar:study-c ; dta:component dta:therapeutic-bond ;
    dta:usesMeasure dta:wai-sr ; rdfs:comment "quote: “strong bond”"@en .
dtar:fact-d-1 a dta:Finding ; dta:aboutStudy dtar:study-d ; dta:component dta:therapeutic-bond ;
    dta:usesMeasure dta:dwai .
"""

BOND_WAI_SR_SPARQL = """\
PREFIX dta: <https://w3id.org/dta-kg/ontology#>
SELECT DISTINCT ?study WHERE {
  ?fact dta:aboutStudy ?study ; dta:component dta:therapeutic-bond .
  { ?fact dta:usesMeasure dta:wai-sr } UNION { ?fact dta:usesSubscale/dta:subscaleOf dta:wai-sr }
} ORDER BY ?study
"""

BOND_WAI_SR_CYPHER = """\
MATCH (s:Study)<-[:ABOUT_STUDY]-(f:Finding)-[:COMPONENT]->(:DTAComponent {iri: $bond})
MATCH (f)-[:USES_MEASURE|USES_SUBSCALE]->(m)
OPTIONAL MATCH (m)-[:SUBSCALE_OF]->(parent)
WITH s, m, parent WHERE m.iri = $wai OR parent.iri = $wai
RETURN DISTINCT s.iri AS study ORDER BY study
"""
BOND_WAI_SR_PARAMS = {"bond": DTA + "therapeutic-bond", "wai": DTA + "wai-sr"}


def canonical(graph: Graph) -> Graph:
    """A copy with numeric literals in canonical form ("0.50" -> "0.5"), as stores keep them."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in (XSD.decimal, XSD.integer):
            try:
                o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=o.datatype)
            except InvalidOperation:
                pass
        out.add((s, p, o))
    return out


def sample_rdf() -> Graph:
    """The Turtle sample as an rdflib Graph."""
    return Graph().parse(data=TURTLE, format="turtle")


def sample_property_graph(extra_studies: int = 0, pad: int = 0) -> PropertyGraph:
    """The same sample as a property graph; ``extra_studies`` more Study nodes, each with a
    ``pad``-character abstract, make batches (and FalkorDB's message limit) matter."""
    def study(key: str, title: str, year: int | None = None, **props) -> Node:
        more = {"title": title, **props}
        if year:
            more["year"] = year
        return Node(ID + f"study-{key}", "Study", more)

    nodes = [
        Node(DTA + "therapeutic-bond", "DTAComponent",
             {"prefLabel": "therapeutic bond", "altLabels": ["bond"]}),
        Node(DTA + "wai-sr", "Instrument",
             {"prefLabel": "Working Alliance Inventory–Short Revised", "altLabels": ["WAI-SR"]}),
        Node(DTA + "wai-sr-bond", "Subscale", {"prefLabel": "WAI-SR bond"}),
        Node(DTA + "dwai", "Instrument", {"altLabels": ["DWAI"]}),
        study("a", "Bond with a chatbot – a trial in Zürich", 2022,
              authors=["Beatty, C.", "Malik, T."], referenceNumber=12, note=NOTE),
        study("b", "Subscales of the alliance", 2021),
        study("c", "A long title\nover two lines", 2023),
        study("d", "Digital alliance only"),
        study("e", "Engagement only"),
    ]
    findings = {"a": "wai-sr", "b": "wai-sr-bond", "c": "wai-sr", "d": "dwai"}
    edges = [Edge(DTA + "wai-sr-bond", DTA + "wai-sr", "SUBSCALE_OF")]
    for key, measure in findings.items():
        fact = ID + f"fact-{key}-1"
        nodes.append(Node(fact, "Finding", {"resultValue": 0.5, "retracted": False,
                                            "resultUnit": "Cohen's d",
                                            "section": "Results > Therapeutic Bond"}))
        edges.append(Edge(fact, ID + f"study-{key}", "ABOUT_STUDY"))
        edges.append(Edge(fact, DTA + "therapeutic-bond", "COMPONENT"))
        kind = "USES_SUBSCALE" if measure.endswith("-bond") else "USES_MEASURE"
        edges.append(Edge(fact, DTA + measure, kind))
    for i in range(extra_studies):
        nodes.append(study(f"x{i:03d}", f"Extra study {i}", 2000 + i % 25, abstract="é" * pad))
        edges.append(Edge(ID + f"study-x{i:03d}", DTA + "dwai", "MENTIONS"))
    return PropertyGraph(nodes=nodes, edges=edges)
