"""Map the typed records to RDF triples, each fact with its evidence and PROV-O attribution."""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from dta_kg.model import (
    ComponentReport,
    Corpus,
    CuratedTerm,
    CuratorNote,
    DesignReport,
    Evidence,
    FactorReport,
    Finding,
    InterventionReport,
    PopulationReport,
    Review,
    Stamp,
    Study,
)
from dta_kg.vocab import (
    PREFIXES,
    agent_iri,
    fact_iri,
    review_iri,
    slug,
    study_iri,
    term,
    venue_iri,
)

Triple = tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal]

DCT = PREFIXES["dcterms"]
BIBO = PREFIXES["bibo"]
FABIO = PREFIXES["fabio"]
PROV = PREFIXES["prov"]
OA = PREFIXES["oa"]
SKOS = PREFIXES["skos"]
REVIEW_CURATOR = "dta-kg curators"
CURATED_AT = "2026-11-26T00:00:00Z"


def u(iri: str) -> URIRef:
    return URIRef(iri)


def d(local: str) -> URIRef:
    return URIRef(term(local))


def source_iri(ev: Evidence, review: URIRef) -> URIRef:
    """The document `ev` quotes: the review, or a study added after it."""
    return u(study_iri(ev.source)) if ev.source else review


def evidence_triples(subject: URIRef, base: str, ev: Evidence, review: URIRef) -> Iterator[Triple]:
    """An oa:Annotation whose target selects the quoted span of the review (or of a study)."""
    ann, target, selector = u(f"{base}-evidence"), u(f"{base}-target"), u(f"{base}-selector")
    source = source_iri(ev, review)
    yield subject, d("evidence"), ann
    yield subject, u(PROV + "wasDerivedFrom"), source
    yield ann, RDF.type, u(OA + "Annotation")
    yield ann, u(OA + "hasTarget"), target
    yield ann, d("section"), Literal(ev.section)
    if ev.inferred:
        yield ann, d("curatorInference"), Literal(ev.inferred)
    yield target, RDF.type, u(OA + "SpecificResource")
    yield target, u(OA + "hasSource"), source
    yield target, u(OA + "hasSelector"), selector
    yield selector, RDF.type, u(OA + "TextQuoteSelector")
    yield selector, u(OA + "exact"), Literal(ev.quote)


def stamp_triples(subject: URIRef, added: Stamp | None, retracted: Stamp | None) -> Iterator[Triple]:
    by = added.by if added else REVIEW_CURATOR
    at = added.at if added else CURATED_AT
    yield subject, u(PROV + "wasAttributedTo"), u(agent_iri(by))
    yield u(agent_iri(by)), RDF.type, u(PROV + "Agent")
    yield u(agent_iri(by)), RDFS.label, Literal(by)
    yield subject, u(PROV + "generatedAtTime"), Literal(at, datatype=XSD.dateTime)
    if added and added.text:
        yield subject, d("curatorNote"), Literal(added.text)
    if retracted:
        yield subject, d("retracted"), Literal(True)
        yield subject, d("retractionReason"), Literal(retracted.text or "")
        yield subject, u(PROV + "invalidatedAtTime"), Literal(retracted.at, datatype=XSD.dateTime)
        yield subject, d("retractedBy"), u(agent_iri(retracted.by))
        yield u(agent_iri(retracted.by)), RDF.type, u(PROV + "Agent")
        yield u(agent_iri(retracted.by)), RDFS.label, Literal(retracted.by)


