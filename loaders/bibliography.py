"""Read reference-manager exports (BibTeX, RIS, CSL-JSON) into checked bibliographic entries."""

from __future__ import annotations

import datetime
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DOI_PATTERN, normalise_doi
from dta_kg.core.limits import BIBLIOGRAPHY_BYTES, read_input

FORMATS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csl-json",
           ".csl": "csl-json", ".csljson": "csl-json"}
_YEAR = re.compile(r"\b(\d{4})\b")
_RIS_TAG = re.compile(r"^(TY|ER)  -", re.MULTILINE)


@dataclass(frozen=True)
class BibEntry:
    """One reference, with authors written as in the review's list ('Escobar-Viera CG')."""

    record: str  # how error messages name it: a citation key, or 'record 3 (title…)'
    doi: str | None
    title: str | None
    year: str | None
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    venue: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    pmid: str | None = None
    abstract: str | None = None


def author_name(family: str, given: str = "") -> str:
    """'Escobar-Viera', 'César G.' -> 'Escobar-Viera CG'."""
    initials = "".join(part[0].upper() for word in given.split()
                       for part in word.split("-") if part and part[0].isalpha())
    return f"{family.strip()} {initials}".strip()


def parse_author(text: str) -> str:
    """'Surname, Given names' -> 'Surname Initials'; text without a comma is kept as written."""
    family, comma, given = text.partition(",")
    return author_name(family, given) if comma else " ".join(text.split())


def check_entry(entry: BibEntry, path: Path | str) -> BibEntry:
    """Refuse an entry without a usable DOI, title, year or author; return it with a clean DOI."""

    def fail(field: str, problem: str, fix: str) -> NoReturn:
        raise RecordError(path, field, problem, fix, entry.record)

    if not entry.doi:
        fail("doi", "is missing", "add the study's DOI (10.<registrant>/<suffix>)")
    doi = normalise_doi(entry.doi)
    if not DOI_PATTERN.match(doi):
        fail("doi", f"'{entry.doi}' is not a DOI", "write it as 10.<registrant>/<suffix>")
    title, year = (entry.title or "").strip(), (entry.year or "").strip()
    if not title:
        fail("title", "is empty", "give the study's title")
    latest = datetime.date.today().year + 1
    if not year.isdigit() or not 1900 <= int(year) <= latest:
        fail("year", f"'{year}' is not a possible publication year",
             f"give a year from 1900 to {latest}")
    if not entry.authors:
        fail("authors", "is empty", "list at least one author as 'Surname, Given'")
    return BibEntry(**{**entry.__dict__, "doi": doi, "title": " ".join(title.split()), "year": year})


def _first(*values: object) -> str | None:
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None and str(value).strip():
            return " ".join(str(value).split())
    return None


def _year(*values: object) -> str | None:
    found = _YEAR.search(_first(*values) or "")
    return found.group(1) if found else _first(*values)


def _bibtex(text: str, path: Path) -> list[BibEntry]:
    # lazy: bibtexparser loads ~19 ms, only a BibTeX import needs it
    import bibtexparser
    from bibtexparser import middlewares as mw
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    # bibtexparser's own decoding, which also reads {\textbraceleft} and {\textbraceright}
    # (how a lone brace is written: BibTeX counts \{ as a brace)
    context = get_default_latex_context_db()
    context.add_context_category("dta-kg", prepend=True, macros=[
        MacroTextSpec("url", simplify_repl="%s"), MacroTextSpec("textbraceleft", "{"),
        MacroTextSpec("textbraceright", "}")])
    decoder = LatexNodes2Text(latex_context=context, keep_braced_groups=False,
                              math_mode="verbatim")
    log = logging.getLogger("bibtexparser")
    level, log.level = log.level, logging.CRITICAL
    try:
        library = bibtexparser.parse_string(text, append_middleware=[
            mw.SeparateCoAuthors(), mw.SplitNameParts(),  # on the LaTeX, where braces nest
            mw.LatexDecodingMiddleware(decoder=decoder)])
    except RecursionError:
        raise _too_deep(path, "") from None
    finally:
        log.setLevel(level)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        key = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]*)", block.raw or "")
        name = key.group(1) if key and key.group(1) else f"block at line {(block.start_line or 0) + 1}"
        raise RecordError(path, "", f"is truncated or malformed in the entry at line "
                          f"{(block.start_line or 0) + 1}", "fix or re-export that entry", name)
    entries = []
    for e in library.entries:
        f = {field.key.lower(): field.value for field in e.fields}
        names = f.get("author", [])
        names = names if isinstance(names, list) else []
        decode = decoder.latex_to_text  # names are split on the LaTeX, then decoded
        try:  # pylatexenc recurses into each brace
            authors = [author_name(decode(" ".join(n.von + n.last + n.jr)),
                                   decode(" ".join(n.first)))
                       for n in names if " ".join(n.last).casefold() != "others"]
        except RecursionError:
            raise _too_deep(path, e.key) from None
        entries.append(BibEntry(
            record=e.key, doi=_first(f.get("doi")), title=_first(f.get("title")),
            year=_year(f.get("year"), f.get("date")), authors=tuple(authors),
            authors_truncated=len(authors) < len(names),
            venue=_first(f.get("shortjournal"), f.get("journal"), f.get("journaltitle"),
                         f.get("booktitle")),
            volume=_first(f.get("volume")), issue=_first(f.get("number"), f.get("issue")),
            pages=_first(f.get("pages", "").replace("--", "-")), pmid=_first(f.get("pmid")),
            abstract=_first(f.get("abstract"))))
    return entries


