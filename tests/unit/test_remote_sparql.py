"""Named SPARQL queries, as sent to remote stores, are plain SPARQL 1.1."""

from __future__ import annotations

import pytest
from rdflib.plugins.sparql import prepareQuery

from dta_kg.queries.catalogue import catalogue
from dta_kg.query.sparql_text import sparql11, with_prefixes


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_named_query_parses_as_sparql_11_when_sent_remotely(name):
    query = catalogue()[name]
    every = {p.name: "x" for p in query.params}
    prepareQuery(with_prefixes(sparql11(query.text("sparql", every))))


def test_lateral_is_dropped_only_as_a_keyword():
    text = 'SELECT * WHERE { ?s ?p "LATERAL {" . LATERAL { ?s ?q ?o } } # LATERAL {'
    assert sparql11(text) == 'SELECT * WHERE { ?s ?p "LATERAL {" .  { ?s ?q ?o } } # LATERAL {'
