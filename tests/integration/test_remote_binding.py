"""Named queries sent to a remote endpoint bind their parameters with VALUES blocks; on the same
data they answer exactly as the embedded engine answers with its own substitution."""

from __future__ import annotations

import pyoxigraph
import pytest

from dta_kg.core.iris import PREFIXES
from dta_kg.core.rdfterms import python_value
from dta_kg.queries.catalogue import catalogue
from dta_kg.query.session import Session, sparql_bindings
from dta_kg.query.sparql_text import bind_values, sparql11, with_prefixes

GIVEN = {  # a value for every parameter a named query can take, as a user types it
    "component": "bond", "instrument": "WAI-SR", "factor": "privacy", "polarity": "barrier",
    "theme": "privacy-and-ethics",
    "intervention_type": "ai-powered-chatbot", "design": "qualitative-study", "year_from": "2022",
    "year_to": "2023", "study": "10.3389/fdgth.2022.847991", "include_retracted": "true",
}
# `studies` combines every filter: two of them still leave studies to compare
ONLY = {"studies": ("component", "instrument", "include_retracted")}


def rows(answer, columns) -> list[tuple]:
    return sorted(tuple(str(python_value(row[c])) for c in columns) for row in answer)


@pytest.mark.parametrize("name", sorted(q.name for q in catalogue().values() if q.params))
def test_values_blocks_answer_as_substitution_does(built_project, name):
    session = Session(built_project)
    query = catalogue()[name]
    given = {p.name: GIVEN[p.name] for p in query.params if p.name in ONLY.get(name, GIVEN)}
    values = session.bind(query, given)
    text = query.text("sparql", values)
    terms = sparql_bindings(query, values)
    substituted = session.store.query(text, prefixes=PREFIXES, substitutions={
        pyoxigraph.Variable(k): v for k, v in terms.items()})
    # the parameters' own columns are hidden from users, as `Session.sparql` hides them
    columns = [v.value for v in substituted.variables if v.value not in values]
    expected = rows(substituted, columns)
    bound = session.store.query(bind_values(with_prefixes(sparql11(text)),
                                            {k: str(v) for k, v in terms.items()}))
    assert rows(bound, columns) == expected
    assert expected, f"{name} finds nothing for {given}: the comparison would prove little"
