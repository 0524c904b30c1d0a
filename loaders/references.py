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


def _bib_value(text: str) -> str:
    escaped = re.sub(r"([&%$#_])", r"\\\1", text)
    return "{" + escaped.replace("{", "\\{").replace("}", "\\}") + "}"


def _bib_name(name: str) -> str:
    family, given = split_author(name)
    return f"{{{family}}}, {given}" if given else f"{{{family}}}"


def to_bibtex(entries: Iterable[BibEntry]) -> str:
    entries = list(entries)
    out = []
    for key, e in zip(citation_keys(entries), entries, strict=True):
        names = [_bib_name(a) for a in e.authors] + (["others"] if e.authors_truncated else [])
        fields = [("author", " and ".join(names)), ("title", e.title), ("journal", e.venue),
                  ("year", e.year), ("volume", e.volume), ("number", e.issue),
                  ("pages", e.pages), ("doi", e.doi),
                  ("pmid", e.pmid)]
        body = ",\n".join(f"  {name} = " + ("{" + value + "}" if name == "author"
                                             else _bib_value(value))
                          for name, value in fields if value)
        out.append(f"@article{{{key},\n{body}\n}}\n")
    return "\n".join(out)


def to_ris(entries: Iterable[BibEntry]) -> str:
    lines = []
    for e in entries:
        lines.append("TY  - JOUR")
        lines += [f"AU  - {family}, {given}".rstrip(", ") for family, given in map(split_author, e.authors)]
        start, _, end = (e.pages or "").partition("-")
        for tag, value in (("TI", e.title), ("T2", e.venue), ("PY", e.year), ("VL", e.volume),
                           ("IS", e.issue), ("SP", start), ("EP", end), ("DO", e.doi),
                           ("AN", f"PMID: {e.pmid}" if e.pmid else None)):
            if value:
                lines.append(f"{tag}  - {value}")
        lines += ["ER  - ", ""]
    return "\n".join(lines)


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
