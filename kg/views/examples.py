"""One worked example per main class of the ontology, taken from the built graph: the Turtle
of one instance (a fact about Beatty et al 2022 where there is one), for the vocabulary page."""

from __future__ import annotations

from typing import cast

from pyoxigraph import QuerySolutions

from dta_kg.core.paths import Project
from dta_kg.core.registry import model_classes
from dta_kg.pipeline.rdf_text import turtle_block
from dta_kg.stores.local import ensure_fresh, sparql_store

PREFERRED = "847991"  # Beatty et al 2022, the README's running example
EXAMPLE = """SELECT ?s WHERE {{ ?s a <{cls}> }}
ORDER BY DESC(CONTAINS(STR(?s), "{preferred}")) ?s LIMIT 1"""


def worked_examples(project: Project) -> dict[str, str]:
    """Class (as dta:Study) -> the Turtle of one instance (the graph is built first if stale)."""
    ensure_fresh(project)
    store = sparql_store(project)
    examples = {}
    for cls, iri in model_classes().items():
        found = list(cast(QuerySolutions, store.query(EXAMPLE.format(cls=iri, preferred=PREFERRED))))
        if not found:
            continue
        subject = found[0]["s"].value
        rows = cast(QuerySolutions, store.query(f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}"))
        pos = [(r["p"].value, str(r["o"])) for r in rows if not str(r["o"]).startswith("_:")]
        examples[cls] = turtle_block(subject, pos)
    return examples
