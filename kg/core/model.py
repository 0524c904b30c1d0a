"""Typed records of the review and its studies: the core model every other module builds on.

Each record field carries its `Slot` (see `dta_kg.core.record_schema`): the one definition of
the record format that reading, the triples and the SHACL shapes all follow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from dta_kg.core.record_schema import (
    DECIMAL,
    DOI,
    EVIDENCE,
    FIGURE,
    FLAG,
    INTEGER,
    IRI,
    ITEMS,
    LIST,
    RECORD,
    STAMP,
    STRINGS,
    TERM,
    TERMS,
    TEXT,
    YEAR,
    slot,
    slots,
)
from dta_kg.core.vocabulary import Term

YEAR_RANGE = (1900, 2100)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Evidence:
    """Where the review states a fact: a section heading and a short verbatim span."""

    section: str = slot(TEXT, required=True)
    quote: str = slot(TEXT, required=True)
    inferred: str | None = slot(TEXT)  # the curator's reason, when the fact is an inference
    confidence: str | None = slot(TEXT)  # high | medium | low: how sure the curator is of it
    source: str | None = slot(DOI)  # DOI of the document quoted, when it is not the review
    verified: bool = True  # False: quoted from a document whose text the project does not hold


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Stamp:
    """Who did something to a fact, when, and why."""

    by: str
    at: str  # ISO 8601 date-time
    text: str | None = None  # the note (for `added`) or the reason (for `retracted`)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Fact:
    """What every evidenced fact of a study record holds."""

    id: str = slot(TEXT, required=True, predicate="dta:factId", about="fact id")
    evidence: Evidence = slot(EVIDENCE, required=True, predicate="dta:evidence", custom=True,
                              range="oa:Annotation", about="evidence annotation")
    added: Stamp | None = slot(STAMP)
    retracted: Stamp | None = slot(STAMP, text_key="reason")
    restored: Stamp | None = slot(STAMP, text_key="reason")  # a retraction undone

    rdf_class: ClassVar[str] = "EvidencedFact"  # the ontology class the fact becomes
    list_key: ClassVar[str] = ""  # the list of a study record that holds such facts

    @property
    def summary(self) -> str:
        """What the fact states, in one line: its one own field unless a subclass says more."""
        own = next(s for s in slots(type(self)) if s not in slots(Fact))
        return str(getattr(self, own.name))


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class ComponentReport(Fact):
    component: str = slot(TERM, required=True, vocab="component", predicate="dta:component")
    rdf_class = "ComponentReport"
    list_key = "components"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Result:
    value: float = slot(DECIMAL, required=True, predicate="dta:resultValue", about="result value")
    kind: str = slot(TERM, required=True, vocab="result-kind", predicate="dta:resultKind",
                     about="result kind")
    unit: str | None = slot(TEXT, predicate="dta:resultUnit", about="result unit")
    comparator: str | None = slot(TEXT, predicate="dta:comparator")


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Finding(Fact):
    component: str = slot(TERM, required=True, vocab="component", predicate="dta:component")
    instrument: str | None = slot(TERM, vocab="measure", predicate="dta:usesMeasure",
                                  range="dta:Measure", about="measure")
    subscale: str | None = slot(TERM, vocab="subscale", predicate="dta:usesSubscale")
    result: Result | None = slot(RECORD, record=Result)
    rdf_class = "Finding"
    list_key = "findings"

    @property
    def summary(self) -> str:
        parts = [self.component, self.instrument, self.subscale]
        if self.result:
            r = self.result
            parts.append(f"{r.value:g} {r.kind}" + (f" ({r.unit})" if r.unit else ""))
        return " / ".join(p for p in parts if p)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class FactorReport(Fact):
    label: str = slot(TEXT, required=True, predicate="rdfs:label")
    polarity: str = slot(TERM, required=True, vocab="polarity", predicate="dta:polarity",
                         values=("dta:facilitator", "dta:barrier"))
    theme: str = slot(TERM, required=True, vocab="theme", predicate="dta:theme")
    components: tuple[str, ...] = slot(TERMS, vocab="component",
                                       predicate="dta:affectsComponent", about="components")
    concept: str | None = slot(TERM, vocab="factor-concept", predicate="dta:factorConcept",
                               about="factor concept")  # the factor concept it reports
    rdf_class = "FactorReport"
    list_key = "factors"

    @property
    def summary(self) -> str:
        linked = f" -> {', '.join(self.components)}" if self.components else ""
        return f"{self.polarity} '{self.label}' ({self.theme}){linked}"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class DesignReport(Fact):
    design: str = slot(TERM, required=True, vocab="design", predicate="dta:design")
    rdf_class = "DesignReport"
    list_key = "designs"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class PopulationReport(Fact):
    population: str = slot(TEXT, required=True, predicate="dta:populationDescription",
                           about="population description")
    rdf_class = "PopulationReport"
    list_key = "populations"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class InterventionReport(Fact):
    type: str = slot(TERM, required=True, vocab="intervention-type",
                     predicate="dta:interventionType", about="intervention type")
    name: str | None = slot(TEXT, predicate="dta:interventionName", about="tool name")
    rdf_class = "InterventionReport"
    list_key = "interventions"

    @property
    def summary(self) -> str:
        return self.type + (f" ({self.name})" if self.name else "")


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class CuratorNote(Fact):
    note: str = slot(TEXT, required=True, predicate="rdfs:comment")
    rdf_class = "CuratorNote"
    list_key = "notes"


# the fact lists of a study record, in file order
STUDY_FACTS = (DesignReport, PopulationReport, InterventionReport, ComponentReport, Finding,
               FactorReport, CuratorNote)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Study:
    """One included study: bibliographic data from the reference list plus the facts about it."""

    path: Path  # the record file (not a field of the record)
    ref: int | None = slot(INTEGER, bounds=(1, 9999), predicate="dta:referenceNumber",
                           about="reference number")
    doi: str = slot(DOI, required=True, predicate="bibo:doi", about="DOI")
    pmid: str | None = slot(TEXT, predicate="bibo:pmid", pattern="^[0-9]+$", about="PMID",
                            example="35480848")
    authors: tuple[str, ...] = slot(STRINGS, required=True, predicate="bibo:authorList",
                                    custom=True, node="NonEmptyListShape", about="author list")
    authors_truncated: bool = slot(FLAG, default=False, predicate="dta:authorsTruncated")
    year: int = slot(YEAR, required=True, bounds=YEAR_RANGE, predicate="fabio:hasPublicationYear",
                     about="publication year")
    title: str = slot(TEXT, required=True, predicate="dcterms:title")
    venue: str | None = slot(TEXT, predicate="dcterms:isPartOf", custom=True,
                             range="bibo:Periodical", about="periodical")
    volume: str | None = slot(TEXT, predicate="bibo:volume")
    issue: str | None = slot(TEXT, predicate="bibo:issue")
    pages: str | None = slot(TEXT, predicate="bibo:pages")
    cited_as: str | None = slot(TEXT, predicate="dta:citedInTextAs", about="in-text citation")
    candidate: str | None = slot(TEXT, predicate="dta:screenedAs", custom=True,
                                 range="dta:ScreeningCandidate", pattern="^[a-z0-9][a-z0-9-]*$",
                                 about="screening candidate id", example="pubmed-2025-06-7")  # if promoted
    evidence: Evidence = slot(EVIDENCE, required=True, predicate="dta:evidence", custom=True,
                              range="oa:Annotation", about="evidence annotation")
    added: Stamp | None = slot(STAMP)
    updated: Stamp | None = slot(STAMP)
    retracted: Stamp | None = slot(STAMP, text_key="reason")
    designs: tuple[DesignReport, ...] = slot(LIST, record=DesignReport)
    populations: tuple[PopulationReport, ...] = slot(LIST, record=PopulationReport)
    interventions: tuple[InterventionReport, ...] = slot(LIST, record=InterventionReport)
    components: tuple[ComponentReport, ...] = slot(LIST, record=ComponentReport)
    findings: tuple[Finding, ...] = slot(LIST, record=Finding)
    factors: tuple[FactorReport, ...] = slot(LIST, record=FactorReport)
    notes: tuple[CuratorNote, ...] = slot(LIST, record=CuratorNote)

    rdf_class: ClassVar[str] = "Study"

    def facts(self) -> Iterator[Fact]:
        for cls in STUDY_FACTS:
            yield from getattr(self, cls.list_key)

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


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Claim:
    """A figure the review itself states (counts, PRISMA numbers), kept apart from the records."""

    id: str = slot(TEXT, required=True)
    kind: str = slot(TERM, required=True, vocab="claim-kind", predicate="dta:claimKind",
                     about="claim kind")
    value: int | str = slot(FIGURE, required=True, predicate="dta:claimedValue", custom=True,
                            shape=False)
    about: str | None = slot(TERM, predicate="dta:claimAbout", range="skos:Concept",
                             about="concept it is about")
    evidence: Evidence = slot(EVIDENCE, required=True, predicate="dta:evidence", custom=True,
                              range="oa:Annotation", about="evidence annotation")

    rdf_class: ClassVar[str] = "ReviewClaim"


# every class of evidenced fact in the graph: a study's facts, then the review's own claims
FACT_CLASSES = (*(cls.rdf_class for cls in STUDY_FACTS), Claim.rdf_class)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class MethodItem:
    """A methods fact of the review: a database, tool, framework, guideline or method."""

    term: str = slot(TERM, required=True)
    evidence: Evidence = slot(EVIDENCE, required=True)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Definition:
    """The review's definition of the DTA."""

    text: str = slot(TEXT, required=True)
    evidence: Evidence = slot(EVIDENCE, required=True)

    rdf_class: ClassVar[str] = "Definition"


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class SearchEnd:
    """The month the review's search ended."""

    value: str = slot(TEXT, required=True, pattern="^[0-9]{4}-(0[1-9]|1[0-2])$",
                      about="year and month", example="2024-12")
    evidence: Evidence = slot(EVIDENCE, required=True)


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class Review:
    path: Path  # the record file (not a field of the record)
    doi: str = slot(DOI, required=True, predicate="bibo:doi", about="DOI")
    title: str = slot(TEXT, required=True, predicate="dcterms:title")
    authors: tuple[str, ...] = slot(STRINGS, required=True, predicate="dcterms:creator",
                                    custom=True, shape=False)  # one triple per author
    year: int = slot(YEAR, required=True, bounds=YEAR_RANGE, predicate="fabio:hasPublicationYear",
                     about="publication year")
    venue: str = slot(TEXT, required=True, predicate="dcterms:isPartOf", custom=True,
                      range="bibo:Periodical", about="periodical")
    evidence: Evidence = slot(EVIDENCE, required=True)
    volume: str | None = slot(TEXT, predicate="bibo:volume")
    pages: str | None = slot(TEXT, predicate="bibo:pages")
    license: str | None = slot(IRI, predicate="dcterms:license", pattern="^https?://",
                               example="https://creativecommons.org/licenses/by/4.0/")
    definition: Definition = slot(RECORD, required=True, record=Definition)
    search_end: SearchEnd | None = slot(RECORD, record=SearchEnd)
    databases: tuple[MethodItem, ...] = slot(ITEMS, vocab="database",
                                             predicate="dta:searchedDatabase")
    guidelines: tuple[MethodItem, ...] = slot(ITEMS, vocab="guideline",
                                              predicate="dta:followsGuideline")
    methods: tuple[MethodItem, ...] = slot(ITEMS, vocab="method", predicate="dta:followsMethod")
    frameworks: tuple[MethodItem, ...] = slot(ITEMS, vocab="framework",
                                              predicate="dta:usesFramework")
    appraisal_tools: tuple[MethodItem, ...] = slot(ITEMS, vocab="appraisal-tool",
                                                   predicate="dta:usedAppraisalTool")
    claims: tuple[Claim, ...] = slot(LIST, record=Claim)

    rdf_class: ClassVar[str] = "IntegrativeReview"


@dataclass(frozen=True)
class Corpus:
    """The review and its studies, as loaded from the records."""

    review: Review
    studies: tuple[Study, ...]
    instruments: tuple[CuratedTerm, ...] = ()


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in YAML order
class SubscaleEntry:
    """A subscale of an instrument a curator added in records/instruments.yaml."""

    id: str = slot(TEXT, required=True)
    label: str = slot(TEXT, required=True)
    alt_labels: tuple[str, ...] = slot(STRINGS)
    definition: str = slot(TEXT, required=True)
    measures: tuple[str, ...] = slot(TERMS, required=True, vocab="component")


@dataclass(frozen=True, kw_only=True)
class InstrumentEntry(SubscaleEntry):
    """An instrument a curator added in records/instruments.yaml, with its provenance."""

    subscales: tuple[SubscaleEntry, ...] = slot(LIST, record=SubscaleEntry)
    evidence: Evidence = slot(EVIDENCE, required=True)
    added: Stamp | None = slot(STAMP)


@dataclass(frozen=True)
class CuratedTerm:
    """A measure a curator added in records/instruments.yaml, with its provenance."""

    term: Term
    definition: str
    evidence: Evidence
    added: Stamp | None = None

