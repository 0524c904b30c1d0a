"""The valid terms of each controlled list, with labels and synonyms (`dta-kg vocab`)."""

from __future__ import annotations

from dta_kg.core.errors import DtaKgError
from dta_kg.core.output import text_key
from dta_kg.core.vocabulary import LISTS
from dta_kg.query.session import Result, Session

FACTORS = """
SELECT ?factor ?polarity ?theme (COUNT(DISTINCT ?study) AS ?studies) WHERE {
  ?f a dta:FactorReport ; rdfs:label ?factor ; dta:aboutStudy ?study .
  FILTER NOT EXISTS { ?f dta:retracted true }
  OPTIONAL { ?f dta:polarity/rdfs:label ?polarity }
  OPTIONAL { ?f dta:theme/rdfs:label ?theme }
} GROUP BY ?factor ?polarity ?theme"""
POPULATIONS = """
SELECT ?population (COUNT(DISTINCT ?study) AS ?studies) WHERE {
  ?p a dta:PopulationReport ; dta:populationDescription ?population ; dta:aboutStudy ?study .
  FILTER NOT EXISTS { ?p dta:retracted true }
} GROUP BY ?population"""


def vocab_lists(session: Session) -> Result:
    """Each list with how many terms it has."""
    rows = [{"list": name, "terms": len(terms(session, name).rows), "option": option}
            for name, (_, option) in LISTS.items()]
    return Result(["list", "terms", "option"], rows)


def terms(session: Session, name: str) -> Result:
    """The terms of the list `name` (components, instruments, themes, factors, ...)."""
    if name not in LISTS:
        raise DtaKgError(f"unknown list '{name}'; use one of {', '.join(LISTS)}")
    kind = LISTS[name][0]
    if name == "factors":
        rows = session.sparql(FACTORS, trusted=True).rows
        rows.sort(key=lambda r: text_key(str(r["factor"])))
        return Result(["factor", "polarity", "theme", "studies"], rows)
    if name == "populations":
        rows = session.sparql(POPULATIONS, trusted=True).rows
        rows.sort(key=lambda r: text_key(str(r["population"])))
        return Result(["population", "studies"], rows)
    vocab = session.vocabulary
    rows = []
    for t in sorted(vocab.of_kind(kind), key=lambda t: text_key(t.label)):
        row: dict[str, object] = {"id": t.id, "label": t.label, "synonyms": list(t.alt_labels)}
        if name == "instruments":
            parent = vocab.terms.get(t.parent) if t.parent else None
            row |= {"class": t.cls, "subscale_of": parent.label if parent else None,
                    "measures": [vocab.terms[c].label for c in t.measures if c in vocab.terms]}
        rows.append(row)
    columns = ["id", "label", "synonyms"]
    return Result(columns + (["class", "subscale_of", "measures"] if name == "instruments" else []),
                  rows)
