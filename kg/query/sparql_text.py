"""SPARQL text as text: comments and strings masked, prefixes declared, Oxigraph's extensions
dropped for other engines, a final ORDER BY split off, values bound. (What a text may do is
decided on its parse, in `sparql_guard`.)"""

from __future__ import annotations

import re

from dta_kg.core.iris import PREFIXES

_HIDDEN = re.compile(r"<[^<>\s]*>|\"\"\".*?\"\"\"|'''.*?'''|\"(?:[^\"\\\n]|\\.)*\"|"
                     r"'(?:[^'\\\n]|\\.)*'|#[^\n]*", re.DOTALL)
# a query's final ORDER BY when it sorts by plain variables only (no LIMIT or OFFSET after it)
_KEY = r"(?:(?:ASC|DESC)\s*\(\s*[?$]\w+\s*\)|[?$]\w+)"
_ORDER = re.compile(rf"\bORDER\s+BY\s+({_KEY}(?:\s*{_KEY})*)\s*$", re.IGNORECASE)
_ORDER_KEY = re.compile(r"(DESC)?\s*\(?\s*[?$](\w+)", re.IGNORECASE)
_DECLARED = re.compile(r"\bPREFIX\s+([\w.-]*):", re.IGNORECASE)


def blank(text: str, opaque: re.Pattern = _HIDDEN) -> str:
    """`text` with the `opaque` spans (by default SPARQL's IRIs, strings and comments) replaced
    by spaces, positions kept, so keywords and braces can be searched for."""
    return opaque.sub(lambda m: " " * len(m.group()), text)


def sparql11(text: str) -> str:
    """`text` without Oxigraph's LATERAL keyword, for other engines: the catalogue uses it only
    before a group whose patterns bind every outer variable they filter on, where a plain group
    means the same."""
    for word in reversed(list(re.finditer(r"(?<![?$\w:])LATERAL(?=\s*\{)", blank(text),
                                          re.IGNORECASE))):
        text = text[:word.start()] + text[word.end():]
    return text


def split_order(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """`text` without its final ORDER BY, and that order as (variable, descending) pairs, when
    it sorts by plain variables; otherwise `text` unchanged and no order."""
    match = _ORDER.search(blank(text))
    if not match:
        return text, []
    keys = [(m.group(2), bool(m.group(1))) for m in _ORDER_KEY.finditer(match.group(1))]
    return text[:match.start()], keys


def with_prefixes(text: str) -> str:
    """`text` with PREFIX lines for the usual prefixes it uses but does not declare."""
    masked = blank(text)
    declared = {m.group(1) for m in _DECLARED.finditer(masked)}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()
             if p not in declared and re.search(rf"(?<![\w?$]){re.escape(p)}:", masked)]
    return "\n".join([*lines, text]) if lines else text


def bind_values(text: str, terms: dict[str, str]) -> str:
    """`text` with each variable named in `terms` bound by a VALUES block (its RDF term in
    N-Triples syntax), as rdflib's SPARQLStore binds initBindings: the query text itself is not
    changed. A block opens every group that uses the variable, so the binding holds in each
    scope where the embedded engine's substitution would hold (sub-selects, MINUS, EXISTS);
    a sub-select's block opens its WHERE group, where its projection can see it."""
    if not terms:
        return text
    masked = blank(text)
    opened: list[int] = []  # positions of the open braces around the current one
    where: dict[int, int] = {}  # a sub-select's brace -> the brace of its WHERE group
    pattern = re.compile(r"[{}]|[?$](" + "|".join(map(re.escape, terms)) + r")(?!\w)")
    wanted: dict[int, set[str]] = {}
    for match in pattern.finditer(masked):
        token, at = match.group(), match.start()
        if token == "{":
            if opened and opened[-1] in where and where[opened[-1]] < 0:
                where[opened[-1]] = at  # the first group inside a sub-select is its WHERE
            if re.match(r"\s*SELECT\b", masked[at + 1:], re.IGNORECASE):
                where[at] = -1
            opened.append(at)
        elif token == "}":
            if opened:
                opened.pop()
        elif opened:
            wanted.setdefault(opened[-1], set()).add(match.group(1))
    targets: dict[int, set[str]] = {}
    for brace, names in wanted.items():
        targets.setdefault(where.get(brace, brace), set()).update(names)
    for brace in sorted(targets, reverse=True):
        blocks = " ".join(f"VALUES ?{name} {{ {terms[name]} }}" for name in sorted(targets[brace]))
        text = f"{text[:brace + 1]} {blocks}{text[brace + 1:]}"
    return text
