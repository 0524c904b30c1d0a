"""Read database search exports (RIS, BibTeX, CSV, PubMed MEDLINE/.nbib) into candidate entries.

Unlike a study import, a search export may hold records with no DOI or no author: only a title
is required. RIS and BibTeX go through the reference-manager readers of
`dta_kg.loaders.bibliography` (rispy, bibtexparser); CSV through the csv module; MEDLINE, which
no maintained library reads, through the small reader below."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DOI_PATTERN, normalise_doi
from dta_kg.core.limits import SEARCH_EXPORT_BYTES, read_input

from .bibliography import BibEntry, _bibtex, _first, _ris, _year, parse_author

# file suffix -> the export's format (one of the registry's SEARCH_EXPORT_FORMATS)
SEARCH_FORMATS = {".ris": "ris", ".bib": "bibtex", ".bibtex": "bibtex", ".csv": "csv",
                  ".nbib": "medline", ".medline": "medline", ".txt": "medline"}
_RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ?")  # 'TI  - A title' (ER may have no value)
_RIS_WRAPPED = ("AB", "N2", "N1", "T1", "TI")  # tags whose long values some exporters wrap
_MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- (.*)$")


def _fail(path: Path, record: str, field: str, problem: str, fix: str) -> NoReturn:
    raise RecordError(path, field, problem, fix, record)


def check_ris_lines(text: str, path: Path) -> None:
    """Refuse a line that is neither a tag line ('XX  - value') nor the continuation of a
    wrapped abstract or title: rispy would drop it silently."""
    tag, record = "", 1
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if _RIS_LINE.match(line):
            tag = line[:2]
            if tag == "ER":
                record += 1
            continue
        if tag in _RIS_WRAPPED and line.startswith((" ", "\t")):
            continue
        shown = line.strip()[:40]
        _fail(path, f"record {record}", f"line {n}",
              f"'{shown}' is not an RIS tag line", "write it as 'XX  - value' (two letters, "
              "two spaces, a hyphen) or re-export the file")


def _ris_export(text: str, path: Path) -> list[BibEntry]:
    check_ris_lines(text, path)
    return _ris(text, path)


def csv_rows(text: str, path: Path) -> tuple[list[str], list[dict[str, str | None]]]:
    """The header and the rows of the CSV `text`. A row with more cells than the header, or
    text the csv module cannot read (a cell over its 131,072-character limit, a stray
    quote), is a RecordError naming the row."""
    reader = csv.DictReader(io.StringIO(text, newline=""))  # a lone CR ends a row too
    rows: list[dict[str, str | None]] = []
    try:
        header = list(reader.fieldnames or [])
        for row in reader:
            if None in row:
                _fail(path, f"row {len(rows) + 2}", "", "has more cells than the header has "
                      "columns", "quote cells that hold commas")
            rows.append(row)
    except csv.Error as exc:
        _fail(path, f"line {reader.line_num + 1}", "", f"is not readable CSV ({exc})",
              "check that it is a CSV export: quotes closed, no cell over 131,072 characters")
    return header, rows


def _csv(text: str, path: Path) -> list[BibEntry]:
    header, rows = csv_rows(text, path)
    columns = {c.strip().casefold(): c for c in header}
    if "title" not in columns:
        _fail(path, "header", "title", "the CSV has no 'title' column",
              "name the columns title, doi, authors (separated by ';'), year, abstract, journal")

    def cell(row: dict, *names: str) -> str | None:
        for name in names:
            if name in columns:
                value = row.get(columns[name])
                if isinstance(value, str) and value.strip():
                    return " ".join(value.split())
        return None

    entries = []
    for i, row in enumerate(rows, 1):
        authors = cell(row, "authors", "author") or ""
        entries.append(BibEntry(
            record=f"row {i + 1}", doi=cell(row, "doi"), title=cell(row, "title"),
            year=_year(cell(row, "year", "publication year", "date")),
            authors=tuple(parse_author(a) for a in authors.split(";") if a.strip()),
            venue=cell(row, "journal", "venue", "source title", "source"),
            pmid=cell(row, "pmid"), abstract=cell(row, "abstract")))
    return entries


def medline_records(text: str, path: Path) -> Iterator[list[tuple[str, str]]]:
    """Each record of a MEDLINE text export as (tag, value) pairs, continuation lines joined."""
    fields: list[tuple[str, str]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                yield fields
                fields = []
            continue
        if line.startswith("      ") and fields:  # a continuation line
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        found = _MEDLINE_LINE.match(line)
        if not found:
            _fail(path, f"record {n}", f"line {n}", f"'{line.strip()[:40]}' is not a MEDLINE "
                  "line", "write it as 'TAG - value' or re-export the file from PubMed")
        fields.append((found.group(1), found.group(2).strip()))
    if fields:
        yield fields


def _medline(text: str, path: Path) -> list[BibEntry]:
    entries = []
    for i, fields in enumerate(medline_records(text, path), 1):
        values: dict[str, list[str]] = {}
        for tag, value in fields:
            values.setdefault(tag, []).append(value)
        ids = values.get("LID", []) + values.get("AID", [])
        doi = next((v.removesuffix(" [doi]") for v in ids if v.endswith(" [doi]")), None)
        pmid = _first(values.get("PMID"))
        entries.append(BibEntry(
            record=f"PMID {pmid}" if pmid else f"record {i}", doi=doi,
            title=_first(values.get("TI")), year=_year(_first(values.get("DP"))),
            authors=tuple(values.get("AU") or [parse_author(a) for a in values.get("FAU", [])]),
            venue=_first(values.get("TA"), values.get("JT")), volume=_first(values.get("VI")),
            issue=_first(values.get("IP")), pages=_first(values.get("PG")), pmid=pmid,
            abstract=_first(values.get("AB"))))
    return entries


PARSERS: dict[str, Callable[[str, Path], list[BibEntry]]] = {
    "ris": _ris_export, "bibtex": _bibtex, "csv": _csv, "medline": _medline}


def sniff_export(text: str, path: Path) -> str:
    """The export's format, from its file name, else from its first line."""
    if path.suffix.lower() in SEARCH_FORMATS and path.suffix.lower() != ".txt":
        return SEARCH_FORMATS[path.suffix.lower()]
    head = text.lstrip()[:200]
    if head.startswith("TY  -"):
        return "ris"
    if head.startswith("@"):
        return "bibtex"
    if head.startswith("PMID"):
        return "medline"
    _fail(path, "", "", "is neither RIS, BibTeX, CSV nor MEDLINE",
          "name it .ris, .bib, .csv or .nbib, or give --format")