def _too_deep(path: Path, record: str) -> RecordError:
    return RecordError(path, "", "nests braces too deeply to be read",
                       "fix or re-export that entry", record)


def _ris(text: str, path: Path) -> list[BibEntry]:
    # lazy: only an RIS import needs it
    import rispy

    tags = _RIS_TAG.findall(text)
    if tags.count("TY") != tags.count("ER"):
        raise RecordError(path, "", "is truncated: a record starting with 'TY  -' has no "
                          "'ER  -' end tag", "re-export the file", f"record {tags.count('ER') + 1}")
    entries = []
    for i, r in enumerate(rispy.loads(text), 1):
        pages = "-".join(p for p in (_first(r.get("start_page")), _first(r.get("end_page"))) if p)
        title = _first(r.get("title"), r.get("primary_title"))
        entries.append(BibEntry(
            record=f"record {i} ({(title or 'untitled')[:40]})", doi=_first(r.get("doi")),
            title=title, year=_year(r.get("year"), r.get("publication_year"), r.get("date")),
            authors=tuple(parse_author(a) for a in r.get("authors") or r.get("first_authors") or []),
            venue=_first(r.get("alternate_title1"), r.get("alternate_title2"),
                         r.get("journal_name"), r.get("secondary_title"), r.get("alternate_title3")),
            volume=_first(r.get("volume")), issue=_first(r.get("number")), pages=pages or None,
            abstract=_first(r.get("abstract"), r.get("notes_abstract"))))
    return entries


def _csl_year(issued: object) -> str | None:
    """The year of a CSL `issued` value in any shape exports use: {"date-parts": [[2025, 1]]},
    a flat {"date-parts": [2025]}, {"raw": "2025-01"}, {"literal": ...} or plain "2025"."""
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        while isinstance(parts, list) and parts:
            parts = parts[0]
        if isinstance(parts, str | int) and not isinstance(parts, bool):
            return _year(str(parts))
        issued = issued.get("raw") or issued.get("literal") or issued.get("season")
    if isinstance(issued, str | int) and not isinstance(issued, bool):
        return _year(str(issued))
    return None


def _csl_json(text: str, path: Path) -> list[BibEntry]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(path, "", f"is not valid CSL-JSON at line {exc.lineno}: {exc.msg}",
                          "re-export the file (it may be truncated)") from exc
    except RecursionError as exc:
        raise RecordError(path, "", "is nested too deeply to be CSL-JSON",
                          "export as CSL-JSON (a list of flat items)") from exc
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise RecordError(path, "", "is not a CSL-JSON list of items", "export as CSL-JSON")
    entries = []
    for i, item in enumerate(items, 1):
        people = [a for a in item.get("author") or [] if isinstance(a, dict)]
        entries.append(BibEntry(
            record=str(item.get("id") or f"item {i}"), doi=_first(item.get("DOI")),
            title=_first(item.get("title")), year=_csl_year(item.get("issued")),
            authors=tuple(author_name(a.get("family", ""), a.get("given", "")) if a.get("family")
                          else _first(a.get("literal")) or "" for a in people),
            venue=_first(item.get("container-title-short"), item.get("journalAbbreviation"),
                         item.get("container-title")),
            volume=_first(item.get("volume")), issue=_first(item.get("issue")),
            pages=_first(item.get("page")), pmid=_first(item.get("PMID"))))
    return entries


PARSERS: dict[str, Callable[[str, Path], list[BibEntry]]] = {
    "bibtex": _bibtex, "ris": _ris, "csl-json": _csl_json}


def sniff(text: str, path: Path) -> str:
    if path.suffix.lower() in FORMATS:
        return FORMATS[path.suffix.lower()]
    head = text.lstrip()[:200]
    if head.startswith("@"):
        return "bibtex"
    if head.startswith("TY  -"):
        return "ris"
    if head[:1] in "[{":
        return "csl-json"
    raise RecordError(path, "", "is neither BibTeX, RIS nor CSL-JSON",
                      "name it .bib, .ris or .json")


def read_bibliography(path: Path) -> list[BibEntry]:
    """Every entry of `path`, checked; the first bad entry raises a RecordError naming it."""
    raw = read_input(path, BIBLIOGRAPHY_BYTES, "a reference export",
                     "import it in parts, or check that it is the right file")
    if b"\x00" in raw:
        raise RecordError(path, "", "is binary, not a text export",
                          "export BibTeX, RIS or CSL-JSON text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text", "export the file as UTF-8") from exc
    entries = PARSERS[sniff(text, path)](text, path)
    if not entries:
        raise RecordError(path, "", "holds no references", "export at least one reference")
    checked = [check_entry(e, path) for e in entries]
    seen: dict[str, str] = {}
    for e in checked:
        if e.doi in seen:
            raise RecordError(path, "doi", f"duplicate DOI '{e.doi}', also in {seen[e.doi]}",
                              "keep one entry per study", e.record)
        seen[e.doi or ""] = e.record
    return checked
