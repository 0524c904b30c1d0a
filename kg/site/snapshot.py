"""The graph read back as studies and facts, from a build, a release folder or an RDF file.

A snapshot is what `compare`, `diff`, `release` and `site` work on: plain dicts of the studies
and their facts (with evidence, attribution and retraction) and the labels of the vocabulary,
read from the triples and nothing else, so two builds or releases compare as they were written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph

from dta_kg.core.basis import UNGIVEN, at_least, level_of
from dta_kg.core.errors import DtaKgError
from dta_kg.core.iris import DTA, PREFIXES, local_name
from dta_kg.core.limits import GRAPH_BYTES, Capped, open_regular
from dta_kg.core.model import STUDY_FACTS
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import RDF, RDFS, Lit, plain_term
from dta_kg.loaders.yaml_io import read_yaml
from dta_kg.stores.local import ensure_files, sparql_store, store_triples

GRAPH_FILE = "dta-kg.nt"  # the name the build and a release give the graph in N-Triples
RDF_TYPE, RDF_FIRST, RDF_REST = RDF + "type", RDF + "first", RDF + "rest"
SKOS, PROV, OA, BIBO, DCT, FABIO = (PREFIXES[p] for p in ("skos", "prov", "oa", "bibo", "dcterms",
                                                          "fabio"))
FACT_KINDS = tuple(cls.rdf_class for cls in STUDY_FACTS)
# fact property (local name in dta:) -> the key it gets in a fact dict
FACT_FIELDS = {"component": "component", "usesMeasure": "instrument", "usesSubscale": "subscale",
               "resultValue": "value", "resultKind": "result_kind", "resultUnit": "unit",
               "comparator": "comparator", "polarity": "polarity", "theme": "theme",
               "design": "design", "populationDescription": "population",
               "interventionType": "intervention_type", "interventionName": "intervention_name"}
Notify = Callable[[str], None] | None
PlainTriple = tuple[str, str, Any]


class SnapshotError(DtaKgError):
    """A build or release could not be read as a graph."""


@dataclass
class Snapshot:
    """Studies and facts keyed by IRI, and the label of every labelled resource."""

    studies: dict[str, dict] = field(default_factory=dict)
    facts: dict[str, dict] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    terms: dict[str, dict] = field(default_factory=dict)  # vocabulary term IRI -> its description
    review: dict = field(default_factory=dict)
    runs: dict[str, dict] = field(default_factory=dict)  # search run IRI -> id, database, date
    candidates: dict[str, dict] = field(default_factory=dict)  # IRI -> id, run, outcomes
    decisions: int = 0
    triples: int = 0

    def label(self, iri: str | None) -> str:
        return "" if iri is None else self.labels.get(iri, local_name(iri))

    def facts_of(self, study: str) -> list[dict]:
        return [f for f in self.facts.values() if f["study"] == study]

    def at_least(self, minimum: str) -> Snapshot:
        """The snapshot without the facts less sure than `minimum` (see `dta_kg.core.basis`)."""
        if minimum == UNGIVEN:
            return self
        kept = {iri: f for iri, f in self.facts.items() if at_least(f["level"], minimum)}
        return replace(self, facts=kept)


def read_triples(triples: Iterable[PlainTriple]) -> Snapshot:
    """A snapshot of plain triples (IRIs as str, literals as `Lit`), as the stores give them."""
    by_subject: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    count = 0
    for s, p, o in triples:
        by_subject[s][p].append(o)
        count += 1
    snap = Snapshot(triples=count)
    agents = _agent_labels(by_subject)
    for s, props in by_subject.items():
        label = _one(props, SKOS + "prefLabel") or _one(props, RDFS + "label")
        if label is not None:
            snap.labels[s] = str(label)
    for s, props in by_subject.items():
        types = {local_name(t) for t in props.get(RDF_TYPE, ()) if isinstance(t, str)}
        if "Study" in types:
            snap.studies[s] = _study(s, props, by_subject, agents)
            snap.labels[s] = snap.studies[s]["citation"]
        elif types & set(FACT_KINDS):
            snap.facts[s] = _fact(s, next(iter(types & set(FACT_KINDS))), props, by_subject,
                                   agents)
        elif "IntegrativeReview" in types:
            snap.review = {**_review(s, props, by_subject), "claims": snap.review.get("claims", [])}
        elif "ReviewClaim" in types:
            snap.review.setdefault("claims", []).append(
                {"kind": local_name(str(_one(props, DTA + "claimKind"))),
                 "about": _one(props, DTA + "claimAbout"), "value": _one(props, DTA + "claimedValue"),
                 "evidence": _evidence(props, by_subject)})
        elif "SearchRun" in types:
            snap.runs[s] = {"id": _one(props, DCT + "identifier"),
                            "database": _one(props, DTA + "searchDatabase"),
                            "date": _one(props, DTA + "searchDate")}
        elif "ScreeningCandidate" in types:
            snap.candidates[s] = _candidate(props)
        elif "ScreeningDecision" in types:
            snap.decisions += 1
        elif s.startswith(DTA) and SKOS + "Concept" in props.get(RDF_TYPE, ()):
            snap.terms[s] = _term(s, types, props, snap)
    return snap


def read_path(path: Path) -> Snapshot:
    """A snapshot of a build or release folder (its dta-kg.nt) or of an RDF file."""
    file = path / GRAPH_FILE if path.is_dir() else path
    if not file.is_file():
        raise SnapshotError(f"{path}: no graph found; give a build or release folder holding "
                            f"{GRAPH_FILE}, or an RDF file (.nt, .ttl, .jsonld)")
    fmt = pyoxigraph.RdfFormat.from_extension(file.suffix.removeprefix("."))
    if fmt is None:
        raise SnapshotError(f"{file}: not an RDF file name; give a .nt, .ttl or .jsonld file "
                            "written by dta-kg build or release")
    try:
        with open_regular(file) as stream:
            capped = Capped(stream, GRAPH_BYTES, "an RDF graph to compare",
                            "compare two builds or releases")
            # Oxigraph calls only read() on it
            quads = list(pyoxigraph.parse(cast(IO[bytes], capped), fmt,
                                          without_named_graphs=False))
    except (SyntaxError, ValueError, OSError, MemoryError) as exc:
        # MemoryError: Oxigraph's buffer for one token (16 MiB) overflowed, a malformed file
        raise SnapshotError(f"{file}: not a readable RDF file ({exc}); give a .nt, .ttl or "
                            ".jsonld file written by dta-kg build or release") from exc
    return read_triples((str(plain_term(q.subject)), q.predicate.value, plain_term(q.object))
                        for q in quads)


def read_project(project: Project, notify: Notify = None) -> Snapshot:
    """A snapshot of the project's build, rebuilt first when it is missing or stale."""
    ensure_files(project, notify)  # releases and the site copy the graph files beside it
    snap = read_triples(store_triples(sparql_store(project)))
    ordered = review_authors(project)
    if sorted(ordered) == snap.review.get("authors"):  # the graph keeps no author order
        snap.review["authors"] = ordered
    return snap


