"""Suggested facts made the study's own: accepted through the curator transaction, or written
as a draft record fragment that `dta-kg study import draft.yaml` loads after editing.

Every accepted fact quotes the study's registered text (`source:` its DOI, checked verbatim by
the loader), is marked as a curator's inference with the reason `SUGGESTED` and a confidence,
and is stamped with its curator and time. A fact the record already holds (same fields, same
quote) is skipped, so accepting or importing twice adds nothing twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError
from dta_kg.core.files import check_file, guarded, records_guard, write_atomic
from dta_kg.core.iris import normalise_doi
from dta_kg.core.limits import TEXT_BYTES, TooLarge, read_bytes
from dta_kg.core.paths import Project
from dta_kg.curation.curate import (
    FACT_KEYS,
    Where,
    append_fact,
    curator,
    find_study,
    stage_record,
)
from dta_kg.curation.suggest import Candidate
from dta_kg.curation.transaction import dump, transaction, yaml_rt
from dta_kg.curation.yaml_nodes import block, flow, flow_list, now, quoted, stamp
from dta_kg.loaders.fields import STUDY_SECTIONS
from dta_kg.loaders.review_text import normalise, source_text_path
from dta_kg.loaders.yaml_io import checked_text, read_yaml

SUGGESTED = "suggested from the study's text and accepted by the curator"
LIST_OF_KIND = {"component": "components", "finding": "findings", "factor": "factors",
                "design": "designs", "population": "populations",
                "intervention": "interventions"}


def confidence_of(score: float) -> str:
    """A candidate's score as the confidence of the inference."""
    return "high" if score >= 0.8 else "medium" if score >= 0.6 else "low"


def fact_item(c: Candidate, doi: str, section: str | None, confidence: str | None,
              by: str, note: str | None) -> tuple[str, str, Any]:
    """(record list, wanted id, the fact as round-trip YAML) of an accepted candidate."""
    where = section or c.section
    if where is None:
        raise RecordError("suggest", "section", f"candidate {c.number} has no section: the text "
                          "has no headings", "give --section, e.g. --section Abstract", doi)
    if where not in STUDY_SECTIONS:
        raise RecordError("suggest", "section", f"'{where}' is not a section of a study",
                          f"use one of: {', '.join(STUDY_SECTIONS)}", doi)
    evidence = flow(source=doi, section=where, quote=quoted(c.quote), inferred=quoted(SUGGESTED),
                    confidence=confidence or confidence_of(c.score))
    added = stamp(by, note or f"suggest: {c.cue}")
    if c.kind == "component":
        fields: dict[str, Any] = {"component": c.term}
        wanted = c.term
    elif c.kind == "finding":
        result = c.result and block(value=c.result.value, kind=c.result.kind,
                                    unit=quoted(c.result.unit),
                                    comparator=quoted(c.result.comparator))
        fields = {"component": c.component, "instrument": c.instrument,
                  "subscale": c.subscale, "result": result}
        wanted = "-".join(x for x in (c.component, c.instrument or c.subscale) if x)
    elif c.kind == "factor":
        fields = {"label": quoted(c.label), "polarity": c.polarity, "theme": c.theme,
                  "concept": c.term, "components": flow_list(c.components) if c.components
                  else None}
        wanted = c.label or c.term
    elif c.kind == "design":
        fields, wanted = {"design": c.term}, f"design-{c.term}"
    elif c.kind == "population":
        fields, wanted = {"population": quoted(c.term)}, "population"
    else:
        fields, wanted = {"type": c.term}, "intervention"
    return LIST_OF_KIND[c.kind], wanted, block(**fields, evidence=evidence, added=added)


@dataclass
class Accepted:
    """What an accept or an import did: fact ids added, and candidates already recorded."""

    added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def same_fact(a: Any, b: Any) -> bool:
    """Whether two fact mappings state the same thing with the same quote."""
    def content(item: Any) -> tuple[Any, ...]:
        own = {k: plain(v) for k, v in item.items() if k not in ("id", "evidence", "added")}
        ev = item.get("evidence") or {}
        return (sorted(own.items()), normalise(str(ev.get("quote", ""))),
                normalise_doi(str(ev.get("source") or "")))
    return isinstance(a, dict) and isinstance(b, dict) and content(a) == content(b)


