"""Typed records of the living review's intake (records/screening/): search runs and their
candidates, exclusion reasons and screening decisions. Like `dta_kg.core.model`, whose
neighbour it is, each field carries its `Slot` (`dta_kg.core.record_schema`).

What the decisions add up to is defined here once (`outcomes`): a screener's latest decision
on a candidate at a stage is the one that counts; the outcome is the screeners' common
verdict, and when they differ it is a conflict until a resolution (a decision marked
`resolves`) settles it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from dta_kg.core.model import YEAR_RANGE, Stamp
from dta_kg.core.record_schema import DOI, FLAG, LIST, STAMP, STRINGS, TEXT, YEAR, slot

STAGES = ("title-abstract", "full-text")  # the screening stages, in order
VERDICTS = ("include", "exclude", "maybe")  # what a screener decides on a candidate


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Candidate:
    """One record a database search returned, as its export gives it."""

    id: str = slot(TEXT, required=True, predicate="dcterms:identifier", about="candidate id",
                   pattern="^[a-z0-9][a-z0-9-]*$", example="pubmed-2025-06-7")
    title: str = slot(TEXT, required=True, predicate="dcterms:title")
    authors: tuple[str, ...] = slot(STRINGS, predicate="dcterms:creator", custom=True,
                                    shape=False)  # one triple per author
    year: int | None = slot(YEAR, bounds=YEAR_RANGE, predicate="fabio:hasPublicationYear",
                            about="publication year")
    doi: str | None = slot(DOI, predicate="bibo:doi", about="DOI")
    pmid: str | None = slot(TEXT, predicate="bibo:pmid", pattern="^[0-9]+$", about="PMID",
                            example="35480848")
    venue: str | None = slot(TEXT, predicate="dta:candidateVenue", about="journal")
    abstract: str | None = slot(TEXT, predicate="dcterms:abstract")
    duplicate_of: str | None = slot(TEXT, predicate="dta:duplicateOf", custom=True,
                                    range="dta:ScreeningCandidate",
                                    about="candidate id of the original")
    duplicate_of_study: str | None = slot(DOI, predicate="dta:duplicateOfStudy", custom=True,
                                          range="dta:Study",
                                          about="DOI of the study in the graph")
    duplicate_by: str | None = slot(TEXT, predicate="dta:duplicateRule",
                                    pattern="^(doi|title)$", about="duplicate rule",
                                    example="doi")

    rdf_class: ClassVar[str] = "ScreeningCandidate"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class SearchRun:
    """One search of one database, imported from its export file: a PROV-O activity."""

    path: Path  # the record file (not a field of the record)
    id: str = slot(TEXT, required=True, predicate="dcterms:identifier", about="search run id",
                   pattern="^[a-z0-9][a-z0-9-]*$", example="pubmed-2025-06")
    database: str = slot(TEXT, required=True, predicate="dta:searchDatabase",
                         about="database searched")
    date: str = slot(TEXT, required=True, predicate="dta:searchDate", custom=True, shape=False,
                     pattern="^[0-9]{4}-[0-9]{2}-[0-9]{2}$", about="search date",
                     example="2025-06-30")
    query: str = slot(TEXT, required=True, predicate="dta:searchQuery", about="query string")
    file: str = slot(TEXT, required=True, predicate="dta:exportFile", about="export file name")
    sha256: str = slot(TEXT, required=True, pattern="^[0-9a-f]{64}$", about="SHA-256",
                       example="the file's SHA-256 in hex")
    format: str = slot(TEXT, required=True, predicate="dta:exportFormat",
                       pattern="^(ris|bibtex|csv|medline)$", about="export format",
                       example="ris")
    added: Stamp | None = slot(STAMP)
    candidates: tuple[Candidate, ...] = slot(LIST, record=Candidate)

    rdf_class: ClassVar[str] = "SearchRun"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class ExclusionReason:
    """A reason for excluding a candidate, from the curators' controlled (extensible) list."""

    id: str = slot(TEXT, required=True, pattern="^[a-z0-9][a-z0-9-]*$", about="reason id",
                   example="not-ai-driven")
    label: str = slot(TEXT, required=True, predicate="skos:prefLabel")
    added: Stamp | None = slot(STAMP)

    rdf_class: ClassVar[str] = "ExclusionReason"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Decision:
    """One screener's decision on one candidate at one stage (a resolution settles a conflict)."""

    candidate: str = slot(TEXT, required=True, predicate="prov:used", custom=True,
                          range="dta:ScreeningCandidate",
                          about="candidate id")
    stage: str = slot(TEXT, required=True, predicate="dta:screeningStage",
                      pattern="^(title-abstract|full-text)$", about="stage",
                      example="title-abstract")
    decision: str = slot(TEXT, required=True, predicate="dta:screeningVerdict",
                         pattern="^(include|exclude|maybe)$", about="decision", example="include")
    reason: str | None = slot(TEXT, predicate="dta:exclusionReason", custom=True,
                              range="dta:ExclusionReason",
                              about="exclusion reason id")
    by: str = slot(TEXT, required=True, predicate="prov:wasAssociatedWith", custom=True,
                   range="prov:Agent",
                   about="screener")
    at: str = slot(TEXT, required=True, predicate="prov:endedAtTime", custom=True, shape=False,
                   about="date-time", example="2026-06-02T09:30:00Z")
    resolves: bool = slot(FLAG, default=False, predicate="dta:resolvesConflict")
    note: str | None = slot(TEXT, predicate="rdfs:comment")

    rdf_class: ClassVar[str] = "ScreeningDecision"


@dataclass(frozen=True)
class Screening:
    """The screening records: search runs, the exclusion reasons and every decision."""

    runs: tuple[SearchRun, ...] = ()
    reasons: tuple[ExclusionReason, ...] = ()
    decisions: tuple[Decision, ...] = ()


CONFLICT = "conflict"


@dataclass(frozen=True)
class Outcome:
    """A candidate's standing at one stage."""

    verdict: str  # include | exclude | maybe | conflict
    reason: str | None  # the exclusion reason, when the verdict is exclude
    votes: dict[str, str]  # screener -> their latest verdict
    resolved_by: str | None = None


def latest_votes(decisions: tuple[Decision, ...]) -> dict[tuple[str, str], dict[str, Decision]]:
    """(candidate, stage) -> screener -> their latest decision (resolutions left out)."""
    votes: dict[tuple[str, str], dict[str, Decision]] = defaultdict(dict)
    for d in decisions:
        if not d.resolves:
            votes[(d.candidate, d.stage)][d.by] = d  # decisions are kept in the order made
    return votes


def outcomes(screening: Screening) -> dict[tuple[str, str], Outcome]:
    """(candidate, stage) -> its outcome, for every candidate someone decided at that stage."""
    resolutions = {(d.candidate, d.stage): d for d in screening.decisions if d.resolves}
    found = {}
    for key, votes in latest_votes(screening.decisions).items():
        shown = {by: d.decision for by, d in sorted(votes.items())}
        settled = resolutions.get(key)
        if settled is not None:
            found[key] = Outcome(settled.decision, settled.reason, shown, settled.by)
        elif len(set(shown.values())) == 1:
            reasons = {d.reason for d in votes.values() if d.reason}
            found[key] = Outcome(next(iter(shown.values())), min(reasons) if reasons else None,
                                 shown)
        else:
            found[key] = Outcome(CONFLICT, None, shown)
    return found