def fact_body(iri: URIRef, fact) -> Iterator[Triple]:
    """The triples particular to each kind of fact."""
    if isinstance(fact, ComponentReport):
        yield iri, d("component"), d(fact.component)
    elif isinstance(fact, Finding):
        yield iri, d("component"), d(fact.component)
        if fact.instrument:
            yield iri, d("usesMeasure"), d(fact.instrument)
        if fact.subscale:
            yield iri, d("usesSubscale"), d(fact.subscale)
        if fact.result:
            r = fact.result
            yield iri, d("resultValue"), Literal(str(r.value), datatype=XSD.decimal)
            yield iri, d("resultKind"), d(r.kind)
            if r.unit:
                yield iri, d("resultUnit"), Literal(r.unit)
            if r.comparator:
                yield iri, d("comparator"), Literal(r.comparator)
    elif isinstance(fact, FactorReport):
        yield iri, RDFS.label, Literal(fact.label)
        yield iri, d("polarity"), d(fact.polarity)
        yield iri, d("theme"), d(fact.theme)
        for c in fact.components:
            yield iri, d("affectsComponent"), d(c)
    elif isinstance(fact, DesignReport):
        yield iri, d("design"), d(fact.design)
    elif isinstance(fact, PopulationReport):
        yield iri, d("populationDescription"), Literal(fact.population)
    elif isinstance(fact, InterventionReport):
        yield iri, d("interventionType"), d(fact.type)
        if fact.name:
            yield iri, d("interventionName"), Literal(fact.name)
    elif isinstance(fact, CuratorNote):
        yield iri, RDFS.comment, Literal(fact.note)


def study_triples(study: Study, review: URIRef) -> Iterator[Triple]:
    s = u(study_iri(study.doi))
    yield s, RDF.type, d("Study")
    yield review, d("includesStudy"), s
    yield s, u(BIBO + "doi"), Literal(study.doi)
    yield s, u(DCT + "title"), Literal(study.title)
    yield s, u(FABIO + "hasPublicationYear"), Literal(str(study.year), datatype=XSD.gYear)
    yield s, d("shortCitation"), Literal(study.short_citation)
    yield s, d("firstAuthor"), Literal(study.first_author_surname)
    yield s, d("authorsTruncated"), Literal(study.authors_truncated)
    # Ordered authors as an rdf:List with IRIs derived from the study, so graphs stay comparable.
    head = u(f"{s}-authors")
    yield s, u(BIBO + "authorList"), head
    for i, author in enumerate(study.authors):
        node = u(f"{s}-authors-{i + 1}") if i else head
        rest = u(f"{s}-authors-{i + 2}") if i + 1 < len(study.authors) else RDF.nil
        yield node, RDF.first, Literal(author)
        yield node, RDF.rest, rest
        yield s, u(DCT + "creator"), Literal(author)
    optional = {
        BIBO + "pmid": study.pmid, BIBO + "volume": study.volume, BIBO + "issue": study.issue,
        BIBO + "pages": study.pages, term("citedInTextAs"): study.cited_as,
    }
    for pred, value in optional.items():
        if value:
            yield s, u(pred), Literal(value)
    if study.ref is not None:
        yield s, d("referenceNumber"), Literal(study.ref)
    if study.venue:
        v = u(venue_iri(study.venue))
        yield s, u(DCT + "isPartOf"), v
        yield v, RDF.type, u(BIBO + "Periodical")
        yield v, u(DCT + "title"), Literal(study.venue)
    base = f"{s}-ref"
    yield from evidence_triples(s, base, study.evidence, review)
    yield from stamp_triples(s, study.added, study.retracted)
    if study.updated:
        agent = u(agent_iri(study.updated.by))
        yield s, u(DCT + "modified"), Literal(study.updated.at, datatype=XSD.dateTime)
        yield s, u(DCT + "contributor"), agent
        yield agent, RDF.type, u(PROV + "Agent")
        yield agent, RDFS.label, Literal(study.updated.by)
    for fact in study.facts():
        f = u(fact_iri(study.doi, fact.id))
        yield f, RDF.type, d(fact.kind)
        yield f, d("aboutStudy"), s
        yield f, d("factId"), Literal(fact.id)
        yield from fact_body(f, fact)
        yield from evidence_triples(f, str(f), fact.evidence, review)
        yield from stamp_triples(f, fact.added, fact.retracted)


