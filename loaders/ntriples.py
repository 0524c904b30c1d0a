"""Plain RDF terms (`dta_kg.core.rdfterms`) written as N-Triples, the build's streaming format.

Every IRI written is checked first: a value that is not an IRI (say, a licence written as
'CC BY 4.0') raises InvalidIri instead of corrupting the file.
"""

from __future__ import annotations

from dta_kg.core.errors import InvalidIri
from dta_kg.core.iris import IRI_PATTERN
from dta_kg.core.rdfterms import STRING, Lit, Term, Triple


def iri_ref(iri: str, where: str = "") -> str:
    """`<iri>`, after checking that it is an IRI (InvalidIri otherwise)."""
    checked = _CHECKED.get(iri)
    if checked:
        return checked
    if not _is_iri(iri):
        raise InvalidIri(iri, where)
    if len(_CHECKED) < 100_000:  # predicates, classes and terms recur in every record
        _CHECKED[iri] = f"<{iri}>"
    return f"<{iri}>"


_is_iri = IRI_PATTERN.fullmatch
_CHECKED: dict[str, str] = {}


def nt_term(term: Term) -> str:
    """N-Triples text of a term; a blank node is written as given ('_:b1'); every IRI is checked."""
    if isinstance(term, Lit):
        if term.datatype != STRING:
            iri_ref(term.datatype, "datatype")
        return term.nt()
    return term if term.startswith("_:") else iri_ref(term)


def nt_line(triple: Triple) -> str:
    s, p, o = triple
    try:
        return f"{nt_term(s)} {iri_ref(p)} {nt_term(o)} .\n"
    except InvalidIri as exc:
        raise InvalidIri(exc.value, f"a term of the triple of subject {s!r}, predicate {p!r}") from None
