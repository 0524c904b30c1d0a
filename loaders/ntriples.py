"""Plain RDF terms: IRIs are `str` (blank nodes `_:id`), literals `Lit`; written as N-Triples.

The loaders emit these instead of rdflib terms, so a large corpus streams straight to an
N-Triples file (and into Oxigraph) without building an rdflib graph.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
STRING, BOOLEAN, INTEGER, DECIMAL = (XSD + t for t in ("string", "boolean", "integer", "decimal"))
DATETIME, GYEAR, GYEARMONTH = (XSD + t for t in ("dateTime", "gYear", "gYearMonth"))
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Lit(NamedTuple):
    """A literal: its lexical form and datatype IRI."""

    lexical: str
    datatype: str = STRING

    def nt(self) -> str:
        text = f'"{self.lexical.translate(_ESCAPES)}"'
        return text if self.datatype == STRING else f"{text}^^<{self.datatype}>"


Term = str | Lit
Triple = tuple[str, str, Term]


def lit(value, datatype: str | None = None) -> Lit:
    """A literal from a Python value; `datatype` overrides the one its type implies."""
    if isinstance(value, bool):
        return Lit("true" if value else "false", BOOLEAN)
    if isinstance(value, int) and datatype is None:
        return Lit(str(value), INTEGER)
    if datatype == DATETIME:
        return Lit(dt.datetime.fromisoformat(str(value)).isoformat(), DATETIME)
    return Lit(str(value), datatype or STRING)


def nt_term(term: Term) -> str:
    """N-Triples text of a term; a blank node is written as given ('_:b1')."""
    if isinstance(term, Lit):
        return term.nt()
    return term if term.startswith("_:") else f"<{term}>"


def nt_line(triple: Triple) -> str:
    s, p, o = triple
    return f"{nt_term(s)} <{p}> {nt_term(o)} .\n"
