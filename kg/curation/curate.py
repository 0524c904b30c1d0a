"""Curator operations on the records: add and import studies, add facts and instruments, retract.

Every change is stamped with its curator and time, validated as in the built graph, and written
through `record_store` (lock, round-trip YAML, atomic replace)."""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dta_kg.core.errors import DtaKgError, RecordError, UnknownTerm
from dta_kg.core.iris import REVIEW_DOI, fact_iri, file_stem, local_name, normalise_doi, slug
from dta_kg.core.model import STUDY_FACTS, Study, surname
from dta_kg.core.paths import Project
from dta_kg.core.record_schema import record_keys
from dta_kg.core.vocabulary import LIST_OF, Vocabulary
from dta_kg.curation.studies import find_study, study_index
from dta_kg.curation.transaction import Transaction, transaction
from dta_kg.curation.yaml_nodes import block, flow, flow_list, quoted, stamp
from dta_kg.loaders.bibliography import BibEntry, check_entry
from dta_kg.loaders.fields import STUDY_SECTIONS
from dta_kg.loaders.records import read_study, study_paths
from dta_kg.loaders.review_text import MAX_QUOTE_WORDS, SECTIONS, quote_problem, sections
from dta_kg.loaders.terms import project_vocabulary
from dta_kg.loaders.yaml_io import read_yaml

FACT_KEYS = tuple(cls.list_key for cls in STUDY_FACTS)  # the fact lists of a record, in file order
STUDY_KEYS = record_keys(Study)
FILLABLE = ("pmid", "venue", "volume", "issue", "pages")  # import fills these when missing


