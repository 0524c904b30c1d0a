"""The RDF files people open: Turtle and TriG with the project's prefixes and each subject once,
in sorted order; JSON-LD compacted with the shipped context, loading to the same graph."""

from __future__ import annotations

import json
import re

import pyoxigraph
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from dta_kg.cli import main
from dta_kg.pipeline.jsonld import CONTEXT_FILE, load_context

G = "https://w3id.org/dta-kg/graph"
BEATTY = "dtar:study-10-3389-fdgth-2022-847991"


@pytest.fixture(scope="module")
def built(built_project):
    return Graph().parse(built_project.build / "dta-kg.nt", format="nt")


@pytest.fixture(scope="module")
def export(built_project, tmp_path_factory):
    folder = tmp_path_factory.mktemp("rdf-exports")
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def run(fmt: str):
        out = folder / f"dta-kg.{fmt}"
        result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        return out

    return run


def _subject_heads(text: str) -> list[str]:
    """The subjects of a Turtle body: lines at the left margin that are not prefixes."""
    return [line for line in text.splitlines()
            if line and not line[0].isspace() and not line.startswith(("@prefix", "[", "]", "}"))]


def test_turtle_declares_and_uses_the_project_prefixes(built_project, built):
    text = (built_project.build / "dta-kg.ttl").read_text(encoding="utf-8")
    declared = dict(re.findall(r"^@prefix (\w+): <([^>]+)> \.$", text, re.M))
    for prefix in ("dta", "dtar", "bibo", "oa", "prov", "skos", "dcterms", "fabio"):
        assert prefix in declared
        assert re.search(rf"(^|\s){prefix}:\w", text, re.M), f"{prefix}: declared but unused"
    assert not re.search(r"\bns\d+:", text)
    body = text[text.index("\n\n"):]
    # every instance and term IRI is prefixed (the ontology's own IRI has no local part)
    assert not re.search(r"<https://w3id\.org/dta-kg/(id/|ontology#)", body)
    assert isomorphic(Graph().parse(data=text, format="turtle"), built)


def test_turtle_writes_each_subject_once_in_sorted_order(built_project):
    text = (built_project.build / "dta-kg.ttl").read_text(encoding="utf-8")
    heads = _subject_heads(text)
    assert len(heads) == len(set(heads))
    iris = [h for h in heads if not h.startswith("_:")]
    graph = Graph().parse(data=text, format="turtle")
    full = [str(graph.namespace_manager.expand_curie(h)) if not h.startswith("<") else h[1:-1]
            for h in iris]
    assert full == sorted(full)
    block = text[text.index(f"\n{BEATTY}\n"):]
    block = block[1:block.index(" .\n") + 3]
    assert block.splitlines()[1] == "    a dta:Study ;"
    assert '    bibo:doi "10.3389/fdgth.2022.847991" ;' in block
    assert '    dta:referenceNumber 25 ;' in block
    assert 'fabio:hasPublicationYear "2022"^^xsd:gYear' in block
    # objects of one predicate are joined by commas
    assert re.search(r'dcterms:creator "Beatty C" ,\n\s+"Malik T" ,', block)


def test_turtle_is_the_same_bytes_from_two_builds(built_project, tmp_path):
    from dta_kg.pipeline.rdf_text import write_turtle_file

    nt = built_project.build / "dta-kg.nt"
    shuffled = tmp_path / "shuffled.nt"
    shuffled.write_text("".join(reversed(nt.read_text(encoding="utf-8").splitlines(True))),
                        encoding="utf-8")
    write_turtle_file(shuffled, tmp_path / "again.ttl")
    assert (tmp_path / "again.ttl").read_bytes() == (built_project.build / "dta-kg.ttl").read_bytes()


def test_trig_has_the_project_prefixes_and_one_named_graph(export, built):
    path = export("trig")
    text = path.read_text(encoding="utf-8")
    assert "@prefix dtar: <https://w3id.org/dta-kg/id/> ." in text
    assert not re.search(r"\bns\d+:", text)
    dataset = Dataset()
    dataset.parse(path, format="trig")
    assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {G}
    assert isomorphic(dataset.graph(URIRef(G)), built)


def test_jsonld_is_compacted_with_the_shipped_context(built_project):
    document = json.loads((built_project.build / "dta-kg.jsonld").read_text(encoding="utf-8"))
    shipped = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    assert document["@context"] == shipped["@context"] == load_context()
    nodes = {n.get("id"): n for n in document["@graph"]}
    beatty = nodes[BEATTY]
    assert beatty["type"] == "Study"
    assert beatty["doi"] == "10.3389/fdgth.2022.847991"
    assert beatty["year"] == "2022" and beatty["referenceNumber"] == 25
    assert beatty["shortCitation"] == "Beatty et al 2022"
    assert beatty["authorsTruncated"] is False
    assert "dta:therapeutic-bond" in beatty["reportsComponent"]
    # every key is a term of the context: nothing falls back to a full IRI
    keys = {k for n in document["@graph"] for k in n}
    assert not [k for k in keys if ":" in k or k.startswith("http")]


def test_jsonld_loads_to_the_same_graph_in_rdflib_and_pyoxigraph(built_project, built):
    path = built_project.build / "dta-kg.jsonld"
    assert isomorphic(Graph().parse(path, format="json-ld"), built)
    quads = pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.JSON_LD)
    nt = pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    assert isomorphic(Graph().parse(data=nt, format="nt"), built)


def test_jsonld_expanded_is_an_option(export, built):
    path = export("jsonld-expanded")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, list) and "@context" not in path.read_text(encoding="utf-8")
    assert isomorphic(Graph().parse(path, format="json-ld"), built)


def test_jsonld_can_reference_the_published_context_by_url(built_project, built, tmp_path):
    """Served from 127.0.0.1 as it will be from w3id.org: the file names the context by URL,
    and a JSON-LD processor that fetches it gets the same graph."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(CONTEXT_FILE.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/context.jsonld"
        out = tmp_path / "by-url.jsonld"
        env = {"DTA_KG_RECORDS": str(built_project.records),
               "DTA_KG_BUILD": str(built_project.build)}
        result = CliRunner().invoke(main, ["export", "--format", "jsonld", "--context-url", url,
                                           "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        document = json.loads(out.read_text(encoding="utf-8"))
        assert document["@context"] == url
        assert isomorphic(Graph().parse(out, format="json-ld"), built)
    finally:
        server.shutdown()
        server.server_close()
