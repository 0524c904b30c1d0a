"""The living review's intake: search runs imported with their duplicates marked, screening
decisions, conflicts and their resolution, exclusion reasons, and promotion to a study.

Every write goes through the curators' transaction (lock, validation of the screening records,
atomic replace) and is stamped with its curator and time. Search runs and decisions are
generated files, written whole (PyYAML's safe dumper), one search run per file under
records/screening/runs/."""

from __future__ import annotations

import difflib
import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import slug
from dta_kg.core.limits import DECISIONS_BYTES, read_input
from dta_kg.core.paths import Project
from dta_kg.core.screening_model import (
    CONFLICT,
    STAGES,
    VERDICTS,
    Candidate,
    Decision,
    Screening,
    SearchRun,
    outcomes,
)
from dta_kg.curation.curate import new_study, put, record_name
from dta_kg.curation.dedupe import DuplicateIndex, Original, normalise_title
from dta_kg.curation.generated_yaml import dump_yaml
from dta_kg.curation.ranking import rank
from dta_kg.curation.studies import graph_studies, study_index
from dta_kg.curation.transaction import transaction
from dta_kg.curation.yaml_nodes import now
from dta_kg.loaders.bibliography import BibEntry, check_entry
from dta_kg.loaders.records import study_paths
from dta_kg.loaders.screening import (
    decisions_path,
    read_screening,
    reasons_path,
    remember_run,
    run_path,
)
from dta_kg.loaders.search_exports import csv_rows, read_search_export
from dta_kg.loaders.terms import project_vocabulary
from dta_kg.loaders.yaml_io import read_yaml


def load_screening(project: Project) -> Screening:
    """The screening records of `project` (empty when it has none yet)."""
    return read_screening(project, project_vocabulary(project)) or Screening()


def candidates_by_id(screening: Screening) -> dict[str, tuple[SearchRun, Candidate]]:
    return {c.id: (run, c) for run in screening.runs for c in run.candidates}


# --- import ----------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    """What an import did: its run, the candidates it added and which of them are duplicates."""

    run: str
    path: Path
    added: int = 0
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # id, original, rule
    unchanged: bool = False  # the same file was imported before: nothing was written


def duplicate_index(project: Project, screening: Screening) -> DuplicateIndex:
    index = DuplicateIndex()
    for doi, title, year in graph_studies(project):
        index.add(Original(study=doi), doi, title, year)
    for run in screening.runs:
        for c in run.candidates:
            if not (c.duplicate_of or c.duplicate_of_study):
                index.add(Original(candidate=c.id), c.doi, c.title, c.year)
    return index


def candidate_data(cid: str, entry: BibEntry, original: Original | None,
                   rule: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": cid, "title": entry.title, "authors": list(entry.authors),
                            "year": int(entry.year) if entry.year else None, "doi": entry.doi,
                            "pmid": entry.pmid, "venue": entry.venue, "abstract": entry.abstract}
    if original is not None:
        data.update(duplicate_of=original.candidate, duplicate_of_study=original.study,
                    duplicate_by=rule)
    return {k: v for k, v in data.items() if v not in (None, [])}


