"""Read the screening records (records/screening/) into typed objects, with the rules that span
them: candidate ids unique, duplicates pointing to an original, decisions on known candidates
with known reasons, a full-text exclusion with its reason."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError
from dta_kg.core.limits import SEARCH_RUN_BYTES
from dta_kg.core.paths import Project
from dta_kg.core.screening_model import Decision, ExclusionReason, Screening, SearchRun
from dta_kg.core.vocabulary import Vocabulary

from .fields import Fields
from .record_reader import read_record
from .yaml_io import read_yaml

REASONS_FILE = "reasons.yaml"
DECISIONS_FILE = "decisions.yaml"
RUNS_FOLDER = "runs"


def reasons_path(project: Project) -> Path:
    return project.screening / REASONS_FILE


def decisions_path(project: Project) -> Path:
    return project.screening / DECISIONS_FILE


def run_path(project: Project, run: str) -> Path:
    return project.screening / RUNS_FOLDER / f"{run}.yaml"


def run_paths(project: Project) -> list[Path]:
    folder = project.screening / RUNS_FOLDER
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith(".")) \
        if folder.is_dir() else []


def screening_files(project: Project) -> list[Path]:
    """Every screening record file of `project` (inputs of the build)."""
    named = [p for p in (reasons_path(project), decisions_path(project)) if os.path.lexists(p)]
    return [*named, *run_paths(project)]


def _list(path: Path, key: str) -> list[Fields]:
    """The records of the list `key` in the file `path` (none when the file is missing)."""
    if not os.path.lexists(path):  # a dangling symlink is read, and refused
        return []
    data = read_yaml(path)
    if data is None:
        return []
    f = Fields(data, path, "")
    f.allow((key,))
    return f.items(key)


# SHA-256 of a search run file's bytes -> its YAML data, for the runs of the last read: a
# command parses each run once, though its transaction checks the records again, and the run
# it writes not at all (`remember_run`). Keyed by content, it is never stale.
_RUN_DATA: dict[str, Any] = {}


def remember_run(text: str, data: Any) -> None:
    """Let a read of a run file holding exactly `text` take `data`, the data `text` was
    written from (by `dump_yaml`, whose text reads back as its data), without parsing it."""
    _RUN_DATA[hashlib.sha256(text.encode("utf-8")).hexdigest()] = data


def read_run(path: Path, vocab: Vocabulary, digests: dict[str, str] | None = None) -> SearchRun:
    data = read_yaml(path, digests, SEARCH_RUN_BYTES, _RUN_DATA)
    record = str(data.get("id", "")) if isinstance(data, dict) else ""
    run: SearchRun = read_record(Fields(data, path, "", record), SearchRun, vocab, path=path)
    if run.id != path.stem:
        raise RecordError(path, "id", f"'{run.id}' is not the file's name", f"name the file "
                          f"{run.id}.yaml or set id: {path.stem}", run.id)
    return run


def read_screening(project: Project, vocab: Vocabulary) -> Screening | None:
    """The screening records of `project`, checked; None when it has no screening folder."""
    if not project.screening.is_dir():
        return None
    read: dict[str, str] = {}
    runs = tuple(read_run(p, vocab, read) for p in run_paths(project))
    for digest in set(_RUN_DATA) - set(read.values()):
        del _RUN_DATA[digest]
    reasons = tuple(read_record(f, ExclusionReason, vocab)
                    for f in _list(reasons_path(project), "reasons"))
    decisions = tuple(read_record(f, Decision, vocab)
                      for f in _list(decisions_path(project), "decisions"))
    screening = Screening(runs=runs, reasons=reasons, decisions=decisions)
    check_screening(project, screening)
    return screening


def check_screening(project: Project, screening: Screening) -> None:
    """The rules across the screening records; the first broken one raises a RecordError."""
    reasons: set[str] = set()
    for reason in screening.reasons:
        if reason.id in reasons:
            raise RecordError(reasons_path(project), "id", f"reason '{reason.id}' is listed "
                              "twice", "keep one entry per reason", reason.id)
        reasons.add(reason.id)
    candidates: dict[str, bool] = {}  # id -> is a duplicate
    for run in screening.runs:
        for c in run.candidates:
            if c.id in candidates:
                raise RecordError(run.path, "candidates.id", f"candidate '{c.id}' is in two "
                                  "runs", "give every candidate its own id", c.id)
            if (c.duplicate_of or c.duplicate_of_study) and not c.duplicate_by:
                raise RecordError(run.path, "candidates.duplicate_by", "is missing",
                                  "say how the duplicate was found: doi or title", c.id)
            candidates[c.id] = bool(c.duplicate_of or c.duplicate_of_study)
    for run in screening.runs:
        for c in run.candidates:
            if c.duplicate_of is not None and candidates.get(c.duplicate_of) is not False:
                raise RecordError(run.path, "candidates.duplicate_of", f"'{c.duplicate_of}' is "
                                  "not a candidate that is itself no duplicate",
                                  "name the original candidate it duplicates", c.id)
    path = decisions_path(project)
    for d in screening.decisions:
        if d.candidate not in candidates:
            raise RecordError(path, "candidate", f"no candidate has id '{d.candidate}'",
                              "decide on a candidate that `dta-kg screen list` shows", d.candidate)
        if candidates[d.candidate]:
            raise RecordError(path, "candidate", f"'{d.candidate}' is a duplicate",
                              "decide on its original instead", d.candidate)
        if d.reason is not None and d.reason not in reasons:
            raise RecordError(path, "reason", f"unknown exclusion reason '{d.reason}'",
                              f"use one of: {', '.join(sorted(reasons))} (or add one with "
                              "`dta-kg screen reason add`)", d.candidate)
        if d.decision == "exclude" and d.stage == "full-text" and d.reason is None:
            raise RecordError(path, "reason", "an exclusion at full text has no reason",
                              "give --reason", d.candidate)
        if d.reason is not None and d.decision != "exclude":
            raise RecordError(path, "reason", f"a reason is given for '{d.decision}'",
                              "give a reason only with exclude", d.candidate)
