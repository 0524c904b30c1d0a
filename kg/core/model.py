"""Typed records of the review and its studies: the core model every other module builds on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dta_kg.core.vocabulary import Term


@dataclass(frozen=True)
class Evidence:
    """Where the review states a fact: a section heading and a short verbatim span."""

    section: str
    quote: str
    inferred: str | None = None  # the curator's reason, when the fact is an inference
    source: str | None = None  # DOI of the document quoted, when it is not the review
    confidence: str | None = None  # high | medium | low: how sure the curator is of an inference
    verified: bool = True  # False: quoted from a document whose text the project does not hold


@dataclass(frozen=True)
class Stamp:
    """Who did something to a fact, when, and why."""

    by: str
    at: str  # ISO 8601 date-time
    text: str | None = None  # the note (for `added`) or the reason (for `retracted`)


@dataclass(frozen=True)
class Fact:
    id: str
    evidence: Evidence
    added: Stamp | None = None
    retracted: Stamp | None = None
    restored: Stamp | None = None  # a retraction undone, with the reason

    rdf_class = "Fact"  # the ontology class the fact becomes


@dataclass(frozen=True)
class ComponentReport(Fact):
    component: str = ""
    rdf_class = "ComponentReport"


@dataclass(frozen=True)
class Result:
    value: float
    kind: str
    unit: str | None = None
    comparator: str | None = None


@dataclass(frozen=True)
class Finding(Fact):
    component: str = ""
    instrument: str | None = None
    subscale: str | None = None
    result: Result | None = None
    rdf_class = "Finding"


@dataclass(frozen=True)
class FactorReport(Fact):
    label: str = ""
    polarity: str = ""
    theme: str = ""
    components: tuple[str, ...] = ()
    concept: str | None = None  # the factor concept it reports (a dta:FactorConcept id)
    rdf_class = "FactorReport"


@dataclass(frozen=True)
class DesignReport(Fact):
    design: str = ""
    rdf_class = "DesignReport"


@dataclass(frozen=True)
class PopulationReport(Fact):
    population: str = ""
    rdf_class = "PopulationReport"


@dataclass(frozen=True)
class InterventionReport(Fact):
    type: str = ""
    name: str | None = None
    rdf_class = "InterventionReport"


@dataclass(frozen=True)
class CuratorNote(Fact):
    note: str = ""
    rdf_class = "CuratorNote"


@dataclass(frozen=True)
class Study:
    """One included study: bibliographic data from the reference list plus the facts about it."""

    path: Path
    doi: str
    title: str
    year: int
    authors: tuple[str, ...]
    evidence: Evidence
    venue: str | None = None
    ref: int | None = None
    pmid: str | None = None
    authors_truncated: bool = False
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    cited_as: str | None = None
    added: Stamp | None = None
    updated: Stamp | None = None
    retracted: Stamp | None = None
    designs: tuple[DesignReport, ...] = ()
    populations: tuple[PopulationReport, ...] = ()
    interventions: tuple[InterventionReport, ...] = ()
    components: tuple[ComponentReport, ...] = ()
    findings: tuple[Finding, ...] = ()
    factors: tuple[FactorReport, ...] = ()
    notes: tuple[CuratorNote, ...] = ()

    def facts(self) -> Iterator[Fact]:
        yield from self.designs
        yield from self.populations
        yield from self.interventions
        yield from self.components
        yield from self.findings
        yield from self.factors
        yield from self.notes

    @property
    def first_author_surname(self) -> str:
        return surname(self.authors[0]) if self.authors else "Anonymous"

    @property
    def short_citation(self) -> str:
        """'Beatty et al 2022', 'Goonesekera and Donkin 2022' or 'Plakun 2023'."""
        names = [surname(a) for a in self.authors]
        if len(names) == 1 and not self.authors_truncated:
            who = names[0]
        elif len(names) == 2 and not self.authors_truncated:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{self.first_author_surname} et al"
        return f"{who} {self.year}"


def surname(author: str) -> str:
    """'Escobar-Viera CG' -> 'Escobar-Viera': drop the trailing initials."""
    parts = author.split()
    if len(parts) > 1 and parts[-1].isalpha() and parts[-1].isupper():
        parts = parts[:-1]
    return " ".join(parts)


@dataclass(frozen=True)
class Claim:
    """A figure the review itself states (counts, PRISMA numbers), kept apart from the records."""

    id: str
    kind: str
    value: int | str
    evidence: Evidence
    about: str | None = None


# every class of evidenced fact in the graph: a study's facts, then the review's own claims
FACT_CLASSES = (*(cls.rdf_class for cls in (ComponentReport, Finding, FactorReport, DesignReport,
                                       PopulationReport, InterventionReport, CuratorNote)),
                "ReviewClaim")


@dataclass(frozen=True)
class MethodItem:
    """A methods fact of the review: a database, tool, framework, guideline or method."""

    term: str
    evidence: Evidence


@dataclass(frozen=True)
class Review:
    path: Path
    doi: str
    title: str
    authors: tuple[str, ...]
    year: int
    venue: str
    evidence: Evidence
    definition: str
    definition_evidence: Evidence
    volume: str | None = None
    pages: str | None = None
    license: str | None = None
    search_end: str | None = None
    search_end_evidence: Evidence | None = None
    databases: tuple[MethodItem, ...] = ()
    guidelines: tuple[MethodItem, ...] = ()
    methods: tuple[MethodItem, ...] = ()
    frameworks: tuple[MethodItem, ...] = ()
    appraisal_tools: tuple[MethodItem, ...] = ()
    claims: tuple[Claim, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Corpus:
    """The review and its studies, as loaded from the records."""

    review: Review
    studies: tuple[Study, ...]
    instruments: tuple[CuratedTerm, ...] = ()


@dataclass(frozen=True)
class CuratedTerm:
    """A measure a curator added in records/instruments.yaml, with its provenance."""

    term: Term
    definition: str
    evidence: Evidence
    added: Stamp | None = None