def import_run(project: Project, path: Path, database: str, date: str, query: str, by: str,
               run_id: str | None = None, fmt: str | None = None, note: str | None = None,
               dry_run: bool = False) -> ImportSummary:
    """Import a search export as one search run; duplicates are marked, never dropped.
    Importing a file already imported (the same bytes) changes nothing."""
    fmt, raw, entries = read_search_export(path, fmt)
    digest = hashlib.sha256(raw).hexdigest()
    where = "screen import"
    for value, option in ((database, "--database"), (date, "--date"), (query, "--query")):
        if not value or not value.strip():
            raise RecordError(where, option, "is missing", "say how the search was run "
                              "(--database, --date YYYY-MM-DD, --query)", str(path.name))
    with transaction(project, dry_run=dry_run) as tx:
        screening = load_screening(project)
        for run in screening.runs:
            if run.sha256 == digest:
                return ImportSummary(run.id, run.path, unchanged=True)
        rid = run_id or slug(f"{database}-{date}")
        target, n = run_path(project, rid), 1
        while run_id is None and target.exists():
            n += 1
            target = run_path(project, f"{slug(f'{database}-{date}')}-{n}")
        if target.exists():
            raise RecordError(target, "id", f"search run '{rid}' already exists with another "
                              "file", "give another --run id", rid)
        rid = target.stem
        index = duplicate_index(project, screening)
        summary = ImportSummary(rid, target)
        candidates = []
        for i, entry in enumerate(entries, 1):
            cid = f"{rid}-{i}"
            year = int(entry.year) if entry.year else None
            norm = normalise_title(entry.title or "")
            found = index.find(entry.doi, entry.title or "", year, norm)
            if found is None:
                index.add(Original(candidate=cid), entry.doi, entry.title or "", year, norm)
                candidates.append(candidate_data(cid, entry, None, None))
            else:
                original, rule = found
                summary.duplicates.append((cid, original.candidate or original.study or "", rule))
                candidates.append(candidate_data(cid, entry, original, rule))
        summary.added = len(candidates)
        added = {"by": by, "at": now(), **({"note": note} if note else {})}
        data = {"id": rid, "database": database.strip(), "date": date.strip(),
                "query": query.strip(), "file": path.name, "sha256": digest, "format": fmt,
                "added": added, "candidates": candidates}
        text = dump_yaml(data)
        remember_run(text, data)  # the check of the staged records reads it without parsing
        tx.stage_text(target, text)
    return summary


# --- decisions -------------------------------------------------------------------------------

def fail(record: str, field_name: str, problem: str, fix: str, path: Path | str) -> NoReturn:
    raise RecordError(path, field_name, problem, fix, record)


def check_choice(value: str, choices: tuple[str, ...], what: str, where: Path,
                 record: str) -> str:
    if value not in choices:
        fail(record, what, f"unknown {what} '{value}'", f"use one of: {', '.join(choices)}", where)
    return value


def find_candidate(screening: Screening, cid: str, where: Path) -> Candidate:
    found = candidates_by_id(screening)
    if cid not in found:
        near = difflib.get_close_matches(cid, list(found), n=3, cutoff=0.6)
        hint = f" (closest: {', '.join(near)})" if near else ""
        fail(cid, "candidate", f"no candidate has id '{cid}'{hint}",
             "`dta-kg screen list` shows the candidates", where)
    candidate = found[cid][1]
    original = candidate.duplicate_of or candidate.duplicate_of_study
    if original:
        fail(cid, "candidate", f"'{cid}' is a duplicate of {original}",
             "decide on the original", where)
    return candidate


def reason_id(screening: Screening, text: str | None, where: Path, record: str) -> str | None:
    """The id of an exclusion reason given by its id or label (any case)."""
    if text is None or not text.strip():
        return None
    for reason in screening.reasons:
        if text.strip().casefold() in (reason.id, reason.label.casefold()):
            return reason.id
    fail(record, "reason", f"unknown exclusion reason '{text}'",
         f"use one of: {', '.join(r.id for r in screening.reasons)} (or add it with "
         "`dta-kg screen reason add`)", where)


@dataclass(frozen=True)
class Wanted:
    """A decision a screener asks to record."""

    candidate: str
    decision: str
    stage: str = "title-abstract"
    reason: str | None = None
    note: str | None = None


