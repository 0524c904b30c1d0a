"""Map the typed records to RDF triples, each fact with its evidence and PROV-O attribution."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from typing import Any

from dta_kg.core.basis import columns, level_of, rank
from dta_kg.core.iris import (
    DTAR,
    PREFIXES,
    agent_iri,
    candidate_iri,
    expand,
    fact_iri,
    review_iri,
    slug,
    study_iri,
    term,
    venue_iri,
)
from dta_kg.core.model import (
    ComponentReport,
    Corpus,
    CuratedTerm,
    Evidence,
    Fact,
    FactorReport,
    Finding,
    Review,
    Stamp,
    Study,
)
from dta_kg.core.rdfterms import RDF, RDFS, XSD, Triple, lit
from dta_kg.core.record_schema import DATATYPES, IRI, ITEMS, RECORD, SCALARS, TERM, TERMS, slots

DCT = PREFIXES["dcterms"]
BIBO = PREFIXES["bibo"]
FABIO = PREFIXES["fabio"]
PROV = PREFIXES["prov"]
OA = PREFIXES["oa"]
SKOS = PREFIXES["skos"]
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL, RDF_VALUE = (RDF + n for n in ("type", "first", "rest",
                                                                    "nil", "value"))
RDFS_LABEL = RDFS + "label"
REVIEW_CURATOR = "dta-kg curators"
CURATED_AT = "2026-11-26T00:00:00Z"


def d(local: str) -> str:
    return term(local)


def source_iri(ev: Evidence, review: str) -> str:
    """The document `ev` quotes: the review, or a study added after it."""
    return study_iri(ev.source) if ev.source else review


def evidence_iri(ev: Evidence) -> str:
    """Content-addressed: facts backed by the same passage (and inference) share one annotation."""
    key = "\x1f".join((ev.source or "", ev.section, ev.quote, ev.inferred or ""))
    return f"{DTAR}evidence-{hashlib.sha1(key.encode()).hexdigest()[:20]}"


def evidence_triples(subject: str, ev: Evidence, review: str,
                     seen: set[str] | None = None) -> Iterator[Triple]:
    """Link `subject` to an oa:Annotation selecting the quoted span of the review (or a study).

    The annotation's own triples are left out when its IRI is already in `seen`.
    """
    ann = evidence_iri(ev)
    source = source_iri(ev, review)
    yield subject, d("evidence"), ann
    yield subject, PROV + "wasDerivedFrom", source
    if seen is not None:
        if ann in seen:
            return
        seen.add(ann)
    target, selector = f"{ann}-target", f"{ann}-selector"
    yield ann, RDF_TYPE, OA + "Annotation"
    yield ann, OA + "hasTarget", target
    yield ann, d("section"), lit(ev.section)
    if ev.inferred:
        yield ann, d("curatorInference"), lit(ev.inferred)
    if not ev.verified:
        yield ann, d("quoteVerified"), lit(False)
    yield target, RDF_TYPE, OA + "SpecificResource"
    yield target, OA + "hasSource", source
    yield target, OA + "hasSelector", selector
    yield selector, RDF_TYPE, OA + "TextQuoteSelector"
    yield selector, OA + "exact", lit(ev.quote)


def agent_triples(name: str, seen: set[str] | None) -> Iterator[Triple]:
    agent = agent_iri(name)
    if seen is None or agent not in seen:
        if seen is not None:
            seen.add(agent)
        yield agent, RDF_TYPE, PROV + "Agent"
        yield agent, RDFS_LABEL, lit(name)


def stamp_triples(subject: str, added: Stamp | None, retracted: Stamp | None,
                  seen: set[str] | None = None) -> Iterator[Triple]:
    by = added.by if added else REVIEW_CURATOR
    at = added.at if added else CURATED_AT
    yield subject, PROV + "wasAttributedTo", agent_iri(by)
    yield from agent_triples(by, seen)
    yield subject, PROV + "generatedAtTime", lit(at, XSD + "dateTime")
    if added and added.text:
        yield subject, d("curatorNote"), lit(added.text)
    if retracted:
        yield subject, d("retracted"), lit(True)
        yield subject, d("retractionReason"), lit(retracted.text or "")
        yield subject, PROV + "invalidatedAtTime", lit(retracted.at, XSD + "dateTime")
        yield subject, d("retractedBy"), agent_iri(retracted.by)
        yield from agent_triples(retracted.by, seen)


@cache  # the mapping of a record class, worked out once from its slots
def mapped_fields(cls: type) -> tuple[tuple[str, str, str, str | None], ...]:
    """(field, kind, predicate IRI, literal datatype IRI) of each field written from its slot;
    a nested record's fields (kind RECORD) come with an empty predicate."""
    fields: list[tuple[str, str, str, str | None]] = []
    for s in slots(cls):
        if s.kind == RECORD:
            fields.append((s.name, RECORD, "", None))
        elif s.predicate and not s.custom and s.kind in SCALARS:
            datatype = expand(DATATYPES[s.kind]) if s.kind in DATATYPES else None
            fields.append((s.name, s.kind, expand(s.predicate), datatype))
    return tuple(fields)


