"""The Turtle and JSON-LD writers on small graphs: grouping, literals, blank nodes, lists."""

from __future__ import annotations

import io
import json
from concurrent.futures import ProcessPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from dta_kg.pipeline.chunks import worker_context
from dta_kg.pipeline.jsonld import write_jsonld, write_turtle_and_jsonld
from dta_kg.pipeline.rdf_text import Grouped, segments, sort_into, write_turtle

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


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2, mp_context=worker_context()) as executor:
        yield executor


_SUBJECTS = st.sampled_from([f"<https://w3id.org/dta-kg/id/s{i}>" for i in range(12)]
                            + [f"<{DTA}C{i}>" for i in range(4)])
_OBJECTS = st.sampled_from([f"<{DTA}Study>", '"a"', '"x _:b y"', f'"7"^^<{XSD}integer>',
                            "_:r", "_:l1", f"<{DTA}C0>"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_SUBJECTS, st.sampled_from([f"<{DTA}p>", f"<{DTA}q>"]), _OBJECTS),
                max_size=40),
       st.integers(min_value=1, max_value=4))
def test_writing_the_sorted_file_in_parts_gives_the_bytes_of_one_pass(pool, tmp_path, lines, parts):
    """Blank objects and "_:" inside literals anywhere, repeated lines, any number of parts:
    the joined parts are the one-pass text (the ranges after the first name no blank node)."""
    nt = tmp_path / "g.nt"
    nt.write_text(NT + "".join(f"{s} {p} {o} .\n" for s, p, o in lines), encoding="utf-8")
    write_turtle_and_jsonld(nt, tmp_path / "one.ttl", tmp_path / "one.jsonld")
    write_turtle_and_jsonld(nt, tmp_path / "parts.ttl", tmp_path / "parts.jsonld", pool, parts)
    for ext in ("ttl", "jsonld"):
        assert (tmp_path / f"parts.{ext}").read_bytes() == (tmp_path / f"one.{ext}").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["g.nt", "one.ttl", "one.jsonld", "parts.ttl", "parts.jsonld"])  # no piece left


def test_the_ranges_start_at_new_subjects_after_every_use_of_a_blank_node(tmp_path):
    lines = [f"<https://w3id.org/dta-kg/id/s{i:02}> <{DTA}p> \"{i}\" .\n" for i in range(40)]
    lines[30] = f"<https://w3id.org/dta-kg/id/s30> <{DTA}p> _:x .\n"
    nt = tmp_path / "g.nt"
    nt.write_text("".join(lines) + f"_:x <{DTA}p> \"x\" .\n", encoding="utf-8")
    ordered = tmp_path / "sorted.nt"
    sort_into(nt, ordered)
    ranges = segments(ordered, Grouped(nt), 4)
    text = ordered.read_bytes()
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    starts = [text[start:].split(b">")[0] for start, _ in ranges[1:]]
    assert starts and all(s > b"<https://w3id.org/dta-kg/id/s30" for s in starts)
