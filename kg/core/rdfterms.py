"""RDF terms as plain Python: the one place that turns a term into a value.

Three kinds of term reach the code: pyoxigraph's (query answers, stores), rdflib's (SHACL,
remote answers, tests) and the loaders' own plain terms (IRIs as `str`, blank nodes as `_:id`,
literals as `Lit`), which stream to N-Triples without building a graph. `plain_term` turns any of
them into a plain term and `python_value` into a value: IRIs as text, numbers, booleans.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
STRING, BOOLEAN, INTEGER, DECIMAL = (XSD + t for t in ("string", "boolean", "integer", "decimal"))
DATETIME = XSD + "dateTime"
LANG_STRING = RDF + "langString"
INTEGERS = frozenset(XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte"))
DECIMALS = frozenset(XSD + t for t in ("decimal", "double", "float"))
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


def lit(value: Any, datatype: str | None = None) -> Lit:
    """A literal from a Python value; `datatype` overrides the one its type implies."""
    if isinstance(value, bool):
        return Lit("true" if value else "false", BOOLEAN)
    if isinstance(value, int) and datatype is None:
        return Lit(str(value), INTEGER)
    if datatype == DATETIME:
        return Lit(dt.datetime.fromisoformat(str(value)).isoformat(), DATETIME)
    return Lit(str(value), datatype or STRING)


def literal_value(lexical: str, datatype: str) -> str | int | float | bool:
    """A literal's value: integers and decimals as numbers, booleans as such, the rest as text
    (and a number whose lexical form is not one, such as `"x"^^xsd:integer`, as its text)."""
    try:
        if datatype in INTEGERS:
            return int(lexical)
        if datatype in DECIMALS:
            return float(lexical)
    except ValueError:
        return lexical
    if datatype == BOOLEAN:
        return lexical in ("true", "1")
    return lexical


def plain_term(term: Any) -> Term:
    """A pyoxigraph, rdflib or plain term as a plain term (see the module docstring)."""
    if isinstance(term, Lit):
        return term
    kind = type(term).__name__
    if isinstance(term, str):  # rdflib's terms are strings; a plain IRI or blank node too
        if kind == "Literal":
            datatype = term.datatype  # type: ignore[attr-defined]
            language = term.language  # type: ignore[attr-defined]
            return Lit(str(term), str(datatype) if datatype else LANG_STRING if language else STRING)
        return f"_:{term}" if kind == "BNode" else str(term)
    if kind == "Literal":  # pyoxigraph
        return Lit(term.value, term.datatype.value)
    return f"_:{term.value}" if kind == "BlankNode" else term.value


def python_value(term: Any) -> str | int | float | bool | None:
    """Any term as a plain value (None stays None): IRIs as text, blank nodes as `_:id`."""
    if term is None:
        return None
    plain = plain_term(term)
    return literal_value(plain.lexical, plain.datatype) if isinstance(plain, Lit) else plain
