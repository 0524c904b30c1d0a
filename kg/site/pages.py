"""What each page of the site shows, as plain data for the templates: studies with their facts
grouped by component and quoted in context, vocabulary terms, factor concepts, the home page's
counts and PRISMA flow, and the search index."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dta_kg.core.basis import label as basis_label
from dta_kg.core.basis import strongest
from dta_kg.core.iris import DTA, local_name, slug
from dta_kg.core.registry import COMPONENTS

from .compare import describe
from .context import in_context
from .snapshot import Snapshot

# vocabulary classes that get a page, and what a page calls them
TERM_KINDS = {"DTAComponent": "component", "Instrument": "instrument", "Subscale": "subscale",
              "EngagementMetric": "engagement metric", "GoalSettingFramework": "goal-setting framework",
              "FactorTheme": "factor theme", "StudyDesign": "design",
              "InterventionType": "intervention type"}
TERM_FIELDS = ("component", "instrument", "subscale", "theme", "design", "intervention_type")
ABOUT = "About the study"
PRISMA = ("prisma-records-identified", "prisma-duplicates-removed", "prisma-records-screened",
          "prisma-excluded-at-screening", "prisma-excluded-population",
          "prisma-excluded-no-intervention", "prisma-full-text-assessed", "prisma-included")


def study_path(study: dict) -> str:
    return f"studies/{slug(str(study['doi']))}.html"


def term_path(iri: str) -> str:
    return f"terms/{local_name(iri)}.html"


def factor_path(label: str) -> str:
    return f"factors/{slug(label)}.html"


def term_iris(fact: dict) -> list[str]:
    """The vocabulary terms a fact names."""
    return [fact[k] for k in TERM_FIELDS if fact.get(k)] + list(fact.get("components") or [])


def status(fact: dict) -> dict[str, Any]:
    """Verbatim, inferred (with the reason), unverified (quoted from a text the project does not
    hold) or retracted (with reason, curator and time)."""
    if fact["retracted"]:
        return {"name": "retracted", "reason": fact["retraction_reason"],
                "by": fact["retracted_by"], "at": fact["retracted_at"]}
    if fact["evidence"]["inferred"]:
        return {"name": "inferred", "reason": fact["evidence"]["inferred"]}
    if not fact["evidence"].get("verified", True):
        return {"name": "unverified", "reason": "the project does not hold the text of "
                f"{fact['evidence']['source']}, so this quote is not checked"}
    return {"name": "verbatim", "reason": None}


def fact_view(snap: Snapshot, fact: dict, pages: set[str]) -> dict[str, Any]:
    ev = fact["evidence"]
    quoted_review = ev["source"] == snap.review.get("iri")
    links = [{"label": snap.label(t), "href": term_path(t)} for t in term_iris(fact)
             if term_path(t) in pages]
    # a retracted factor whose label no other report uses has no page of its own
    if fact["kind"] == "FactorReport" and fact["label"] and factor_path(fact["label"]) in pages:
        links.append({"label": f"factor: {fact['label']}", "href": factor_path(fact["label"])})
    return {"id": fact["id"], "kind": fact["kind"], "what": describe(snap, fact),
            "section": ev["section"], "quote": ev["quote"], "status": status(fact),
            "context": in_context(ev["quote"], ev["section"]) if quoted_review else None,
            "source": None if quoted_review else ev["source"], "links": links,
            "basis": basis_label(fact.get("level", "stated")),
            "by": fact["by"], "at": fact["at"], "note": fact["note"]}


def group_of(snap: Snapshot, fact: dict) -> list[str]:
    """The components a fact is shown under on its study's page."""
    if fact.get("component"):
        return [snap.label(fact["component"])]
    if fact["kind"] == "FactorReport":
        return [snap.label(c) for c in fact["components"]] or \
            [snap.label(DTA + "facilitators-and-barriers")]
    return [ABOUT]


def study_view(snap: Snapshot, study: dict, pages: set[str]) -> dict[str, Any]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for fact in sorted(snap.facts_of(study["iri"]), key=lambda f: (f["kind"], str(f["id"]))):
        view = fact_view(snap, fact, pages)
        for group in group_of(snap, fact):
            groups[group].append(view)
    order = [snap.label(c["iri"]) for c in components(snap)]
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] != ABOUT,
                                                     order.index(kv[0]) if kv[0] in order else 99))
    return {**study, "groups": ordered,
            "neighbours": neighbours(snap, study, pages)}


