"""A real Oxigraph server: Graph Store PUT, remote queries, idempotent pushes, outages."""

from __future__ import annotations

import pytest
from plugins.servers import start_oxigraph
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from support.samples import BOND_WAI_SR, BOND_WAI_SR_SPARQL, canonical, sample_rdf

from dta_kg.stores.sparql_http import (
    SparqlStoreError,
    count_triples,
    delete_graph,
    get_graph,
    put_graph,
    query,
)

pytestmark = pytest.mark.services
G = "https://w3id.org/dta-kg/graph"


def studies(endpoint: str, graph: str = G) -> list[str]:
    rows = query(endpoint, BOND_WAI_SR_SPARQL, default_graph=graph)
    return [str(row["study"]) for row in rows]


def test_push_query_push_again_same_counts(oxigraph_server):
    ox, data = oxigraph_server, sample_rdf()
    local = [str(r[0]) for r in data.query(BOND_WAI_SR_SPARQL)]
    assert local == BOND_WAI_SR

    assert put_graph(ox.store_url, data, G) == len(data)
    assert count_triples(ox.query_url, G) == len(data)
    assert studies(ox.query_url) == local
    # Oxigraph keeps values, not lexical forms: "0.50"^^xsd:decimal comes back as "0.5"
    assert isomorphic(canonical(get_graph(ox.store_url, G)), canonical(data))

    put_graph(ox.store_url, data, G)
    assert count_triples(ox.query_url, G) == len(data)
    assert studies(ox.query_url) == local


def test_put_replaces_only_its_named_graph(oxigraph_server):
    ox, data = oxigraph_server, sample_rdf()
    other = Graph()
    other.add((URIRef("urn:x:s"), URIRef("urn:x:p"), Literal("kept")))
    put_graph(ox.store_url, other, "urn:x:other")
    put_graph(ox.store_url, data, G)

    smaller = Graph()
    for triple in list(data)[:5]:
        smaller.add(triple)
    put_graph(ox.store_url, smaller, G)
    assert count_triples(ox.query_url, G) == 5
    assert count_triples(ox.query_url, "urn:x:other") == 1
    assert delete_graph(ox.store_url, G)
    assert count_triples(ox.query_url, G) == 0


def test_ask_and_construct_results(oxigraph_server):
    ox = oxigraph_server
    put_graph(ox.store_url, sample_rdf(), G)
    assert query(ox.query_url, "ASK { ?s ?p ?o }", default_graph=G) is True
    assert query(ox.query_url, "ASK { <urn:none> ?p ?o }", default_graph=G) is False
    built = query(ox.query_url, "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t }", default_graph=G)
    assert isinstance(built, Graph) and len(built) == 13
    with pytest.raises(SparqlStoreError, match="HTTP 400"):
        query(ox.query_url, "SELEC nonsense")


def test_outage_is_reported_and_a_second_push_completes(oxigraph_server, tmp_path):
    ox, data = oxigraph_server, sample_rdf()
    port = int(ox.url.rsplit(":", 1)[1])
    ox.stop()
    with pytest.raises(SparqlStoreError, match="unreachable after 2 attempts"):
        put_graph(ox.store_url, data, G, retries=1)
    again = start_oxigraph(ox.location, port=port)
    try:
        put_graph(again.store_url, data, G)
        assert count_triples(again.query_url, G) == len(data)
    finally:
        again.stop()


def test_read_only_server_answers_and_refuses_updates(tmp_path):
    data = sample_rdf()
    rw = start_oxigraph(tmp_path / "store")
    try:
        put_graph(rw.store_url, data, G)
    finally:
        rw.stop()
    ro = start_oxigraph(tmp_path / "store", read_only=True)
    try:
        assert studies(ro.query_url) == BOND_WAI_SR
        with pytest.raises(SparqlStoreError, match="HTTP 403"):
            put_graph(ro.store_url, data, G, retries=0)
    finally:
        ro.stop()
