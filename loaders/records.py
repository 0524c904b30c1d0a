"""Read curated YAML records into typed objects; every error names file, record and field."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError
from dta_kg.core.files import recover_journal
from dta_kg.core.iris import study_iri
from dta_kg.core.model import Corpus, Review, Study
from dta_kg.core.paths import Project
from dta_kg.core.vocabulary import Vocabulary

from .fields import Fields
from .record_reader import read_record
from .review_text import SOURCES
from .screening import RUNS_FOLDER
from .terms import read_instruments
from .yaml_io import read_yaml


def study_from_data(data: Any, path: Path, vocab: Vocabulary) -> Study:
    """Build a Study from one parsed record."""
    record = str(data.get("doi", "")) if isinstance(data, dict) else ""
    study: Study = read_record(Fields(data, path, "", record), Study, vocab, path=path)
    return study


def read_study(path: Path, vocab: Vocabulary, digests: dict[str, str] | None = None) -> Study:
    return study_from_data(read_yaml(path, digests), path, vocab)


def read_review(path: Path, vocab: Vocabulary, digests: dict[str, str] | None = None) -> Review:
    review: Review = read_record(Fields(read_yaml(path, digests), path, "", "review"), Review,
                                 vocab, path=path)
    return review


def study_names(folder: Path) -> list[str]:
    """The names of the study record files in `folder` (`*.yaml`, hidden ones left out),
    sorted. Sorting text rather than paths keeps this fast at 100,000 records. Every such
    name is listed, whatever it is, so that reading it refuses a FIFO, a device, a folder or
    a symlink rather than the record being left out unseen."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries
                          if e.name.endswith(".yaml") and not e.name.startswith("."))
    except FileNotFoundError:
        return []


def check_layout(project: Project) -> None:
    """Refuse, in one line, a records folder whose own folders or named files are symbolic
    links or not what they must be: a symlinked `studies/` or `screening/` would have records
    read from, and written to, a folder outside the records."""
    folders = (project.studies, project.screening, project.screening / RUNS_FOLDER,
               project.records / SOURCES)
    for path in (*folders, project.review, project.instruments):
        try:
            mode = os.lstat(path).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise RecordError(path, "", f"cannot be read ({exc.strerror})", "check the path") from exc
        want, is_kind = ("a folder", stat.S_ISDIR) if path in folders else ("a file", stat.S_ISREG)
        if stat.S_ISLNK(mode) or not is_kind(mode):
            what = "a symbolic link" if stat.S_ISLNK(mode) else f"not {want}"
            raise RecordError(path, "", f"is {what}; the records folder holds its own records "
                              "only", f"put {want} of records there in its place")


def study_paths(project: Project) -> list[Path]:
    recover_journal(project.records)  # a curator's write killed after its commit point
    check_layout(project)
    folder = project.studies
    return [folder / name for name in study_names(folder)]


def read_studies(paths: Iterable[Path], vocab: Vocabulary) -> tuple[Study, ...]:
    studies = tuple(read_study(p, vocab) for p in paths)
    by_doi: dict[str, Path] = {}
    by_ref: dict[int, Path] = {}
    for s in studies:
        key = study_iri(s.doi)  # DOIs that differ only in punctuation share an IRI
        if key in by_doi:
            raise RecordError(s.path, "doi", f"duplicate DOI '{s.doi}' (the same study IRI as the "
                              f"DOI in {by_doi[key].name})", "keep one record per study", s.doi)
        by_doi[key] = s.path
        if s.ref is not None:
            if s.ref in by_ref:
                raise RecordError(s.path, "ref", f"reference {s.ref} is also {by_ref[s.ref].name}",
                                  "give each study the review's own reference number", s.doi)
            by_ref[s.ref] = s.path
    return studies


def read_corpus(project: Project, vocab: Vocabulary) -> Corpus:
    """The review, the curator-added instruments and every study record of `project`."""
    instruments = read_instruments(project.instruments, vocab)
    vocab = vocab.with_terms([i.term for i in instruments])
    return Corpus(review=read_review(project.review, vocab),
                  studies=read_studies(study_paths(project), vocab), instruments=instruments)