def neighbours(snap: Snapshot, study: dict, pages: set[str]) -> list[dict[str, str]]:
    """The terms a study's facts (not retracted) name, for its focus graph."""
    seen: dict[str, dict[str, str]] = {}
    for fact in snap.facts_of(study["iri"]):
        if fact["retracted"]:
            continue
        for iri in term_iris(fact):
            if iri not in seen and term_path(iri) in pages:
                seen[iri] = {"label": snap.label(iri), "href": term_path(iri),
                             "kind": TERM_KINDS.get(snap.terms.get(iri, {}).get("kind", ""), "term")}
    return sorted(seen.values(), key=lambda n: (n["kind"], n["label"].lower()))


def components(snap: Snapshot) -> list[dict]:
    """The components, in the review's order (the registry's), any other after them."""
    order = {name: i for i, name in enumerate(COMPONENTS)}
    return sorted((t for t in snap.terms.values() if t["kind"] == "DTAComponent"),
                  key=lambda t: order.get(t["id"], len(order)))


def studies_of_term(snap: Snapshot, iri: str) -> dict[str, list[dict]]:
    """Study IRI -> the facts (not retracted) about it that name term `iri`."""
    out: dict[str, list[dict]] = defaultdict(list)
    for fact in snap.facts.values():
        if not fact["retracted"] and iri in term_iris(fact):
            out[fact["study"]].append(fact)
    return out


def term_view(snap: Snapshot, term: dict, pages: set[str]) -> dict[str, Any]:
    by_study = studies_of_term(snap, term["iri"])
    related = [t for t in snap.terms.values() if t["parent"] == term["iri"]]
    related += [snap.terms[i] for i in (term["parent"], *term["measures"]) if i in snap.terms]
    return {**term, "type": TERM_KINDS.get(term["kind"], term["kind"]),
            "related": [{"label": t["label"], "href": term_path(t["iri"])} for t in related
                        if term_path(t["iri"]) in pages],
            "studies": sorted(({"citation": snap.studies[s]["citation"],
                                "href": study_path(snap.studies[s]),
                                "facts": sorted({describe(snap, f) for f in facts}),
                                "basis": basis_label(strongest(f["level"] for f in facts))}
                               for s, facts in by_study.items() if s in snap.studies),
                              key=lambda s: s["citation"].lower())}


def factor_concepts(snap: Snapshot) -> dict[str, list[dict]]:
    """Factor label (as first written) -> its factor reports, not retracted, grouped by slug."""
    by_slug: dict[str, list[dict]] = defaultdict(list)
    for fact in snap.facts.values():
        if fact["kind"] == "FactorReport" and fact["label"] and not fact["retracted"]:
            by_slug[slug(fact["label"])].append(fact)
    return {facts[0]["label"]: facts for facts in by_slug.values()}


def component_counts(snap: Snapshot) -> list[dict[str, Any]]:
    """Each component with its curated study count (review studies, facts not retracted, as
    `dta:informsComponent` says: facilitators and barriers by factor reports) and the count the
    review states."""
    stated = {c["about"]: c["value"] for c in snap.review.get("claims", [])
              if c["kind"] == "studies-per-component"}
    rows = []
    for term in components(snap):
        studies = {f["study"] for f in snap.facts.values()
                   if f.get("informs") == term["iri"] and not f["retracted"]
                   and snap.studies.get(f["study"], {}).get("set") == "review"}
        rows.append({"label": term["label"], "href": term_path(term["iri"]),
                     "curated": len(studies), "stated": stated.get(term["iri"])})
    return rows


def prisma(snap: Snapshot) -> dict[str, dict]:
    """The PRISMA figures the review states, by claim kind, each with its quote."""
    return {c["kind"]: c for c in snap.review.get("claims", []) if c["kind"] in PRISMA}


def search_index(snap: Snapshot, pages: set[str]) -> list[dict[str, str]]:
    """One entry per study, term and factor concept: title, kind, link and the text searched."""
    entries = []
    for study in snap.studies.values():
        facts = snap.facts_of(study["iri"])
        words = " ".join([str(study["title"]), str(study["doi"]), " ".join(study["authors"]),
                          *(describe(snap, f) for f in facts if not f["retracted"])])
        entries.append({"title": str(study["citation"]), "kind": "study",
                        "url": study_path(study), "text": words})
    for iri, term in snap.terms.items():
        if term_path(iri) in pages:
            entries.append({"title": term["label"], "kind": TERM_KINDS[term["kind"]],
                            "url": term_path(iri),
                            "text": " ".join([term["id"], *term["alt_labels"],
                                              term["definition"] or ""])})
    for label, facts in factor_concepts(snap).items():
        entries.append({"title": label, "kind": "factor", "url": factor_path(label),
                        "text": " ".join(sorted({snap.label(f["theme"]) for f in facts}))})
    return sorted(entries, key=lambda e: (e["kind"] != "study", e["title"].lower()))
