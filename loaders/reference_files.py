"""Write studies as reference-manager files: BibTeX, RIS and CSL-JSON.

Each format is written so that `dta_kg.loaders.bibliography.read_bibliography` (and Zotero,
JabRef or EndNote) reads the same references back: DOI, title, year, authors, venue, volume,
issue, pages, and the PubMed id where the format has a field for it. Authors are kept as the
review lists them ('Escobar-Viera CG'), written 'Escobar-Viera, C. G.'; a list the review cut
short with "et al" ends with BibTeX's "and others".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from dta_kg.core.iris import slug
from dta_kg.core.registry import FILE_FORMATS
from dta_kg.loaders.bibliography import BibEntry

_INITIALS = re.compile(r"^[A-Z]{1,4}$")


def split_author(name: str) -> tuple[str, str]:
    """'Escobar-Viera CG' -> ('Escobar-Viera', 'C. G.'); a name without initials is all family."""
    family, _, initials = name.rpartition(" ")
    if family and _INITIALS.match(initials):
        return family, " ".join(f"{ch}." for ch in initials)
    return name, ""


def citation_keys(entries: list[BibEntry]) -> list[str]:
    """'beatty2022', with a, b, ... when two entries would share a key."""
    base = [f"{slug(split_author(e.authors[0])[0]).replace('-', '') if e.authors else 'anon'}"
            f"{e.year or ''}" for e in entries]
    keys = []
    for i, key in enumerate(base):
        if base.count(key) > 1:
            key += "abcdefghijklmnopqrstuvwxyz"[base[:i].count(key) % 26]
        keys.append(key)
    return keys


_PROTECTED = re.compile(r"(?<![\\\w])([A-Za-z0-9]*[A-Za-z0-9][A-Z][A-Za-z0-9]*)")  # CBT, mHealth


def _flat(value: str) -> str:
    """`value` on one line: a line break would end a RIS tag or a BibTeX comment."""
    return " ".join(value.split())


def _nested(text: str) -> bool:
    """True when the braces of `text` open and close in order."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _protected_title(encoded: str) -> str:
    """A LaTeX-encoded title with every word that has a capital past its first letter (CBT,
    WAI-SR, mHealth, ChatGPT) in braces, so that a bibliography style keeps its case."""
    return _PROTECTED.sub(r"{\1}", encoded)


def to_bibtex(entries: Iterable[BibEntry]) -> str:
    """BibTeX written by bibtexparser: every field LaTeX-encoded by pylatexenc, as its
    LatexEncodingMiddleware does but with no `$...$` kept as math (braces, &, %, $, #, _,
    accents), acronyms in titles protected, authors as 'Family, Given' joined by 'and' (a name
    holding ' and ' braced whole)."""
    # lazy: bibtexparser and pylatexenc load ~40 ms, only a BibTeX export needs them
    import bibtexparser
    from bibtexparser.model import Entry, Field
    from pylatexenc.latexencode import (
        RULE_DICT,
        RULE_REGEX,
        UnicodeToLatexConversionRule,
        UnicodeToLatexEncoder,
    )

    # a straight double quote is plain text inside a braced value (LaTeX would make it '');
    # BibTeX counts \{ and \} as braces, so a value whose braces do not nest writes them as
    # {\textbraceleft} and {\textbraceright}
    quote = UnicodeToLatexConversionRule(RULE_DICT, {ord('"'): '"'})
    words = UnicodeToLatexConversionRule(RULE_DICT, {ord("{"): r"{\textbraceleft}",
                                                     ord("}"): r"{\textbraceright}"})
    # and TeX's ligatures (-- a dash, '' a quote) are broken by an empty group
    ligatures = UnicodeToLatexConversionRule(RULE_REGEX, [(re.compile(r"([-'`!?])(?=[-'`])"),
                                                           r"\1{}")])
    nesting = UnicodeToLatexEncoder(conversion_rules=[ligatures, quote, "defaults"],
                                    replacement_latex_protection="braces-all")
    lone = UnicodeToLatexEncoder(conversion_rules=[ligatures, quote, words, "defaults"],
                                 replacement_latex_protection="braces-all")

    def encoded(text: str) -> str:
        return (nesting if _nested(text) else lone).unicode_to_latex(text)

    entries = list(entries)
    library = bibtexparser.Library()
    for key, e in zip(citation_keys(entries), entries, strict=True):
        library.add(Entry("article", key, [Field(name, _flat(value)) for name, value in (
            ("title", e.title), ("journal", e.venue), ("year", e.year), ("volume", e.volume),
            ("number", e.issue), ("pages", e.pages), ("doi", e.doi), ("pmid", e.pmid)) if value]))
    for entry in library.entries:
        for field in entry.fields:
            field.value = encoded(field.value)
    for entry, e in zip(library.entries, entries, strict=True):
        names = [encoded(", ".join(p for p in split_author(_flat(a)) if p)) for a in e.authors]
        names = [f"{{{n}}}" if " and " in n.lower() else n for n in names]
        entry.fields.insert(0, Field("author", " and ".join(
            names + (["others"] if e.authors_truncated else []))))
        if "title" in entry.fields_dict:
            entry.fields_dict["title"].value = _protected_title(entry.fields_dict["title"].value)
    return bibtexparser.write_string(library)


def to_ris(entries: Iterable[BibEntry]) -> str:
    """RIS written by rispy, every value on one line."""
    # lazy: only an RIS export needs it
    import rispy

    records = []
    for e in entries:
        start, _, end = (e.pages or "").partition("-")
        record: dict[str, object] = {"type_of_reference": "JOUR", "authors": [
            _flat(f"{family}, {given}".rstrip(", ")) for family, given in map(split_author, e.authors)]}
        for key, value in (("title", e.title), ("secondary_title", e.venue), ("year", e.year),
                           ("volume", e.volume), ("number", e.issue), ("start_page", start),
                           ("end_page", end), ("doi", e.doi),
                           ("accession_number", f"PMID: {e.pmid}" if e.pmid else None)):
            if value:
                record[key] = _flat(value)
        records.append(record)
    return rispy.dumps(records)


def to_csl_json(entries: Iterable[BibEntry]) -> str:
    entries = list(entries)
    items = []
    for key, e in zip(citation_keys(entries), entries, strict=True):
        item: dict = {"id": key, "type": "article-journal", "DOI": e.doi, "title": e.title,
                      "author": [{"family": f, "given": g} if g else {"family": f}
                                 for f, g in map(split_author, e.authors)],
                      "issued": {"date-parts": [[int(e.year)]]} if e.year else None,
                      "container-title": e.venue, "volume": e.volume, "issue": e.issue,
                      "page": e.pages, "PMID": e.pmid}
        items.append({k: v for k, v in item.items() if v})
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def write_references(entries: Iterable[BibEntry], fmt: str) -> str:
    """`entries` in reference format `fmt`, by the writer the registry names for it."""
    return FILE_FORMATS[fmt].load()(entries)
