"""Plain RDF terms (`dta_kg.core.rdfterms`) written as N-Triples, the build's streaming format."""

from __future__ import annotations

from dta_kg.core.rdfterms import Lit, Term, Triple


def nt_term(term: Term) -> str:
    """N-Triples text of a term; a blank node is written as given ('_:b1')."""
    if isinstance(term, Lit):
        return term.nt()
    return term if term.startswith("_:") else f"<{term}>"


def nt_line(triple: Triple) -> str:
    s, p, o = triple
    return f"{nt_term(s)} <{p}> {nt_term(o)} .\n"
