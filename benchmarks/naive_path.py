"""The naive query path: a named SPARQL query on an rdflib graph held in memory.

Kept to check the fast path (Oxigraph store) against, in tests and benchmarks.
"""

from __future__ import annotations

from dta_kg.core.basis import with_basis
from dta_kg.core.iris import DTA
from dta_kg.core.vocabulary import KINDS, Vocabulary, words
from dta_kg.queries.catalogue import get
from dta_kg.query.session import Result
from dta_kg.query.sparql_text import sparql11


def naive_named(graph, name: str, given: dict[str, str]) -> Result:
    """Run the named query `name` with parameters `given` (text) on the rdflib `graph`."""
    from rdflib import Literal, URIRef

    from dta_kg.loaders.terms import terms_of

    vocab = Vocabulary(terms_of(graph))
    query = get(name)
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
    answer = graph.query(sparql11(query.text("sparql", values)), initBindings=bindings)
    hidden = {p.name for p in query.params}
    cols = [str(v) for v in answer.vars if str(v) not in hidden]
    # a row's basis rank read as basis and confidence, as the session does
    cols, rows = with_basis(cols, [{c: _plain(row[c]) for c in cols} for row in answer])
    return Result(cols, list(rows))


def _plain(term):
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, bool | int | float | str):
            return value
        if type(value).__name__ == "Decimal":
            return float(value)
        return str(term)
    return str(term)