def slot_triples(node: str, record: Any) -> Iterator[Triple]:
    """The triples of a record's scalar fields, as their slots say (see `core.record_schema`)."""
    cls: type = type(record)
    for name, kind, pred, datatype in mapped_fields(cls):
        value = getattr(record, name)
        if value is None:
            continue
        if kind == RECORD:  # its fields describe the same node
            yield from slot_triples(node, value)
        elif kind == TERMS:
            for v in value:
                yield node, pred, d(v)
        elif kind == ITEMS:
            for item in value:
                yield node, pred, d(item.term)
        elif kind == TERM:
            yield node, pred, d(value)
        elif kind == IRI:
            yield node, pred, value
        else:
            yield node, pred, lit(value if isinstance(value, bool) else str(value), datatype)


def study_triples(study: Study, review: str, seen: set[str] | None = None) -> Iterator[Triple]:
    """A study and its facts; shared nodes (evidence, agents, venue) once per `seen` set."""
    s = study_iri(study.doi)
    yield s, RDF_TYPE, d("Study")
    # The review includes only the studies of its reference list; a later one is the living
    # review's, and never dta:includesStudy (a sub-property of cito:citesAsDataSource).
    if study.ref is not None:
        yield review, d("includesStudy"), s
    else:
        yield living_review_iri(review), d("addsStudy"), s
    yield s, d("studyScope"), lit(study_scope(study))
    if study.candidate:
        yield s, d("screenedAs"), candidate_iri(study.candidate)
    yield from slot_triples(s, study)
    yield s, d("shortCitation"), lit(study.short_citation)
    yield s, d("firstAuthor"), lit(study.first_author_surname)
    # Ordered authors as an rdf:List with IRIs derived from the study, so graphs stay comparable.
    head = f"{s}-authors"
    yield s, BIBO + "authorList", head
    for i, author in enumerate(study.authors):
        node = f"{s}-authors-{i + 1}" if i else head
        rest = f"{s}-authors-{i + 2}" if i + 1 < len(study.authors) else RDF_NIL
        yield node, RDF_FIRST, lit(author)
        yield node, RDF_REST, rest
        yield s, DCT + "creator", lit(author)
    if study.venue:
        v = venue_iri(study.venue)
        yield s, DCT + "isPartOf", v
        if seen is None or v not in seen:
            if seen is not None:
                seen.add(v)
            yield v, RDF_TYPE, BIBO + "Periodical"
            yield v, DCT + "title", lit(study.venue)
    yield from evidence_triples(s, study.evidence, review, seen)
    yield from basis_triples(s, study.evidence)
    yield from stamp_triples(s, study.added, study.retracted, seen)
    if study.updated:
        yield s, DCT + "modified", lit(study.updated.at, XSD + "dateTime")
        yield s, DCT + "contributor", agent_iri(study.updated.by)
        yield from agent_triples(study.updated.by, seen)
    for fact in study.facts():
        f = fact_iri(study.doi, fact.id)
        yield f, RDF_TYPE, d(fact.rdf_class)
        yield f, d("aboutStudy"), s
        yield from slot_triples(f, fact)
        yield from evidence_triples(f, fact.evidence, review, seen)
        yield from stamp_triples(f, fact.added, fact.retracted, seen)
        if fact.evidence.confidence:
            yield f, d("inferenceConfidence"), lit(fact.evidence.confidence)
        yield from basis_triples(f, fact.evidence)
        if (informed := informed_component(fact)) is not None:
            yield f, d("informsComponent"), d(informed)
        if fact.restored:
            yield f, d("restorationReason"), lit(fact.restored.text or "")
            yield f, d("restoredBy"), agent_iri(fact.restored.by)
            yield f, DCT + "modified", lit(fact.restored.at, XSD + "dateTime")
            yield from agent_triples(fact.restored.by, seen)
    for component in reported_components(study):
        yield s, d("reportsComponent"), d(component)


def study_scope(study: Study) -> str:
    """'review' for a study of the review's reference list, 'living' for one added after it."""
    return "review" if study.ref is not None else "living"


def living_review_iri(review: str) -> str:
    """The project's living review, which continues `review` (the review's IRI)."""
    return f"{review}-living"


