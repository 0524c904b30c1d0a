"""The comparison table, in the style of ORKG: one row per study, its findings as columns.

A row holds, for the components asked for, the instruments and subscales the study's findings
use, their results (value, kind, unit, comparator), and the study's designs, populations and
intervention types, and what the row stands on: the weakest basis of the facts in it. Retracted
facts are left out unless asked for.
"""

from __future__ import annotations

from typing import Any

from dta_kg.core.basis import columns, weakest
from dta_kg.core.iris import DTA, local_name
from dta_kg.core.vocabulary import Term, Vocabulary

from .snapshot import Snapshot

CODINGS = ("DesignReport", "PopulationReport", "InterventionReport")  # a row's study-level facts
COLUMNS = ["study", "doi", "year", "set", "components", "instrument", "subscale", "result",
           "result_kind", "comparator", "design", "population", "intervention_type",
           "intervention", "basis", "confidence"]


def vocabulary(snap: Snapshot) -> Vocabulary:
    """The snapshot's vocabulary terms, to look a component up by id, label or alt label."""
    return Vocabulary([Term(id=t["id"], cls=t["kind"], label=t["label"],
                            alt_labels=tuple(t["alt_labels"]),
                            parent=local_name(t["parent"]) if t["parent"] else None)
                       for t in snap.terms.values()])


def result_text(snap: Snapshot, fact: dict) -> str | None:
    """'0.83' or '73.8 percent of participants': the value and its unit."""
    if fact.get("value") is None:
        return None
    value = f"{fact['value']:g}"
    return f"{value} {fact['unit']}" if fact.get("unit") else value


def compare(snap: Snapshot, component: str | None = None, *,
            include_retracted: bool = False) -> list[dict[str, Any]]:
    """One row per study that reports `component` (a term id; every component when None),
    sorted by citation. Multi-valued columns are lists, in the order of the findings."""
    wanted = DTA + component if component else None
    by_study: dict[str, list[dict]] = {}
    for fact in snap.facts.values():
        if fact["retracted"] and not include_retracted:
            continue
        by_study.setdefault(fact["study"], []).append(fact)
    rows = []
    for iri, study in snap.studies.items():
        if study["retracted"] and not include_retracted:
            continue
        facts = sorted(by_study.get(iri, []), key=lambda f: str(f["id"]))
        about = [f for f in facts if f["kind"] in ("ComponentReport", "Finding", "FactorReport")
                 and f.get("informs") and (wanted is None or f["informs"] == wanted)]
        if not about:
            continue
        findings = [f for f in about if f["kind"] == "Finding"]
        used = [*about, *(f for f in facts if f["kind"] in CODINGS)]
        basis, confidence = columns(weakest(f["level"] for f in used))
        rows.append({
            "study": study["citation"], "doi": study["doi"], "year": study["year"],
            "set": study["set"],
            "components": _distinct(snap.label(f["informs"]) for f in about),
            "instrument": _distinct(snap.label(f["instrument"]) for f in findings if f["instrument"]),
            "subscale": _distinct(snap.label(f["subscale"]) for f in findings if f["subscale"]),
            "result": [r for f in findings if (r := result_text(snap, f))],
            "result_kind": [snap.label(f["result_kind"]) for f in findings if f["value"] is not None],
            "comparator": [f["comparator"] for f in findings if f["comparator"]],
            "design": _distinct(snap.label(f["design"]) for f in facts if f["kind"] == "DesignReport"),
            "population": _distinct(f["population"] for f in facts if f["kind"] == "PopulationReport"),
            "intervention_type": _distinct(snap.label(f["intervention_type"]) for f in facts
                                           if f["kind"] == "InterventionReport"),
            "intervention": _distinct(f["intervention_name"] for f in facts
                                      if f["kind"] == "InterventionReport" and f["intervention_name"]),
            "basis": basis, "confidence": confidence,
        })
    return sorted(rows, key=lambda r: (str(r["study"]).lower(), str(r["doi"])))


def _distinct(values: Any) -> list[str]:
    return list(dict.fromkeys(str(v) for v in values))


def describe(snap: Snapshot, fact: dict) -> str:
    """What a fact says, in one line: 'therapeutic bond; therapeutic alliance score; Cohen's d
    0.83 vs bibliotherapy' or 'facilitator: responsiveness (conversational design)'."""
    kind = fact["kind"]
    if kind == "FactorReport":
        affects = ", ".join(snap.label(c) for c in fact["components"])
        return (f"{snap.label(fact['polarity'])}: {fact['label']} ({snap.label(fact['theme'])})"
                + (f", affects {affects}" if affects else ""))
    if kind == "Finding":
        parts = [snap.label(fact["component"])]
        parts += [snap.label(fact[k]) for k in ("instrument", "subscale") if fact[k]]
        if fact["value"] is not None:
            result = f"{snap.label(fact['result_kind'])} {result_text(snap, fact)}"
            parts.append(result + (f" vs {fact['comparator']}" if fact["comparator"] else ""))
        return "; ".join(parts)
    field = {"ComponentReport": "component", "DesignReport": "design",
             "PopulationReport": "population", "InterventionReport": "intervention_type",
             "CuratorNote": "note_text"}.get(kind)
    if field is None:
        return ""
    value = fact[field]
    text = snap.label(value) if field in ("component", "design", "intervention_type") else value
    if kind == "InterventionReport" and fact["intervention_name"]:
        text = f"{text} ({fact['intervention_name']})"
    return str(text or "")
