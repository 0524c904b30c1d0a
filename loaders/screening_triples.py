"""The screening records as RDF (`screening_triples`): search runs and decisions are PROV-O
activities, candidates the entities a search run generated and a decision used:

    dtar:search-<run>      a dta:SearchRun (a prov:Activity): dta:searchDatabase, dta:searchDate,
                           dta:searchQuery, prov:wasAssociatedWith the curator who imported it
    dtar:candidate-<id>    a dta:ScreeningCandidate: prov:wasGeneratedBy its run; bibliographic
                           fields; dta:duplicateOf a candidate or dta:duplicateOfStudy a study
    dtar:decision-<id>-<n> a dta:ScreeningDecision (a prov:Activity): prov:used the candidate,
                           dta:screeningStage, dta:screeningVerdict, dta:exclusionReason,
                           prov:wasAssociatedWith the screener, prov:endedAtTime
    dtar:exclusion-reason-<id>  a dta:ExclusionReason (a skos:Concept of the curators' list)

The build also derives, like dta:reportsComponent, each candidate's outcome at each stage
(`dta:titleAbstractOutcome`, `dta:fullTextOutcome`, and the exclusion reason), from which the
PRISMA counts of the living review come.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from dta_kg.core.iris import DTAR, agent_iri, candidate_iri, search_run_iri, slug, study_iri
from dta_kg.core.rdfterms import XSD, Triple, lit
from dta_kg.core.screening_model import Screening, outcomes

from .triples import (
    DCT,
    PROV,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS,
    agent_triples,
    d,
    living_review_iri,
    slot_triples,
    stamp_triples,
)


def reason_iri(reason: str) -> str:
    return f"{DTAR}exclusion-reason-{slug(reason)}"


def screening_triples(screening: Screening, review: str,
                      seen: set[str] | None = None) -> Iterator[Triple]:
    """Every triple of the screening records; `review` is the review's IRI."""
    living = living_review_iri(review)
    for reason in screening.reasons:
        r = reason_iri(reason.id)
        yield r, RDF_TYPE, d("ExclusionReason")
        yield r, RDF_TYPE, SKOS + "Concept"
        yield r, DCT + "identifier", lit(reason.id)
        yield from slot_triples(r, reason)
        yield r, RDFS_LABEL, lit(reason.label)
    for run in screening.runs:
        s = search_run_iri(run.id)
        yield s, RDF_TYPE, d("SearchRun")
        yield s, d("searchFor"), living
        yield from slot_triples(s, run)
        yield s, d("searchDate"), lit(run.date, XSD + "date")
        yield from stamp_triples(s, run.added, None, seen)
        yield s, PROV + "wasAssociatedWith", agent_iri(run.added.by if run.added else "")
        for c in run.candidates:
            node = candidate_iri(c.id)
            yield node, RDF_TYPE, d("ScreeningCandidate")
            yield node, PROV + "wasGeneratedBy", s
            yield from slot_triples(node, c)
            for author in c.authors:
                yield node, DCT + "creator", lit(author)
            if c.duplicate_of:
                yield node, d("duplicateOf"), candidate_iri(c.duplicate_of)
            if c.duplicate_of_study:
                yield node, d("duplicateOfStudy"), study_iri(c.duplicate_of_study)
    stage_terms = {"title-abstract": "titleAbstract", "full-text": "fullText"}
    for (candidate, stage), outcome in sorted(outcomes(screening).items()):
        # derived, like dta:reportsComponent: what the decisions add up to, for the counts
        node, term = candidate_iri(candidate), stage_terms[stage]
        yield node, d(f"{term}Outcome"), lit(outcome.verdict)
        if outcome.reason and outcome.verdict == "exclude":
            yield node, d(f"{term}ExclusionReason"), reason_iri(outcome.reason)
    made: Counter[str] = Counter()
    for decision in screening.decisions:
        made[decision.candidate] += 1
        node = f"{DTAR}decision-{slug(decision.candidate)}-{made[decision.candidate]}"
        yield node, RDF_TYPE, d("ScreeningDecision")
        yield node, PROV + "used", candidate_iri(decision.candidate)
        yield from slot_triples(node, decision)
        if decision.reason:
            yield node, d("exclusionReason"), reason_iri(decision.reason)
        yield node, PROV + "wasAssociatedWith", agent_iri(decision.by)
        yield from agent_triples(decision.by, seen)
        yield node, PROV + "endedAtTime", lit(decision.at, XSD + "dateTime")