def curator() -> str:
    """The curator's name: DTA_KG_CURATOR, else git's user.name."""
    name = os.environ.get("DTA_KG_CURATOR", "").strip()
    if not name:
        try:
            name = subprocess.run(["git", "config", "user.name"], capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            name = ""
    if not name:
        raise DtaKgError("no curator name: set DTA_KG_CURATOR or `git config user.name`")
    return name


def put(data: CommentedMap, key: str, value: Any, order: tuple[str, ...] = STUDY_KEYS) -> None:
    """Set `key` in a round-trip mapping, placed after the keys that precede it in `order`."""
    if key in data:
        data[key] = value
        return
    before = order[:order.index(key)]
    pos = max((i + 1 for i, k in enumerate(data) if k in before), default=0)
    data.insert(pos, key, value)


@dataclass(frozen=True)
class Where:
    """The record a command edits, for error messages that name file, record and field."""

    path: Path | str
    record: str

    def fail(self, field_name: str, problem: str, fix: str) -> NoReturn:
        raise RecordError(self.path, field_name, problem, fix, self.record)

    def need(self, option: str, value: str | None, fix: str) -> str:
        if value is None or not str(value).strip():
            self.fail(option, "is missing" if value is None else "is empty", fix)
        return str(value).strip()

    def term(self, vocab: Vocabulary, kind: str, text: str, option: str) -> str:
        try:
            return vocab.resolve(kind, text)
        except UnknownTerm as exc:
            listed = f" (all of them: dta-kg vocab {LIST_OF[kind]})" if kind in LIST_OF else ""
            self.fail(option, f"unknown {kind} '{text}'",
                      f"use one of: {', '.join(exc.choices)}{listed}")


# --- studies -------------------------------------------------------------------------------

def reference_quote(ref: int) -> str:
    """'25. Beatty C, Malik T, Meheli S, Sinha C.': entry `ref` of the review's reference list."""
    found = re.search(rf"(?:^|\s)({ref}\. \S.*?\.)(?=\s)", sections()["References"])
    if not found:
        raise RecordError("study add", "ref", f"reference {ref} is not in the review's list",
                          "give the number printed in the review's reference list, or no --ref")
    return " ".join(found.group(1).split()[:MAX_QUOTE_WORDS])


def new_study(entry: BibEntry, ref: int | None, by: str, note: str | None) -> CommentedMap:
    """A record for a study that is not yet in the graph."""
    if ref is not None:
        evidence = flow(section="References", quote=quoted(reference_quote(ref)))
        origin = f"Reference {ref} of the review"
    else:  # the study's own title page vouches for its bibliographic data
        evidence = flow(source=entry.doi, section="Title",
                        quote=quoted(" ".join((entry.title or "").split()[:MAX_QUOTE_WORDS])))
        origin = "Added after the review"
    data = block(ref=ref, doi=entry.doi, pmid=quoted(entry.pmid),
                 authors=flow_list(entry.authors), authors_truncated=entry.authors_truncated,
                 year=int(entry.year or 0), title=quoted(entry.title), venue=entry.venue,
                 volume=quoted(entry.volume), issue=quoted(entry.issue),
                 pages=quoted(entry.pages), evidence=evidence, added=stamp(by, note))
    venue = f", {entry.venue}" if entry.venue else ""
    data.yaml_set_start_comment(f"{origin}: {surname(entry.authors[0])} {entry.year}{venue}")
    return data


def record_name(project: Project, entry: BibEntry, ref: int | None, taken: set[Path]) -> Path:
    stem = f"{file_stem(surname(entry.authors[0]), entry.doi or '')}-{entry.year}"
    stem = f"ref-{ref}-{stem}" if ref is not None else stem
    path, n = project.studies / f"{stem}.yaml", 1
    while path.exists() or path in taken:
        n += 1
        path = project.studies / f"{stem}-{n}.yaml"
    return path


@dataclass
class ImportPlan:
    """What an import adds, updates (fills missing fields of) and skips (already recorded)."""

    added: list[tuple[BibEntry, Path]] = field(default_factory=list)
    updated: list[tuple[BibEntry, Path, list[str]]] = field(default_factory=list)
    skipped: list[tuple[BibEntry, Path]] = field(default_factory=list)


def import_studies(project: Project, entries: list[BibEntry], by: str, note: str | None = None,
                   dry_run: bool = False, ref: int | None = None,
                   allow_existing: bool = True) -> ImportPlan:
    """Add new studies, fill missing fields of recorded ones; nothing is written on any error."""
    plan = ImportPlan()
    with transaction(project, dry_run=dry_run) as tx:
        index = study_index(project)
        for entry in entries:
            doi = entry.doi or ""
            existing = index.get(doi)
            if existing and not allow_existing:
                raise RecordError(existing, "doi", f"duplicate DOI '{doi}': the study is "
                                  "already recorded", "see it with `dta-kg study show DOI`", doi)
            if existing is None:
                path = record_name(project, entry, ref, set(tx.staged))
                tx.stage(path, new_study(entry, ref, by, note))
                index[doi] = path
                plan.added.append((entry, path))
                continue
            data = tx.load(existing)
            filled = [k for k in FILLABLE if getattr(entry, k) and not data.get(k)]
            if not filled:
                plan.skipped.append((entry, existing))
                continue
            for key in filled:
                put(data, key, quoted(getattr(entry, key)))
            put(data, "updated", stamp(by, note or f"filled {', '.join(filled)} from an import"))
            tx.stage(existing, data)
            plan.updated.append((entry, existing, filled))
    return plan


def add_study(project: Project, entry: BibEntry, by: str, note: str | None = None,
              ref: int | None = None) -> Path:
    """Add one study given on the command line; its DOI must be new."""
    entry = check_entry(entry, "study add")
    return import_studies(project, [entry], by, note, ref=ref, allow_existing=False).added[0][1]


def list_studies(project: Project, include_retracted: bool = False) -> list[Study]:
    vocab = project_vocabulary(project)
    studies = [read_study(p, vocab) for p in study_paths(project)]
    return [s for s in studies if include_retracted or not s.retracted]


def show_study(project: Project, doi: str) -> Study:
    return read_study(find_study(project, doi), project_vocabulary(project))


# --- facts ---------------------------------------------------------------------------------

def fact_ids(data: CommentedMap) -> set[str]:
    return {str(item.get("id")) for key in FACT_KEYS for item in data.get(key) or []
            if isinstance(item, dict)}


def append_fact(data: CommentedMap, key: str, item: CommentedMap, wanted_id: str) -> str:
    """Append `item` to the record's `key` list under an id unique within the record."""
    taken, base = fact_ids(data), slug(wanted_id) or key
    fact_id, n = base, 1
    while fact_id in taken:
        n += 1
        fact_id = f"{base}-{n}"
    item.insert(0, "id", fact_id)
    if not isinstance(data.get(key), list):
        put(data, key, CommentedSeq())
    data[key].append(item)
    return fact_id


@dataclass(frozen=True)
class Quote:
    """The evidence a curator gives for a fact: a verbatim span, its section and its document."""

    quote: str | None
    section: str | None
    source: str | None = None  # a DOI; None means the review, or the study itself if it is new

    def evidence(self, where: Where, default_source: str | None = None) -> CommentedMap:
        """The evidence mapping; without --source the quote is from `default_source`."""
        quote = where.need("quote", self.quote, f"give --quote: a verbatim span of at most "
                           f"{MAX_QUOTE_WORDS} words that states the fact")
        section = where.need("section", self.section, "give --section: the heading the quote "
                             "is under, e.g. 'Results > Therapeutic Bond'")
        source = self.source or default_source
        if source and (source == "review" or normalise_doi(source) == REVIEW_DOI):
            source = None
        if source is None:
            if section not in SECTIONS:
                where.fail("section", f"'{section}' is not a heading of the review", "use one "
                           "such as 'Results > Therapeutic Bond', or give --source DOI when quoting a "
                           "study's own text")
            problem = quote_problem(section, quote)
            if problem:
                where.fail("quote", problem, "copy the span verbatim from that section")
        elif section not in STUDY_SECTIONS:
            where.fail("section", f"'{section}' is not a section of a study",
                       f"quoting {source}, use one of: {', '.join(STUDY_SECTIONS)}")
        return flow(source=source and normalise_doi(source), section=section,
                    quote=quoted(quote))


def own_source(data: CommentedMap) -> str | None:
    """A study in the review's reference list is quoted from the review, a new one from itself."""
    return None if data.get("ref") is not None else str(data["doi"])


def ensure_component(data: CommentedMap, component: str, quote: Quote, where: Where, by: str,
                     because: str) -> str | None:
    """Record that the study informs `component` (a ComponentReport) unless it already does."""
    if any(c.get("component") == component and not c.get("retracted")
           for c in data.get("components") or []):
        return None
    item = block(component=component, evidence=quote.evidence(where, own_source(data)),
                 added=stamp(by, f"implied by {because}"))
    return append_fact(data, "components", item, component)


# a new fact of a study record `data`: (its mapping, the id it asks for, its quote, the
# components it implies)
FactMaker = Callable[[CommentedMap, Where, Vocabulary], tuple[CommentedMap, str, Quote, list[str]]]


def _add_fact(project: Project, doi: str, key: str, make: FactMaker, by: str) -> list[str]:
    """Add the fact `make(data, where, vocab)` returns (item, id, implied components)."""
    vocab = project_vocabulary(project)
    with transaction(project) as tx:
        path = find_study(project, doi)
        data = tx.load(path)
        where = Where(path, str(data.get("doi")))
        before = list(data)
        item, wanted_id, quote, components = make(data, where, vocab)
        fact_id = append_fact(data, key, item, wanted_id)
        implied = [ensure_component(data, c, quote, where, by, f"{key[:-1]} {fact_id}")
                   for c in components]
        stage_record(tx, path, data, before)
    return [fact_id, *(i for i in implied if i)]


def stage_record(tx: Transaction, path: Path, data: Any, before: list[str]) -> None:
    """Stage a study record whose top-level keys were `before`; the fact lists it gained are
    set off by blank lines, like the others."""
    keys = list(data)
    spaced = {k for i, k in enumerate(keys) if k not in before or 0 < i and
              keys[i - 1] not in before}
    tx.stage(path, data, blank_before=spaced)


def add_finding(project: Project, doi: str, *, component: str, quote: Quote, by: str,
                instrument: str | None = None, subscale: str | None = None,
                value: str | float | None = None, result_kind: str | None = None,
                unit: str | None = None, note: str | None = None) -> list[str]:
    """Add a finding (and the component report it implies); returns the new fact ids."""

    def make(data: CommentedMap, where: Where, vocab: Vocabulary
             ) -> tuple[CommentedMap, str, Quote, list[str]]:
        comp = where.term(vocab, "component", where.need("component", component,
                          "give --component, e.g. therapeutic-bond"), "component")
        measure = instrument and where.term(vocab, "measure", instrument, "instrument")
        scale = subscale and where.term(vocab, "subscale", subscale, "subscale")
        result = None
        if value is not None or result_kind or unit:
            if value is None:
                where.fail("result", "has a kind or unit but no value", "give --result VALUE")
            try:
                number = float(value)
            except ValueError:
                where.fail("result", f"'{value}' is not a number", "give e.g. --result 0.83")
            kind = where.term(vocab, "result-kind", where.need(
                "result-kind", result_kind, "give --result-kind, e.g. cohens-d"), "result-kind")
            result = block(value=number, kind=kind, unit=unit)
        item = block(component=comp, instrument=measure or None, subscale=scale or None,
                     result=result, evidence=quote.evidence(where, own_source(data)),
                     added=stamp(by, note))
        return item, "-".join(x for x in (comp, measure or scale) if x), quote, [comp]

    return _add_fact(project, doi, "findings", make, by)


def add_factor(project: Project, doi: str, *, label: str, polarity: str, quote: Quote, by: str,
               theme: str | None = None, components: tuple[str, ...] = (),
               note: str | None = None, concept: str | None = None) -> list[str]:
    """Add a facilitator or barrier (and the facilitators-and-barriers report it implies); its
    theme defaults to that of its factor `concept`."""

    def make(data: CommentedMap, where: Where, vocab: Vocabulary
             ) -> tuple[CommentedMap, str, Quote, list[str]]:
        text = where.need("label", label, "give the factor as --facilitator or --barrier TEXT")
        factor = where.term(vocab, "factor-concept", concept, "concept") if concept else None
        themes = ", ".join(sorted(vocab.ids("theme")))
        chosen = where.term(vocab, "theme", theme or concept_theme(vocab, factor) or where.need(
            "theme", theme, f"give --theme, one of: {themes}"), "theme")
        if factor and chosen != concept_theme(vocab, factor):
            where.fail("theme", f"'{chosen}' is not the theme of the factor '{factor}'",
                       f"leave out --theme (it is '{concept_theme(vocab, factor)}')")
        comps = [where.term(vocab, "component", c, "component") for c in components]
        item = block(label=text, polarity=where.term(vocab, "polarity", polarity, "polarity"),
                     theme=chosen, concept=factor, components=flow_list(comps) if comps else None,
                     evidence=quote.evidence(where, own_source(data)), added=stamp(by, note))
        return item, text, quote, ["facilitators-and-barriers"]

    return _add_fact(project, doi, "factors", make, by)


def concept_theme(vocab: Vocabulary, concept: str | None) -> str | None:
    """The factor theme above a factor concept (following its broader terms)."""
    while concept and concept not in vocab.ids("theme"):
        concept = vocab.terms[concept].parent
    return concept


# --- retraction ----------------------------------------------------------------------------

def split_target(project: Project, target: str) -> tuple[str, str | None]:
    """'DOI', 'DOI#fact-id' or a fact IRI (or its local name) -> (DOI, fact id or None)."""
    if "#" in target and not target.startswith("http"):
        doi, _, fact_id = target.partition("#")
        return doi, fact_id
    name = local_name(target) if target.startswith("http") else target
    if not name.startswith("fact-"):
        return target, None
    for doi, path in study_index(project).items():
        data = read_yaml(path)
        for key in FACT_KEYS:
            for item in data.get(key) or []:
                if local_name(fact_iri(doi, str(item.get("id")))) == name:
                    return doi, str(item["id"])
    raise RecordError(project.studies, "target", f"no fact has the id '{target}'",
                      "give DOI#fact-id as `dta-kg study show DOI` lists it", target)


def retract(project: Project, target: str, reason: str, by: str) -> list[str]:
    """Mark a fact (or a study and all its facts) retracted; it stays in the record."""
    doi, fact_id = split_target(project, target)
    with transaction(project) as tx:
        path = find_study(project, doi)
        data = tx.load(path)
        where = Where(path, str(data.get("doi")))
        why = where.need("reason", reason, "give --reason: why the fact is withdrawn")
        items = [i for k in FACT_KEYS for i in data.get(k) or [] if isinstance(i, dict)]
        if fact_id is None:
            if data.get("retracted"):
                where.fail("retracted", "the study is already retracted", "nothing to do")
            put(data, "retracted", stamp(by, why, "reason"))
            chosen = [i for i in items if not i.get("retracted")]
        else:
            chosen = [i for i in items if str(i.get("id")) == fact_id]
            if not chosen:
                ids = difflib.get_close_matches(fact_id, [str(i.get("id")) for i in items], n=5,
                                                cutoff=0.3)
                where.fail("id", f"no fact '{fact_id}' in this record",
                           f"use one of: {', '.join(ids)}" if ids else "see `dta-kg study show`")
            if chosen[0].get("retracted"):
                where.fail("retracted", f"fact '{fact_id}' is already retracted", "nothing to do")
        for item in chosen:
            item["retracted"] = stamp(by, why, "reason")
        tx.stage(path, data)
    return [str(i["id"]) for i in chosen]
