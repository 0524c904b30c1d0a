"""A real Virtuoso: digest-authenticated Graph Store writes, anonymous queries, an outage."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from support.samples import BOND_WAI_SR, BOND_WAI_SR_SPARQL, ID, canonical, sample_rdf

from dta_kg.stores.sparql_http import (
    Auth,
    SparqlStoreError,
    auth_from_env,
    count_triples,
    get_graph,
    put_graph,
    query,
)

pytestmark = pytest.mark.services
G = "https://w3id.org/dta-kg/graph"


@pytest.fixture
def env_auth(virtuoso_server, monkeypatch):
    monkeypatch.setenv("DTA_KG_SPARQL_USER", virtuoso_server.user)
    monkeypatch.setenv("DTA_KG_SPARQL_PASSWORD", virtuoso_server.password)
    monkeypatch.setenv("DTA_KG_SPARQL_AUTH", "digest")
    return auth_from_env()


def studies(vt, graph: str = G) -> list[str]:
    rows = query(vt.sparql_url, BOND_WAI_SR_SPARQL, default_graph=graph)
    return [str(row["study"]) for row in rows]


def test_digest_push_query_push_again_same_counts(virtuoso_server, env_auth):
    vt, data = virtuoso_server, sample_rdf()
    assert env_auth == Auth(vt.user, vt.password, "digest")
    put_graph(vt.crud_auth_url, data, G, auth=env_auth)
    assert count_triples(vt.sparql_url, G) == len(data)
    assert studies(vt) == BOND_WAI_SR

    put_graph(vt.crud_auth_url, data, G, auth=env_auth)
    assert count_triples(vt.sparql_url, G) == len(data)
    assert studies(vt) == BOND_WAI_SR


def test_values_survive_the_round_trip(virtuoso_server, env_auth):
    vt, data = virtuoso_server, sample_rdf()
    put_graph(vt.crud_auth_url, data, "urn:dta-kg:roundtrip", auth=env_auth)
    back = get_graph(vt.crud_auth_url, "urn:dta-kg:roundtrip", auth=env_auth)
    assert isomorphic(canonical(back), canonical(data))
    rows = query(vt.sparql_url, "SELECT ?t ?y WHERE { ?s <http://purl.org/dc/terms/title> ?t ; "
                 "<http://purl.org/spar/fabio/hasPublicationYear> ?y }",
                 default_graph="urn:dta-kg:roundtrip")
    by_title = {str(r["t"]): r["y"] for r in rows}
    year = Literal("2022", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))
    assert by_title["Bond with a chatbot – a trial in Zürich"] == year
    assert "A long title\nover two lines" in by_title


def test_wrong_or_missing_credentials_are_refused(virtuoso_server):
    vt, data = virtuoso_server, sample_rdf()
    for auth in (None, Auth(vt.user, "wrong", "digest"), Auth(vt.user, vt.password, "basic")):
        with pytest.raises(SparqlStoreError, match="authentication refused"):
            put_graph(vt.crud_auth_url, data, "urn:dta-kg:refused", auth=auth)
    assert count_triples(vt.sparql_url, "urn:dta-kg:refused") == 0


def test_outage_is_reported_and_a_second_push_completes(virtuoso_server, env_auth):
    vt, data = virtuoso_server, sample_rdf()
    vt.stop()
    try:
        with pytest.raises(SparqlStoreError, match="unreachable"):
            put_graph(vt.crud_auth_url, data, "urn:dta-kg:outage", auth=env_auth, retries=1)
    finally:
        vt.restart()
    put_graph(vt.crud_auth_url, data, "urn:dta-kg:outage", auth=env_auth)
    assert count_triples(vt.sparql_url, "urn:dta-kg:outage") == len(data)
    assert URIRef(ID + "study-a") in {r["s"] for r in query(
        vt.sparql_url, "SELECT ?s WHERE { ?s a ?t }", default_graph="urn:dta-kg:outage")}
