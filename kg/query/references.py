"""The bibliographic data of studies, read from the built graph, as reference entries."""

from __future__ import annotations

from dta_kg.core.iris import study_iri
from dta_kg.loaders.bibliography import BibEntry
from dta_kg.query.session import Session

BIBLIOGRAPHY = """
SELECT ?study ?doi ?title ?year ?truncated ?venue ?volume ?issue ?pages ?pmid ?cited WHERE {
  VALUES ?study { %s }
  ?study bibo:doi ?doi ; dcterms:title ?title ; fabio:hasPublicationYear ?year .
  OPTIONAL { ?study dta:authorsTruncated ?truncated }
  OPTIONAL { ?study dcterms:isPartOf/dcterms:title ?venue }
  OPTIONAL { ?study bibo:volume ?volume }
  OPTIONAL { ?study bibo:issue ?issue }
  OPTIONAL { ?study bibo:pages ?pages }
  OPTIONAL { ?study bibo:pmid ?pmid }
  OPTIONAL { ?study dta:shortCitation ?cited }
}"""
AUTHORS = """
SELECT ?study ?node ?name WHERE {
  VALUES ?study { %s }
  ?study bibo:authorList ?head . ?head rdf:rest* ?node . ?node rdf:first ?name .
}"""


def _position(node: str, study: str) -> int:
    """Authors' list nodes are <study>-authors, <study>-authors-2, ...: their place."""
    tail = node.removeprefix(f"{study}-authors")
    return int(tail[1:]) if tail.startswith("-") and tail[1:].isdigit() else 1


def study_entries(session: Session, dois: list[str]) -> list[BibEntry]:
    """The studies with these DOIs, in that order, with their bibliographic data."""
    if not dois:
        return []
    iris = [study_iri(doi) for doi in dois]
    values = " ".join(f"<{iri}>" for iri in iris)
    rows = {r["study"]: r for r in session.sparql(BIBLIOGRAPHY % values, trusted=True).rows}
    names: dict[str, list[tuple[int, str]]] = {}
    for r in session.sparql(AUTHORS % values, trusted=True).rows:
        names.setdefault(r["study"], []).append((_position(r["node"], r["study"]), r["name"]))
    entries = []
    for iri in iris:
        found = rows.get(iri)
        if found is None:
            continue
        r = found
        text = {k: (None if r.get(k) is None else str(r[k])) for k in r}
        entries.append(BibEntry(
            record=text["cited"] or text["doi"] or iri, doi=text["doi"], title=text["title"],
            year=text["year"], authors=tuple(n for _, n in sorted(names.get(iri, []))),
            authors_truncated=r.get("truncated") is True, venue=text["venue"],
            volume=text["volume"], issue=text["issue"], pages=text["pages"], pmid=text["pmid"]))
    return entries

