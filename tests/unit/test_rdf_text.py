"""The Turtle and JSON-LD writers on small graphs: grouping, literals, blank nodes, lists."""

from __future__ import annotations

import io
import json

from rdflib import Graph
from rdflib.compare import isomorphic

from dta_kg.pipeline.jsonld import write_jsonld
from dta_kg.pipeline.rdf_text import write_turtle

DTA = "https://w3id.org/dta-kg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
NT = f"""<https://w3id.org/dta-kg/id/b> <{DTA}note> "two\\nlines and a \\"quote\\"" .
<https://w3id.org/dta-kg/id/a> <{RDF}type> <{DTA}Study> .
<https://w3id.org/dta-kg/id/a> <{DTA}referenceNumber> "44"^^<{XSD}integer> .
<https://w3id.org/dta-kg/id/a> <{DTA}resultValue> "0.83"^^<{XSD}decimal> .
<https://w3id.org/dta-kg/id/a> <{DTA}component> <{DTA}goal-alignment> .
<https://w3id.org/dta-kg/id/a> <{DTA}component> <{DTA}therapeutic-bond> .
<https://doi.org/10.1/x> <{DTA}retracted> "true"^^<{XSD}boolean> .
_:r <{RDF}type> <{OWL}AllDisjointClasses> .
_:r <{OWL}members> _:l1 .
_:l1 <{RDF}first> <{DTA}Study> .
_:l1 <{RDF}rest> _:l2 .
_:l2 <{RDF}first> <{DTA}Finding> .
_:l2 <{RDF}rest> <{RDF}nil> .
"""


def _graph(tmp_path):
    path = tmp_path / "g.nt"
    path.write_text(NT, encoding="utf-8")
    return path, Graph().parse(data=NT, format="nt")


def test_turtle_groups_subjects_and_writes_lists_in_place(tmp_path):
    path, graph = _graph(tmp_path)
    out = io.StringIO()
    write_turtle(path, out)
    text = out.getvalue()
    assert isomorphic(Graph().parse(data=text, format="turtle"), graph)
    assert "dtar:a\n    a dta:Study ;\n    dta:component dta:goal-alignment ,\n" in text
    assert "    dta:referenceNumber 44 ;" in text and "dta:resultValue 0.83 ." in text
    assert "owl:members ( dta:Study dta:Finding )" in text
    assert "_:" not in text
    assert text.index("dtar:a\n") < text.index("dtar:b\n")


def test_trig_wraps_the_same_triples_in_a_named_graph(tmp_path):
    from rdflib import Dataset, URIRef

    path, graph = _graph(tmp_path)
    out = io.StringIO()
    write_turtle(path, out, graph="https://w3id.org/dta-kg/graph")
    dataset = Dataset()
    dataset.parse(data=out.getvalue(), format="trig")
    assert isomorphic(dataset.graph(URIRef("https://w3id.org/dta-kg/graph")), graph)


def test_jsonld_compacts_and_expands_back_to_the_same_triples(tmp_path):
    path, graph = _graph(tmp_path)
    out = io.StringIO()
    write_jsonld(path, out)
    document = json.loads(out.getvalue())
    a = next(n for n in document["@graph"] if n.get("id") == "dtar:a")
    assert a["type"] == "Study" and a["referenceNumber"] == 44
    assert a["component"] == ["dta:goal-alignment", "dta:therapeutic-bond"]
    assert isomorphic(Graph().parse(data=out.getvalue(), format="json-ld"), graph)
