"""Find a study's record file by what a curator knows of it (see `dta_kg.core.lookup`), and
every study's DOI, title and year (the originals of search candidates' duplicates)."""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
from pathlib import Path
from typing import Any, TypeGuard

from dta_kg.core.errors import OutputError, RecordError
from dta_kg.core.files import owning, write_atomic
from dta_kg.core.iris import DOI_PATTERN, normalise_doi
from dta_kg.core.limits import STUDY_TITLES_BYTES, TooLarge, load_json, read_bytes
from dta_kg.core.lookup import AmbiguousStudy, StudyKey, citation
from dta_kg.core.lookup import find_study as lookup_study
from dta_kg.core.model import surname
from dta_kg.core.paths import Project
from dta_kg.loaders.records import study_paths
from dta_kg.loaders.yaml_io import parse_yaml, read_record_bytes, read_yaml
from dta_kg.pipeline.manifest import record_index


def study_index(project: Project) -> dict[str, Path]:
    """Normalised DOI -> record file, for every study record (from the build's index when the
    stores are fresh, so that a write at 100,000 records reads none of the others)."""
    built = record_index(project)
    if built is not None:
        return {doi: project.studies / name for doi, name in built.items()}
    index = {}
    for path in study_paths(project):
        data = read_yaml(path)
        if isinstance(data, dict) and data.get("doi"):
            index[normalise_doi(str(data["doi"]))] = path
    return index


STUDY_TITLES = "study-titles.json"  # in build/: record name -> [SHA-256, DOI, title, year]


def graph_studies(project: Project) -> list[tuple[str, str, int | None]]:
    """(DOI, title, year) of every study record (with a DOI and a title), the originals search
    candidates are checked against. The build folder keeps each record's by the SHA-256 of its
    bytes, so a record is parsed again only when its bytes changed."""
    path = project.build / STUDY_TITLES
    try:
        kept = load_json(read_bytes(path, STUDY_TITLES_BYTES, "the study titles cache", "")
                         .decode("utf-8"))
    except (OSError, ValueError, TooLarge):
        kept = None  # none yet, or unreadable: read every record
    cached = kept if isinstance(kept, dict) else {}
    entries: dict[str, list[Any]] = {}
    found = []
    for record in study_paths(project):
        raw = read_record_bytes(record)
        digest = hashlib.sha256(raw).hexdigest()
        entry = cached.get(record.name)
        if not _kept_entry(entry, digest):
            entry = [digest]
            data = parse_yaml(raw, record)
            if isinstance(data, dict) and data.get("doi") and data.get("title"):
                year = data.get("year")
                entry += [str(data["doi"]), str(data["title"]),
                          year if isinstance(year, int) else None]
        entries[record.name] = entry
        if len(entry) == 4:
            found.append((entry[1], entry[2], entry[3]))
    if entries != cached:
        with owning(project.build), contextlib.suppress(OutputError):  # a cache: next time
            write_atomic(path, json.dumps(entries).encode(), parents=True)
    return found


def _kept_entry(entry: Any, digest: str) -> TypeGuard[list[Any]]:
    """True for a cache entry of the record whose bytes have `digest`: [digest] (a record with
    no DOI or no title) or [digest, DOI, title, year or None]."""
    return isinstance(entry, list) and bool(entry) and entry[0] == digest and (
        len(entry) == 1 or (len(entry) == 4 and isinstance(entry[1], str)
                            and isinstance(entry[2], str)
                            and (entry[3] is None or isinstance(entry[3], int))))


def study_keys(project: Project) -> dict[StudyKey, Path]:
    """What identifies each study record (DOI, reference number, citation) -> its file."""
    keys = {}
    for path in study_paths(project):
        data = read_yaml(path)
        if isinstance(data, dict) and data.get("doi"):
            authors = [str(a) for a in data.get("authors") or []]
            ref = data.get("ref")
            keys[StudyKey(normalise_doi(str(data["doi"])),
                          citation(authors, bool(data.get("authors_truncated")), data.get("year")),
                          surname(authors[0]) if authors else "", str(data.get("year") or ""),
                          ref if isinstance(ref, int) else None)] = path
    return keys


def find_study(project: Project, doi: str) -> Path:
    """The record file of the study that `doi` names: its DOI, citation ('Liu et al 2022',
    'Liu 2022') or reference number ('44', 'ref 44'). A RecordError says what is close when
    nothing matches; a name that fits several studies lists them."""
    built = record_index(project) if DOI_PATTERN.match(normalise_doi(doi)) else None
    if built and normalise_doi(doi) in built:  # a DOI the fresh build knows: no record read
        return project.studies / built[normalise_doi(doi)]
    keys = study_keys(project)
    try:
        found = lookup_study(doi, list(keys))
    except AmbiguousStudy as exc:
        raise RecordError(project.studies, "study", exc.listing,
                          "give the DOI, the year or the reference number", doi) from None
    if found is not None:
        return keys[found]
    key = normalise_doi(doi)
    if DOI_PATTERN.match(key):
        near = difflib.get_close_matches(key, [k.doi for k in keys], n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(near)})" if near else ""
        raise RecordError(project.studies, "doi", f"no study has DOI '{doi}'{hint}",
                          "add it first with `dta-kg study add` or `dta-kg study import`", doi)
    near = difflib.get_close_matches(doi, [k.citation for k in keys], n=3, cutoff=0.5)
    hint = f" (closest: {', '.join(near)})" if near else ""
    raise RecordError(project.studies, "study", f"no study is '{doi}'{hint}",
                      "give a DOI, a citation such as 'Liu et al 2022' or a reference number; "
                      "`dta-kg study list` lists them", doi)