def review_authors(project: Project) -> list[str]:
    """The review's authors in the order of records/review.yaml."""
    data = read_yaml(project.review)
    return [str(a) for a in data.get("authors", [])] if isinstance(data, dict) else []


def _candidate(props: dict[str, list]) -> dict:
    """A screening candidate: its id, run, whether it is a duplicate, and its outcomes."""
    return {"id": _one(props, DCT + "identifier"), "run": _one(props, PROV + "wasGeneratedBy"),
            "title": _one(props, DCT + "title"),
            "duplicate": _one(props, DTA + "duplicateRule") is not None,
            "title-abstract": _one(props, DTA + "titleAbstractOutcome"),
            "full-text": _one(props, DTA + "fullTextOutcome")}


def _one(props: dict[str, list], pred: str) -> Any:
    values = props.get(pred)
    if not values:
        return None
    value = sorted(values, key=str)[0]
    return value.lexical if isinstance(value, Lit) else value


def _evidence(props: dict[str, list], by_subject: dict) -> dict:
    ann = _one(props, DTA + "evidence")
    a = by_subject.get(ann, {}) if ann else {}
    target = by_subject.get(_one(a, OA + "hasTarget"), {}) if a else {}
    selector = by_subject.get(_one(target, OA + "hasSelector"), {}) if target else {}
    source = _one(target, OA + "hasSource") if target else None
    return {"section": _one(a, DTA + "section") if a else None,
            "quote": _one(selector, OA + "exact") if selector else None,
            "inferred": _one(a, DTA + "curatorInference") if a else None,
            "verified": (_one(a, DTA + "quoteVerified") if a else None) not in (False, "false"),
            "source": source}


