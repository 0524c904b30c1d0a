"""The naive path, for comparison: parse the Turtle build with rdflib, then run a named query.

    python benchmarks/naive.py build/dta-kg.ttl studies-by-component '{"component": "bond"}'
"""

from __future__ import annotations

import json
import sys


def main(ttl: str, name: str, params: str) -> None:
    from rdflib import Graph, Literal, URIRef

    from dta_kg.loaders.vocabulary import terms_of
    from dta_kg.queries.catalogue import get
    from dta_kg.query import words
    from dta_kg.terms import KINDS, Vocabulary
    from dta_kg.vocab import DTA

    graph = Graph().parse(ttl, format="turtle")
    vocab = Vocabulary(terms_of(graph))
    query = get(name)
    given = json.loads(params)
    values, bindings = {}, {}
    for p in query.params:
        text = given.get(p.name, p.default)
        if text is None:
            values[p.name] = None
            continue
        if p.type in KINDS:
            value = URIRef(DTA + vocab.resolve(p.type, text))
        elif p.type == "factor":
            value = Literal(words(text))
        elif p.type == "boolean":
            value = Literal(str(text).lower() in ("true", "yes", "1"))
        elif p.type == "integer":
            value = Literal(int(text))
        else:
            value = Literal(text)
        values[p.name], bindings[p.name] = value, value
    rows = list(graph.query(query.text("sparql", values), initBindings=bindings))
    print(len(rows))


if __name__ == "__main__":
    main(*sys.argv[1:4])