def checked_decision(screening: Screening, w: Wanted, by: str, resolves: bool,
                     where: Path) -> Decision:
    """The decision `w` as it will be recorded, after every rule it must meet."""
    cid = w.candidate
    check_choice(w.stage, STAGES, "stage", where, cid)
    check_choice(w.decision, VERDICTS, "decision", where, cid)
    find_candidate(screening, cid, where)
    rid = reason_id(screening, w.reason, where, cid)
    if rid and w.decision != "exclude":
        fail(cid, "reason", f"a reason is given for '{w.decision}'", "give --reason only "
             "with exclude", where)
    if w.decision == "exclude" and w.stage == "full-text" and rid is None:
        fail(cid, "reason", "an exclusion at full text needs a reason",
             f"give --reason, one of: {', '.join(r.id for r in screening.reasons)}", where)
    done = outcomes(screening)
    if w.stage == "full-text":
        first = done.get((cid, "title-abstract"))
        if first is None or first.verdict not in ("include", "maybe"):
            shown = "undecided" if first is None else first.verdict
            fail(cid, "stage", f"is {shown} at title-abstract", "include it (or mark it "
                 "maybe) at title-abstract before its full text is screened", where)
    if resolves and (done.get((cid, w.stage)) is None
                     or done[(cid, w.stage)].verdict != CONFLICT):
        fail(cid, "candidate", f"has no open conflict at {w.stage}",
             "`dta-kg screen conflicts` lists the conflicts", where)
    return Decision(candidate=cid, stage=w.stage, decision=w.decision, reason=rid, by=by,
                    at=now(), resolves=resolves, note=w.note)


def decide(project: Project, wanted: list[Wanted], by: str, resolves: bool = False) -> list[dict]:
    """Record a screener's decisions (or, with `resolves`, resolutions of conflicts), all or
    none; each is checked with the ones before it already counted."""
    where = decisions_path(project)
    with transaction(project) as tx:
        screening = load_screening(project)
        made = []
        for w in wanted:
            decision = checked_decision(screening, w, by, resolves, where)
            screening = replace(screening, decisions=(*screening.decisions, decision))
            made.append({k: v for k, v in {
                "candidate": decision.candidate, "stage": decision.stage,
                "decision": decision.decision, "reason": decision.reason, "by": by,
                "at": decision.at, "resolves": resolves or None, "note": decision.note}.items()
                if v is not None})
        data = read_yaml(where) if os.path.lexists(where) else None
        listed = list((data or {}).get("decisions") or [])
        tx.stage_text(where, dump_yaml({"decisions": [*listed, *made]}))
    return made


def read_wanted(path: Path) -> list[Wanted]:
    """Decisions from a CSV file with the columns candidate, decision and, optionally, stage,
    reason and note (a screening spreadsheet's export)."""
    raw = read_input(path, DECISIONS_BYTES, "a CSV of screening decisions",
                     "decide in several files, or check that it is the right file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", f"cannot be read as UTF-8 text ({exc})",
                          "give a CSV file") from exc
    header, rows = csv_rows(text, path)
    missing = {"candidate", "decision"} - set(header)
    if missing:
        raise RecordError(path, "header", f"has no column {', '.join(sorted(missing))}",
                          "name the columns candidate, decision, stage, reason, note")
    wanted = []
    for row in rows:
        cells = {k: (v or "").strip() or None for k, v in row.items()}
        wanted.append(Wanted(cells["candidate"] or "", cells["decision"] or "",
                             cells.get("stage") or "title-abstract", cells.get("reason"),
                             cells.get("note")))
    if not wanted:
        raise RecordError(path, "", "holds no decisions", "add one row per decision")
    return wanted


def add_reason(project: Project, rid: str, label: str, by: str) -> None:
    """Extend the controlled list of exclusion reasons."""
    where = reasons_path(project)
    if not slug(rid) == rid:
        fail(rid, "id", f"'{rid}' is not a reason id", "use lower-case words joined by "
             "hyphens, e.g. not-ai-driven", where)
    with transaction(project) as tx:
        screening = load_screening(project)
        if any(r.id == rid for r in screening.reasons):
            fail(rid, "id", f"reason '{rid}' already exists", "`dta-kg screen reason list` "
                 "lists them", where)
        data = read_yaml(where) if os.path.lexists(where) else None
        listed = list((data or {}).get("reasons") or [])
        listed.append({"id": rid, "label": label.strip(), "added": {"by": by, "at": now()}})
        tx.stage_text(where, dump_yaml({"reasons": listed}))