def review_triples(review: Review) -> Iterator[Triple]:
    r = u(review_iri(review.doi))
    yield r, RDF.type, d("IntegrativeReview")
    yield r, u(BIBO + "doi"), Literal(review.doi)
    yield r, u(DCT + "title"), Literal(review.title)
    yield r, u(FABIO + "hasPublicationYear"), Literal(str(review.year), datatype=XSD.gYear)
    for author in review.authors:
        yield r, u(DCT + "creator"), Literal(author)
    yield r, u(DCT + "isPartOf"), u(venue_iri(review.venue))
    yield u(venue_iri(review.venue)), RDF.type, u(BIBO + "Periodical")
    yield u(venue_iri(review.venue)), u(DCT + "title"), Literal(review.venue)
    for pred, value in {BIBO + "volume": review.volume, BIBO + "pages": review.pages}.items():
        if value:
            yield r, u(pred), Literal(value)
    if review.license:
        yield r, u(DCT + "license"), u(review.license)
    yield from evidence_triples(r, f"{r}-title", review.evidence, r)
    definition = u(f"{r}-definition")
    yield r, d("proposesDefinition"), definition
    yield definition, RDF.type, d("Definition")
    yield definition, RDF.value, Literal(review.definition)
    yield definition, d("defines"), d("digital-therapeutic-alliance")
    yield from evidence_triples(definition, str(definition), review.definition_evidence, r)
    if review.search_end:
        yield r, d("searchEndDate"), Literal(review.search_end, datatype=XSD.gYearMonth)
    groups = {"searchedDatabase": review.databases, "followsGuideline": review.guidelines,
              "followsMethod": review.methods, "usesFramework": review.frameworks,
              "usedAppraisalTool": review.appraisal_tools}
    for pred, items in groups.items():
        for item in items:
            yield r, d(pred), d(item.term)
    for claim in review.claims:
        c = u(f"{r}-claim-{slug(claim.id)}")
        yield c, RDF.type, d("ReviewClaim")
        yield c, d("aboutReview"), r
        yield c, d("claimKind"), d(claim.kind)
        if claim.about:
            yield c, d("claimAbout"), d(claim.about)
        value = Literal(claim.value) if isinstance(claim.value, int) else Literal(str(claim.value))
        yield c, d("claimedValue"), value
        yield from evidence_triples(c, str(c), claim.evidence, r)
        yield from stamp_triples(c, None, None)


def curated_term_triples(curated: CuratedTerm, review: URIRef) -> Iterator[Triple]:
    """A curator-added instrument or subscale, described like the ontology's own measures."""
    t, ev = curated.term, curated.evidence
    node = d(t.id)
    yield node, RDF.type, u(PREFIXES["owl"] + "NamedIndividual")
    yield node, RDF.type, u(SKOS + "Concept")
    yield node, RDF.type, d(t.cls)
    yield node, u(SKOS + "inScheme"), d("measures-scheme")
    yield node, RDFS.label, Literal(t.label)
    yield node, u(SKOS + "prefLabel"), Literal(t.label)
    for alt in t.alt_labels:
        yield node, u(SKOS + "altLabel"), Literal(alt)
    yield node, u(SKOS + "definition"), Literal(curated.definition)
    for component in t.measures:
        yield node, d("measuresComponent"), d(component)
    if t.parent:
        yield node, d("subscaleOf"), d(t.parent)
        yield d(t.parent), d("hasSubscale"), node
    else:
        yield node, u(SKOS + "topConceptOf"), d("measures-scheme")
    yield node, d("evidenceSection"), Literal(ev.section)
    yield node, d("evidenceQuote"), Literal(ev.quote)
    if ev.inferred:
        yield node, d("curatorInference"), Literal(ev.inferred)
    yield node, u(PROV + "wasDerivedFrom"), source_iri(ev, review)
    yield from stamp_triples(node, curated.added, None)


def corpus_triples(corpus: Corpus) -> Iterator[Triple]:
    """Every triple of the instance data (the ontology is added by the build)."""
    review = u(review_iri(corpus.review.doi))
    yield from review_triples(corpus.review)
    for study in corpus.studies:
        yield from study_triples(study, review)
    for curated in corpus.instruments:
        yield from curated_term_triples(curated, review)