def plain(value: Any) -> Any:
    """A round-trip YAML value as plain Python, for comparison."""
    if isinstance(value, dict):
        return tuple(sorted((k, plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(plain(v) for v in value)
    return value if isinstance(value, int | float | bool) or value is None else str(value)


def merge_facts(project: Project, doi: str, items: list[tuple[str, str, Any]],
                text: str | None, extra: dict[Path, str] | None = None) -> Accepted:
    """Add each (list, wanted id, fact) to the study's record in one transaction (with the
    `extra` files staged beside it), skipping the facts it holds already; each quote must be
    verbatim in `text` when it is given. A finding or factor brings the component report it
    implies, unless the record has one."""
    done = Accepted()
    with transaction(project) as tx:
        tx.staged.update(extra or {})
        path = find_study(project, doi)
        data = tx.load(path)
        where = Where(path, str(data.get("doi")))
        before = list(data)
        for key, wanted, item in items:
            quote = str((item.get("evidence") or {}).get("quote", ""))
            if text is not None and normalise(quote) not in text:
                where.fail("quote", f"'{quote[:60]}' is not verbatim in the study's text",
                           "accept only candidates of this text, or copy the span verbatim")
            held = next((old for old in data.get(key) or [] if isinstance(old, dict)
                         and not old.get("retracted") and same_fact(item, old)), None)
            if held is not None:
                done.skipped.append(str(held.get("id")))
                continue
            fact_id = append_fact(data, key, item, wanted)
            done.added.append(fact_id)
            component = item.get("component") if key == "findings" else \
                "facilitators-and-barriers" if key == "factors" else None
            if component and not any(c.get("component") == component and not c.get("retracted")
                                     for c in data.get("components") or []):
                implied = block(component=component, evidence=flow(**item["evidence"]),
                                added=stamp(str(item["added"]["by"]), f"implied by {fact_id}"))
                done.added.append(append_fact(data, "components", implied, component))
        if done.added:
            stage_record(tx, path, data, before)
    return done


def study_doi(project: Project, study: str) -> str:
    """The normalised DOI of the study a curator names (DOI, citation or reference number)."""
    path = find_study(project, study)
    data = read_yaml(path)
    if not isinstance(data, dict) or not data.get("doi"):
        raise RecordError(path, "doi", "is missing", "give the study record its DOI", study)
    return normalise_doi(str(data["doi"]))


def text_change(project: Project, doi: str, text: str) -> dict[Path, str]:
    """The file that registers `text` as the study's source text, as `dta-kg source add`
    writes it; empty when the project holds that text already. The text must hold every span
    the study's record already quotes from it (a study added after the review quotes its
    title)."""
    target = source_text_path(project.records, doi)
    try:
        if read_bytes(target, TEXT_BYTES, "a registered text", "", follow_symlinks=False) == \
                text.encode("utf-8"):
            return {}
    except (OSError, TooLarge):  # not held as it is: registered anew
        pass
    path = find_study(project, doi)
    data = read_yaml(path)
    held = normalise(text)
    for section, quote in quoted_from(data, doi):
        if normalise(quote) not in held:
            raise RecordError(path, "", f"its {section} is quoted from the study's text as "
                              f"'{quote[:80]}', which the text given does not hold",
                              "give the study's whole text or abstract with that span, e.g. "
                              "the title as its first line", doi)
    return {target: text}


def quoted_from(data: Any, doi: str) -> list[tuple[str, str]]:
    """(section, quote) of every evidence in a study record that quotes the document `doi`."""
    evidences = [data.get("evidence")] + [item.get("evidence") for key in FACT_KEYS
                                          for item in data.get(key) or []
                                          if isinstance(item, dict)]
    return [(str(ev.get("section")), str(ev.get("quote"))) for ev in evidences
            if isinstance(ev, dict) and ev.get("source")
            and normalise_doi(str(ev["source"])) == doi]


def register_text(project: Project, doi: str, text: str) -> bool:
    """Register `text` as the study's source text unless it is already; True if written."""
    change = text_change(project, doi, text)
    if change:
        with transaction(project) as tx:
            tx.staged.update(change)
    return bool(change)


def accept(project: Project, doi: str, chosen: list[Candidate], text: str, *,
           section: str | None = None, confidence: str | None = None,
           note: str | None = None) -> Accepted:
    """Write the chosen candidates as facts of the study, quoting its text, which is
    registered as its source text in the same transaction."""
    key = normalise_doi(doi)
    by = curator()
    items = [fact_item(c, key, section, confidence, by, note) for c in chosen]
    return merge_facts(project, key, items, normalise(text), text_change(project, key, text))


def write_draft(project: Project, target: Path, doi: str, chosen: list[Candidate], text: str,
                *, section: str | None = None, confidence: str | None = None,
                note: str | None = None) -> int:
    """Write the chosen candidates as a record fragment for `dta-kg study import`, after
    registering `text` as the study's source text; returns how many facts it holds."""
    key = normalise_doi(doi)
    with guarded([records_guard(project.records)]):
        check_file(target)  # before the text is registered: a refused draft changes nothing
    by = curator()
    data = block(doi=key)
    for list_key, wanted, item in (fact_item(c, key, section, confidence, by, note)
                                   for c in chosen):
        append_fact(data, list_key, item, wanted)
    head = (f"# Facts suggested by `dta-kg suggest` from the text of {key}, {now()}.\n"
            "# Edit or delete any of them, then load them with: dta-kg study import "
            f"{target.name}\n")
    register_text(project, key, text)
    with guarded([records_guard(project.records)]):
        write_atomic(target, (head + dump(data, blank_before=FACT_KEYS)).encode("utf-8"))
    return len(chosen)


def import_fragment(project: Project, path: Path, note: str | None = None) -> tuple[str, Accepted]:
    """Load a record fragment (`doi:` and fact lists, as `write_draft` writes it) into the
    study's record; returns the study's DOI and what was added and skipped."""
    data = yaml_rt().load(checked_text(path, follow_symlinks=True))  # a file the user names
    where = Where(path, "")
    if not isinstance(data, dict) or not data.get("doi"):
        where.fail("doi", "is missing", "a fragment starts with 'doi:' and lists facts")
    unknown = [k for k in data if k != "doi" and k not in FACT_KEYS]
    if unknown:
        where.fail(unknown[0], "is not a fact list", f"use only doi and {', '.join(FACT_KEYS)}")
    by, items = curator(), []
    for key in FACT_KEYS:
        for item in data.get(key) or []:
            if not isinstance(item, dict):
                where.fail(key, "holds an item that is not a mapping", "give each fact as a "
                           "mapping as `dta-kg suggest --write` writes it")
            wanted = str(item.pop("id", "") or key)
            item["added"] = stamp(by, note or f"imported from {path.name}")
            items.append((key, wanted, item))
    doi = str(data["doi"])
    return doi, merge_facts(project, doi, items, None)