# --- progress ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageStatus:
    stage: str
    to_screen: int  # candidates that reach this stage
    include: int
    exclude: int
    maybe: int
    conflicts: int
    undecided: int


def stage_status(screening: Screening) -> list[StageStatus]:
    done = outcomes(screening)
    originals = [c.id for run in screening.runs for c in run.candidates
                 if not (c.duplicate_of or c.duplicate_of_study)]
    rows, reaching = [], originals
    for stage in STAGES:
        counts = Counter(done[(c, stage)].verdict if (c, stage) in done else "undecided"
                         for c in reaching)
        rows.append(StageStatus(stage, len(reaching), counts["include"], counts["exclude"],
                                counts["maybe"], counts[CONFLICT], counts["undecided"]))
        reaching = [c for c in reaching if (c, stage) in done
                    and done[(c, stage)].verdict in ("include", "maybe")]
    return rows


# --- promotion -------------------------------------------------------------------------------

def promote(project: Project, cid: str, by: str, note: str | None = None) -> Path:
    """Add an included candidate as a living study, linked to its candidate record (and through
    it to its search run)."""
    where = decisions_path(project)
    screening = load_screening(project)
    candidate = find_candidate(screening, cid, where)
    outcome = outcomes(screening).get((cid, "full-text"))
    if outcome is None or outcome.verdict != "include":
        shown = "undecided" if outcome is None else outcome.verdict
        fail(cid, "candidate", f"is {shown} at full text", "include it at full text first "
             "(`dta-kg screen decide ID include --stage full-text`)", where)
    entry = check_entry(BibEntry(
        record=cid, doi=candidate.doi, title=candidate.title,
        year=str(candidate.year) if candidate.year else None, authors=candidate.authors,
        venue=candidate.venue, pmid=candidate.pmid), f"candidate {cid}")
    with transaction(project) as tx:
        index = study_index(project)
        if entry.doi in index:
            fail(cid, "doi", f"a study with DOI '{entry.doi}' is already recorded",
                 "see it with `dta-kg study show DOI`", index[entry.doi])
        for path in study_paths(project):
            data = read_yaml(path)
            if isinstance(data, dict) and data.get("candidate") == cid:
                fail(cid, "candidate", f"'{cid}' was promoted already", "see it with "
                     "`dta-kg study show`", path)
        path = record_name(project, entry, None, set(tx.staged))
        data = new_study(entry, None, by, note or f"promoted from screening candidate {cid}")
        put(data, "candidate", cid)
        tx.stage(path, data)
    return path


# --- ranking ---------------------------------------------------------------------------------

def candidate_text(c: Candidate) -> str:
    return f"{c.title}. {c.abstract or ''}"


def next_candidates(project: Project, stage: str = "title-abstract",
                    limit: int = 10) -> list[tuple[Candidate, float]]:
    """The undecided candidates at `stage`, most likely relevant first, with their scores."""
    check_choice(stage, STAGES, "stage", decisions_path(project), "screen next")
    screening = load_screening(project)
    done = outcomes(screening)
    relevant = [str(data.get("title")) for path in study_paths(project)
                if isinstance(data := read_yaml(path), dict) and data.get("ref") is not None]
    irrelevant, pool = [], []
    for run in screening.runs:
        for c in run.candidates:
            if c.duplicate_of or c.duplicate_of_study:
                continue
            verdicts = [done[(c.id, s)].verdict for s in STAGES if (c.id, s) in done]
            if "exclude" in verdicts:
                irrelevant.append(candidate_text(c))
            elif "include" in verdicts or "maybe" in verdicts:
                relevant.append(candidate_text(c))
            first = done.get((c.id, "title-abstract"))
            reached = stage == "title-abstract" or (
                first is not None and first.verdict in ("include", "maybe"))
            if reached and (c.id, stage) not in done:
                pool.append(c)
    ranked = rank([(c.id, candidate_text(c)) for c in pool], relevant, irrelevant)
    by_id = {c.id: c for c in pool}
    return [(by_id[r.id], r.score) for r in ranked[:limit]]