def living_review_triples(review: str) -> Iterator[Triple]:
    living = living_review_iri(review)
    yield living, RDF_TYPE, d("LivingReview")
    yield living, RDFS_LABEL, lit("dta-kg living review")
    yield living, d("continuesReview"), review
    yield living, PROV + "wasDerivedFrom", review


def basis_triples(node: str, ev: Evidence) -> Iterator[Triple]:
    """What `node` stands on (see `dta_kg.core.basis`): derived from its evidence, so that an
    answer can show it and order by it without visiting the annotation."""
    level = level_of(ev.inferred, ev.confidence)
    yield node, d("basis"), lit(columns(level)[0])
    yield node, d("basisRank"), lit(rank(level))


FACILITATORS_AND_BARRIERS = "facilitators-and-barriers"


def informed_component(fact: Fact) -> str | None:
    """The component a fact shows its study informs (`dta:informsComponent`, derived): that of
    a component report or finding; facilitators and barriers exactly through a factor report,
    so that retracting a study's last factor report takes the study out of that component."""
    if isinstance(fact, FactorReport):
        return FACILITATORS_AND_BARRIERS
    if isinstance(fact, ComponentReport | Finding) and fact.component != FACILITATORS_AND_BARRIERS:
        return fact.component
    return None


def reported_components(study: Study) -> list[str]:
    """The components its facts that are not retracted inform (`informed_component`): the
    summary `dta:reportsComponent` edges that spare queries a visit to every fact."""
    return sorted({c for f in study.facts() if not f.retracted
                   and (c := informed_component(f)) is not None})


def review_triples(review: Review) -> Iterator[Triple]:
    r = review_iri(review.doi)
    yield r, RDF_TYPE, d("IntegrativeReview")
    yield from slot_triples(r, review)
    for author in review.authors:
        yield r, DCT + "creator", lit(author)
    yield r, DCT + "isPartOf", venue_iri(review.venue)
    yield venue_iri(review.venue), RDF_TYPE, BIBO + "Periodical"
    yield venue_iri(review.venue), DCT + "title", lit(review.venue)
    yield from evidence_triples(r, review.evidence, r)
    yield from living_review_triples(r)
    definition = f"{r}-definition"
    yield r, d("proposesDefinition"), definition
    yield definition, RDF_TYPE, d("Definition")
    yield definition, RDF_VALUE, lit(review.definition.text)
    yield definition, d("defines"), d("digital-therapeutic-alliance")
    yield from evidence_triples(definition, review.definition.evidence, r)
    if review.search_end:
        yield r, d("searchEndDate"), lit(review.search_end.value, XSD + "gYearMonth")
    for claim in review.claims:
        c = f"{r}-claim-{slug(claim.id)}"
        yield c, RDF_TYPE, d("ReviewClaim")
        yield c, d("aboutReview"), r
        yield from slot_triples(c, claim)
        yield c, d("claimedValue"), lit(claim.value if isinstance(claim.value, int) else str(claim.value))
        yield from evidence_triples(c, claim.evidence, r)
        yield from stamp_triples(c, None, None)


def curated_term_triples(curated: CuratedTerm, review: str) -> Iterator[Triple]:
    """A curator-added instrument or subscale, described like the ontology's own measures."""
    t, ev = curated.term, curated.evidence
    node = d(t.id)
    yield node, RDF_TYPE, PREFIXES["owl"] + "NamedIndividual"
    yield node, RDF_TYPE, SKOS + "Concept"
    yield node, RDF_TYPE, d(t.cls)
    yield node, SKOS + "inScheme", d("measures-scheme")
    yield node, RDFS_LABEL, lit(t.label)
    yield node, SKOS + "prefLabel", lit(t.label)
    for alt in t.alt_labels:
        yield node, SKOS + "altLabel", lit(alt)
    yield node, SKOS + "definition", lit(curated.definition)
    for component in t.measures:
        yield node, d("measuresComponent"), d(component)
    if t.parent:
        yield node, d("subscaleOf"), d(t.parent)
        yield d(t.parent), d("hasSubscale"), node
    else:
        yield node, SKOS + "topConceptOf", d("measures-scheme")
    yield node, d("evidenceSection"), lit(ev.section)
    yield node, d("evidenceQuote"), lit(ev.quote)
    if ev.inferred:
        yield node, d("curatorInference"), lit(ev.inferred)
    yield node, PROV + "wasDerivedFrom", source_iri(ev, review)
    yield from stamp_triples(node, curated.added, None)


def corpus_triples(corpus: Corpus) -> Iterator[Triple]:
    """Every triple of the instance data (the ontology is added by the build)."""
    review = review_iri(corpus.review.doi)
    yield from review_triples(corpus.review)
    seen: set[str] = set()
    for study in corpus.studies:
        yield from study_triples(study, review, seen)
    for curated in corpus.instruments:
        yield from curated_term_triples(curated, review)