def _stamp(props: dict[str, list], agents: dict[str, str]) -> dict:
    def who(iri: str | None) -> str | None:
        if iri is None:
            return None
        return agents.get(iri) or local_name(iri).removeprefix("agent-")

    retracted = _one(props, DTA + "retracted") == "true"
    return {"by": who(_one(props, PROV + "wasAttributedTo")),
            "at": _one(props, PROV + "generatedAtTime"),
            "note": _one(props, DTA + "curatorNote"),
            "retracted": retracted,
            "retracted_by": who(_one(props, DTA + "retractedBy")) if retracted else None,
            "retracted_at": _one(props, PROV + "invalidatedAtTime") if retracted else None,
            "retraction_reason": _one(props, DTA + "retractionReason") if retracted else None}


def _agent_labels(by_subject: dict) -> dict[str, str]:
    return {s: str(_one(p, RDFS + "label")) for s, p in by_subject.items()
            if PROV + "Agent" in p.get(RDF_TYPE, ()) and _one(p, RDFS + "label")}


def _authors(head: str | None, by_subject: dict) -> list[str]:
    out: list[str] = []
    node = head
    while node and node in by_subject and len(out) < 10_000:
        first = _one(by_subject[node], RDF_FIRST)
        if first is not None:
            out.append(str(first))
        node = _one(by_subject[node], RDF_REST)
    return out


def _study(s: str, props: dict[str, list], by_subject: dict, agents: dict[str, str]) -> dict:
    ref = _one(props, DTA + "referenceNumber")
    venue = _one(props, DCT + "isPartOf")
    year = _one(props, FABIO + "hasPublicationYear")
    return {"iri": s, "doi": _one(props, BIBO + "doi"), "title": _one(props, DCT + "title"),
            "year": int(year) if year else None, "citation": _one(props, DTA + "shortCitation"),
            "authors": _authors(_one(props, BIBO + "authorList"), by_subject),
            "venue": _one(by_subject.get(venue, {}), DCT + "title") if venue else None,
            "pmid": _one(props, BIBO + "pmid"), "ref": int(ref) if ref else None,
            "set": "review" if ref else "living",
            "evidence": _evidence(props, by_subject),
            **_stamp(props, agents)}


def _fact(s: str, kind: str, props: dict[str, list], by_subject: dict,
          agents: dict[str, str]) -> dict:
    fact: dict[str, Any] = {"iri": s, "kind": kind, "study": _one(props, DTA + "aboutStudy"),
                            "id": _one(props, DTA + "factId")}
    for pred, key in FACT_FIELDS.items():
        fact[key] = _one(props, DTA + pred)
    if fact["value"] is not None:
        fact["value"] = float(fact["value"])
    fact["components"] = sorted(str(c) for c in props.get(DTA + "affectsComponent", ()))
    fact["label"] = _one(props, RDFS + "label")
    fact["note_text"] = _one(props, RDFS + "comment")
    fact["evidence"] = _evidence(props, by_subject)
    fact["confidence"] = _one(props, DTA + "inferenceConfidence")
    fact["level"] = level_of(fact["evidence"]["inferred"], fact["confidence"])
    fact["informs"] = _one(props, DTA + "informsComponent")  # derived by the build
    fact.update(_stamp(props, agents))
    return fact


def _review(s: str, props: dict[str, list], by_subject: dict) -> dict:
    definition = by_subject.get(_one(props, DTA + "proposesDefinition"), {})
    return {"iri": s, "doi": _one(props, BIBO + "doi"), "title": _one(props, DCT + "title"),
            "year": _one(props, FABIO + "hasPublicationYear"),
            "authors": sorted(str(a.lexical) for a in props.get(DCT + "creator", ())),
            "license": _one(props, DCT + "license"),
            "definition": _one(definition, RDF + "value") if definition else None,
            "definition_evidence": _evidence(definition, by_subject) if definition else None}


def _term(s: str, types: set[str], props: dict[str, list], snap: Snapshot) -> dict:
    kind = sorted(types - {"Concept", "NamedIndividual"}) or ["Concept"]
    return {"iri": s, "id": local_name(s), "kind": kind[0], "label": snap.labels.get(s, local_name(s)),
            "definition": _one(props, SKOS + "definition"),
            "alt_labels": sorted(str(a.lexical) for a in props.get(SKOS + "altLabel", ())),
            "parent": _one(props, DTA + "subscaleOf"),
            "measures": sorted(props.get(DTA + "measuresComponent", ())),
            "scheme": _one(props, SKOS + "inScheme")}
