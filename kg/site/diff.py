"""What changed between two builds or releases, at the level of studies and facts.

A fact is *added* when only the new graph has it, *added and retracted* when only the new graph
has it and already marks it retracted, *removed* when only the old one has it, *retracted* when
the new graph marks retracted a fact the old one held, *restored* when the retraction is lifted,
and *changed* when what it says or its evidence differs. Each change carries the fact's evidence
and who did it, when, and why (for a retraction: who retracted it, when, and the reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dta_kg.core.iris import DTA
from dta_kg.core.output import math_as_text, render

from .compare import describe
from .snapshot import Snapshot

CHANGES = ("added", "added and retracted", "retracted", "restored", "changed", "removed")
RETRACTIONS = ("retracted", "added and retracted")  # changes whose curator, time and note
# are the retraction's
COLUMNS = ["change", "study", "doi", "fact", "kind", "what", "section", "quote", "inferred",
           "curator", "at", "note"]
COMPARED = ("kind", "component", "instrument", "subscale", "value", "result_kind", "unit",
            "comparator", "polarity", "theme", "design", "population", "intervention_type",
            "intervention_name", "components", "label", "note_text", "evidence")
RUN_COLUMNS = ["id", "database", "date", "identified", "duplicates"]


@dataclass
class Diff:
    old: str
    new: str
    studies_added: list[dict] = field(default_factory=list)
    studies_removed: list[dict] = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    runs_added: list[dict] = field(default_factory=list)  # search runs of the living review
    screening: dict[str, int] = field(default_factory=dict)  # candidates added, screened, ...

    def counts(self) -> dict[str, int]:
        out = {"studies added": len(self.studies_added),
               "studies removed": len(self.studies_removed)}
        for change in CHANGES:
            out[f"facts {change}"] = sum(1 for f in self.facts if f["change"] == change)
        return {**out, **self.screening}

    @property
    def empty(self) -> bool:
        return not (self.studies_added or self.studies_removed or self.facts
                    or any(self.screening.values()))


def diff(old: Snapshot, new: Snapshot, old_name: str = "old", new_name: str = "new") -> Diff:
    """The study- and fact-level changes from `old` to `new`, in citation and fact-id order."""
    out = Diff(old_name, new_name)
    out.studies_added = [_study_row(new, s) for i, s in new.studies.items() if i not in old.studies]
    out.studies_removed = [_study_row(old, s) for i, s in old.studies.items() if i not in new.studies]
    for iri, fact in new.facts.items():
        before = old.facts.get(iri)
        if before is None:
            out.facts.append(_fact_row("added and retracted" if fact["retracted"] else "added",
                                       new, fact))
        elif fact["retracted"] and not before["retracted"]:
            out.facts.append(_fact_row("retracted", new, fact))
        elif before["retracted"] and not fact["retracted"]:
            out.facts.append(_fact_row("restored", new, fact))
        else:
            changed = {k: (before.get(k), fact.get(k)) for k in COMPARED if before.get(k) != fact.get(k)}
            if changed:
                row = _fact_row("changed", new, fact)
                row["changes"] = {k: {"old": _plain(old, a), "new": _plain(new, b)}
                                  for k, (a, b) in changed.items()}
                row["what"] += " (was: " + describe(old, before) + ")" \
                    if describe(old, before) != row["what"] else ""
                out.facts.append(row)
    for iri, fact in old.facts.items():
        if iri not in new.facts:
            out.facts.append(_fact_row("removed", old, fact))
    out.runs_added, out.screening = screening_changes(old, new)
    out.studies_added.sort(key=_order)
    out.studies_removed.sort(key=_order)
    out.facts.sort(key=lambda r: (CHANGES.index(r["change"]), _order(r), str(r["fact"])))
    return out


def screening_changes(old: Snapshot, new: Snapshot) -> tuple[list[dict], dict[str, int]]:
    """The search runs added, and how many candidates were added, screened (given an outcome
    at title and abstract) and included at full text since `old`."""
    runs = []
    for iri, run in sorted(new.runs.items(), key=lambda item: str(item[1]["id"])):
        if iri not in old.runs:
            found = [c for c in new.candidates.values() if c["run"] == iri]
            runs.append({**run, "identified": len(found),
                         "duplicates": sum(c["duplicate"] for c in found)})

    def reached(snap: Snapshot, iri: str, stage: str, verdicts: tuple[str, ...]) -> bool:
        return snap.candidates.get(iri, {}).get(stage) in verdicts

    settled = ("include", "exclude", "maybe")
    counts = {
        "search runs added": len(runs),
        "candidates added": sum(1 for i in new.candidates if i not in old.candidates),
        "candidates screened": sum(1 for i in new.candidates
                                   if reached(new, i, "title-abstract", settled)
                                   and not reached(old, i, "title-abstract", settled)),
        "candidates included": sum(1 for i in new.candidates
                                   if reached(new, i, "full-text", ("include",))
                                   and not reached(old, i, "full-text", ("include",))),
        "screening decisions added": max(new.decisions - old.decisions, 0)}
    return runs, counts


def _order(row: dict) -> tuple[str, str]:
    return str(row["study"]).lower(), str(row["doi"])


def _plain(snap: Snapshot, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(DTA):
        return snap.label(value)
    return value


def _study_row(snap: Snapshot, study: dict) -> dict:
    return {"study": study["citation"], "doi": study["doi"], "year": study["year"],
            "set": study["set"], "title": study["title"], "curator": study["by"],
            "at": study["at"], "note": study["note"]}


def _fact_row(change: str, snap: Snapshot, fact: dict) -> dict:
    study = snap.studies.get(fact["study"], {})
    ev = fact["evidence"]
    retraction = change in RETRACTIONS
    return {"change": change, "study": study.get("citation"), "doi": study.get("doi"),
            "fact": fact["id"], "kind": fact["kind"], "what": describe(snap, fact),
            "section": ev["section"], "quote": ev["quote"], "inferred": ev["inferred"],
            "curator": fact["retracted_by"] if retraction else fact["by"],
            "at": fact["retracted_at"] if retraction else fact["at"],
            "note": fact["retraction_reason"] if retraction else fact["note"]}


def render_diff(d: Diff, fmt: str) -> str:
    """The diff as 'table', 'json' or 'markdown'."""
    if fmt == "json":
        return json.dumps({"old": d.old, "new": d.new, "counts": d.counts(),
                           "studies_added": d.studies_added, "studies_removed": d.studies_removed,
                           "search_runs_added": d.runs_added, "facts": d.facts},
                          ensure_ascii=False, indent=2, default=str)
    if fmt == "markdown":
        return markdown(d)
    if fmt == "table":
        head = ", ".join(f"{n} {what}" for what, n in d.counts().items())
        studies = [{"change": f"study {c}", **s} for c, rows in
                   (("added", d.studies_added), ("removed", d.studies_removed)) for s in rows]
        parts = [f"{d.old} -> {d.new}: {head}"]
        if studies:
            parts.append(render(studies, "table", ["change", "study", "doi", "set", "curator",
                                                   "at", "note"]))
        if d.runs_added:
            parts.append(render(d.runs_added, "table", RUN_COLUMNS))
        parts.append(render(d.facts, "table", COLUMNS))
        return "\n\n".join(parts)
    raise ValueError(f"unknown diff format {fmt!r}; use table, json or markdown")


def markdown(d: Diff) -> str:
    """The diff in Markdown, as CHANGELOG.md gives it."""
    lines = [f"## Changes from {d.old} to {d.new}", ""]
    if d.empty:
        return "\n".join([*lines, "No study or fact changed.", ""])
    lines += ["| what | how many |", "|---|---|"]
    lines += [f"| {what} | {n} |" for what, n in d.counts().items() if n]
    for title, rows in (("Studies added", d.studies_added), ("Studies removed", d.studies_removed)):
        if rows:
            lines += ["", f"### {title}", ""]
            lines += [f"- {r['study']} ({_doi(r['doi'])}), {r['set']}: {_md(r['title'])}"
                      + _who(r) for r in rows]
    if d.runs_added:
        lines += ["", "### Search runs added", ""]
        lines += [f"- {_md(r['id'])}: {_md(r['database'])}, searched {r['date']}: "
                  f"{r['identified']} records identified, {r['duplicates']} duplicates"
                  for r in d.runs_added]
    for change in CHANGES:
        rows = [r for r in d.facts if r["change"] == change]
        if not rows:
            continue
        lines += ["", f"### Facts {change}", ""]
        for r in rows:
            lines.append(f"- **{_md(r['study'])}** ({_doi(r['doi'])}), `{r['fact']}` "
                         f"({r['kind']}): {_md(r['what'])}")
            quote = f"  - evidence: {_md(r['section'])}, \"{_md(math_as_text(r['quote'] or ''))}\""
            lines.append(quote + (f" (curator's inference: {_md(r['inferred'])})"
                                  if r["inferred"] else ""))
            lines.append("  -" + _who(r).removeprefix(";"))
            for key, change_of in (r.get("changes") or {}).items():
                lines.append(f"  - {key}: {_md(_short(change_of['old']))} → "
                             f"{_md(_short(change_of['new']))}")
    return "\n".join([*lines, ""])


def _who(r: dict) -> str:
    text = f"; by {r['curator']}" if r.get("curator") else ""
    text += f" at {r['at']}" if r.get("at") else ""
    return text + (f": {_md(r['note'])}" if r.get("note") else "")


def _doi(doi: Any) -> str:
    return f"[{doi}](https://doi.org/{doi})" if doi else ""


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k} {v}" for k, v in value.items() if v)
    return "" if value is None else str(value)


def _md(text: Any) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|").replace("*", "\\*")