def check_candidate(entry: BibEntry, path: Path) -> BibEntry:
    """A candidate needs a title; a DOI, when given, must be one; a year must be possible."""
    if not entry.title:
        _fail(path, entry.record, "title", "is empty", "every search record needs its title")
    doi = entry.doi
    if doi:
        doi = normalise_doi(doi)
        if not DOI_PATTERN.match(doi):
            _fail(path, entry.record, "doi", f"'{entry.doi}' is not a DOI",
                  "write it as 10.<registrant>/<suffix> or leave it empty")
    year = entry.year
    latest = datetime.date.today().year + 1
    if year and (not year.isdigit() or not 1900 <= int(year) <= latest):
        _fail(path, entry.record, "year", f"'{year}' is not a possible publication year",
              f"give a year from 1900 to {latest} or leave it empty")
    pmid = entry.pmid
    if pmid and not pmid.isdigit():
        _fail(path, entry.record, "pmid", f"'{pmid}' is not a PMID", "write digits only")
    return BibEntry(**{**entry.__dict__, "doi": doi, "title": " ".join(entry.title.split())})


def read_search_export(path: Path, fmt: str | None = None) -> tuple[str, bytes, list[BibEntry]]:
    """The format, the raw bytes and the checked entries of a search export."""
    raw = read_input(path, SEARCH_EXPORT_BYTES, "a database search export", "split the export")
    if b"\x00" in raw:
        _fail(path, "", "", "is binary, not a text export", "export RIS, BibTeX, CSV or MEDLINE")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(path, "", "", "is not UTF-8 text", "export the file as UTF-8")
    fmt = fmt or sniff_export(text, path)
    entries = PARSERS[fmt](text, path)
    if not entries:
        _fail(path, "", "", "holds no records", "export at least one record")
    return fmt, raw, [check_candidate(e, path) for e in entries]
