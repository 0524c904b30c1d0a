"""Read curated YAML records into typed objects; every error names file, record and field."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DOI_PATTERN, REVIEW_DOI, normalise_doi, study_iri
from dta_kg.core.model import (
    Claim,
    ComponentReport,
    Corpus,
    CuratorNote,
    DesignReport,
    FactorReport,
    Finding,
    InterventionReport,
    MethodItem,
    PopulationReport,
    Result,
    Review,
    Study,
)
from dta_kg.core.paths import Project
from dta_kg.core.vocabulary import Vocabulary

from .fields import Fields, read_evidence, read_stamp
from .terms import read_instruments
from .yaml_io import read_yaml

YEAR_RANGE = (1900, 2100)


BASE_FACT_KEYS = ("id", "evidence", "added", "retracted", "restored")
FACT_FIELDS = {"designs": ("design",), "populations": ("population",),
               "interventions": ("type", "name"), "components": ("component",),
               "findings": ("component", "instrument", "subscale", "result"),
               "factors": ("label", "polarity", "theme", "components", "concept"),
               "notes": ("note",)}
STUDY_FIELDS = ("ref", "doi", "pmid", "authors", "authors_truncated", "year", "title", "venue",
                "volume", "issue", "pages", "cited_as", "evidence", "added", "updated",
                "retracted", *FACT_FIELDS)
RESULT_KEYS = ("value", "kind", "unit", "comparator")
REVIEW_FIELDS = ("doi", "title", "authors", "year", "venue", "evidence", "volume", "pages",
                 "license", "definition", "search_end", "databases", "guidelines", "methods",
                 "frameworks", "appraisal_tools", "claims")


def _fact_base(f: Fields) -> dict:
    return {"id": f.text("id"), "evidence": read_evidence(f),
            "added": read_stamp(f, "added"), "retracted": read_stamp(f, "retracted"),
            "restored": read_stamp(f, "restored")}


def read_result(f: Fields, vocab: Vocabulary) -> Result | None:
    r = f.sub("result", required=False)
    if r is None:
        return None
    r.allow(RESULT_KEYS)
    value = r.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        r.fail("value", f"'{value}' is not a number", "write the figure as a number, e.g. 0.83")
    problem = result_problem(float(value), r.get("kind"))
    if problem:
        r.fail("value", problem, "write the figure the study reports")
    return Result(value=float(value), kind=r.term("kind", "result-kind", vocab),
                  unit=r.text("unit", required=False), comparator=r.text("comparator", False))


def result_problem(value: float, kind: object) -> str | None:
    """Why `value` cannot be a result of `kind`: not finite, or a percentage outside 0-100."""
    if not math.isfinite(value):
        return f"'{value}' is not a finite number"
    if kind == "percentage" and not 0 <= value <= 100:
        return f"{value:g} is not a percentage from 0 to 100"
    return None


def read_finding(f: Fields, vocab: Vocabulary) -> Finding:
    instrument = f.term("instrument", "measure", vocab, required=False)
    subscale = f.term("subscale", "subscale", vocab, required=False)
    if subscale and instrument and vocab.terms[subscale].parent != instrument:
        f.fail("subscale", f"'{subscale}' is not a subscale of '{instrument}'",
               f"use a subscale of '{instrument}' or drop the subscale")
    return Finding(**_fact_base(f), component=f.term("component", "component", vocab),
                   instrument=instrument or (vocab.terms[subscale].parent if subscale else None),
                   subscale=subscale, result=read_result(f, vocab))


def read_factor(f: Fields, vocab: Vocabulary) -> FactorReport:
    components = f.strings("components")
    for c in components:
        if c not in vocab.ids("component"):
            f.fail("components", f"unknown component '{c}'",
                   f"use one of: {', '.join(sorted(vocab.ids('component')))}")
    return FactorReport(**_fact_base(f), label=f.text("label"),
                        polarity=f.term("polarity", "polarity", vocab),
                        theme=f.term("theme", "theme", vocab), components=components,
                        concept=f.term("concept", "factor-concept", vocab, required=False))


FACT_READERS: dict[str, Callable[[Fields, Vocabulary], Any]] = {
    "designs": lambda f, v: DesignReport(**_fact_base(f), design=f.term("design", "design", v)),
    "populations": lambda f, v: PopulationReport(**_fact_base(f), population=f.text("population")),
    "interventions": lambda f, v: InterventionReport(
        **_fact_base(f), type=f.term("type", "intervention-type", v),
        name=f.text("name", required=False)),
    "components": lambda f, v: ComponentReport(**_fact_base(f),
                                               component=f.term("component", "component", v)),
    "findings": read_finding,
    "factors": read_factor,
    "notes": lambda f, v: CuratorNote(**_fact_base(f), note=f.text("note")),
}


def read_doi(fields: Fields) -> str:
    doi = fields.text("doi")
    if not DOI_PATTERN.match(normalise_doi(doi)):
        fields.fail("doi", f"'{doi}' is not a DOI", "write it as 10.<registrant>/<suffix>")
    if doi.endswith((".", "/", ",", ";")):
        fields.fail("doi", f"'{doi}' ends with '{doi[-1]}', which no DOI does",
                    "drop the trailing punctuation")
    return doi


def study_from_data(data: Any, path: Path, vocab: Vocabulary) -> Study:
    """Build a Study from one parsed record."""
    record = str(data.get("doi", "")) if isinstance(data, dict) else ""
    f = Fields(data, path, "", record)
    f.allow(STUDY_FIELDS)
    facts = {}
    for key, reader in FACT_READERS.items():
        entries = f.items(key)
        for entry in entries:
            entry.allow((*BASE_FACT_KEYS, *FACT_FIELDS[key]))
        facts[key] = tuple(reader(entry, vocab) for entry in entries)
    seen: set[str] = set()
    for key, items in facts.items():
        for i, fact in enumerate(items):
            if fact.id in seen:
                f.fail(f"{key}[{i}].id", f"duplicate fact id '{fact.id}'",
                       "give each fact of a record its own id")
            seen.add(fact.id)
    authors = f.strings("authors")
    if not authors:
        f.fail("authors", "is empty", "list at least one author as 'Surname Initials'")
    doi = read_doi(f)
    if normalise_doi(doi) == REVIEW_DOI:
        f.fail("doi", f"'{doi}' is the review's own DOI", "a study the review includes has its own")
    return Study(
        path=path, doi=doi, title=f.text("title"),
        year=f.integer("year", bounds=YEAR_RANGE), authors=authors, evidence=read_evidence(f),
        venue=f.text("venue", required=False), ref=f.integer("ref", required=False, bounds=(1, 9999)),
        pmid=f.text("pmid", required=False),
        authors_truncated=bool(f.get("authors_truncated", False)),
        volume=f.text("volume", required=False), issue=f.text("issue", required=False),
        pages=f.text("pages", required=False), cited_as=f.text("cited_as", required=False),
        added=read_stamp(f, "added"), updated=read_stamp(f, "updated"),
        retracted=read_stamp(f, "retracted"), **facts,
    )


def read_study(path: Path, vocab: Vocabulary, digests: dict[str, str] | None = None) -> Study:
    return study_from_data(read_yaml(path, digests), path, vocab)


def read_items(f: Fields, key: str, kind: str, vocab: Vocabulary) -> tuple[MethodItem, ...]:
    items = f.items(key)
    for i in items:
        i.allow(("term", "evidence"))
    return tuple(MethodItem(term=i.term("term", kind, vocab), evidence=read_evidence(i))
                 for i in items)


def read_review(path: Path, vocab: Vocabulary, digests: dict[str, str] | None = None) -> Review:
    f = Fields(read_yaml(path, digests), path, "", "review")
    f.allow(REVIEW_FIELDS)
    definition = f.sub("definition")
    definition.allow(("text", "evidence"))
    search = f.sub("search_end", required=False)
    if search:
        search.allow(("value", "evidence"))
    claims = []
    for c in f.items("claims"):
        c.allow(("id", "kind", "value", "about", "evidence"))
        value = c.get("value")
        if isinstance(value, bool) or not isinstance(value, int | str):
            c.fail("value", f"'{value}' is neither a count nor text", "write the figure as stated")
        about = c.text("about", required=False)
        if about and about not in vocab.terms:
            c.fail("about", f"unknown term '{about}'", "name a component or intervention type id")
        claims.append(Claim(id=c.text("id"), kind=c.term("kind", "claim-kind", vocab),
                            value=value, about=about, evidence=read_evidence(c)))
    return Review(
        path=path, doi=read_doi(f), title=f.text("title"), authors=f.strings("authors"),
        year=f.integer("year", bounds=YEAR_RANGE), venue=f.text("venue"),
        evidence=read_evidence(f), volume=f.text("volume", False), pages=f.text("pages", False),
        license=f.iri("license", False, "https://creativecommons.org/licenses/by/4.0/"),
        definition=definition.text("text"), definition_evidence=read_evidence(definition),
        search_end=search.text("value") if search else None,
        search_end_evidence=read_evidence(search) if search else None,
        databases=read_items(f, "databases", "database", vocab),
        guidelines=read_items(f, "guidelines", "guideline", vocab),
        methods=read_items(f, "methods", "method", vocab),
        frameworks=read_items(f, "frameworks", "framework", vocab),
        appraisal_tools=read_items(f, "appraisal_tools", "appraisal-tool", vocab),
        claims=tuple(claims),
    )


def study_names(folder: Path) -> list[str]:
    """The names of the study record files in `folder` (`*.yaml`, hidden ones left out),
    sorted. Sorting text rather than paths keeps this fast at 100,000 records."""
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries
                          if e.name.endswith(".yaml") and not e.name.startswith(".") and e.is_file())
    except FileNotFoundError:
        return []


def study_paths(project: Project) -> list[Path]:
    from dta_kg.core.files import recover_journal

    recover_journal(project.records)  # a curator's write killed after its commit point
    folder = project.studies
    return [folder / name for name in study_names(folder)]


def read_studies(paths: Iterable[Path], vocab: Vocabulary) -> tuple[Study, ...]:
    studies = tuple(read_study(p, vocab) for p in paths)
    by_doi: dict[str, Path] = {}
    by_ref: dict[int, Path] = {}
    for s in studies:
        key = study_iri(s.doi)  # DOIs that differ only in punctuation share an IRI
        if key in by_doi:
            raise RecordError(s.path, "doi", f"duplicate DOI '{s.doi}' (the same study IRI as the "
                              f"DOI in {by_doi[key]})", "keep one record per study", s.doi)
        by_doi[key] = s.path
        if s.ref is not None:
            if s.ref in by_ref:
                raise RecordError(s.path, "ref", f"reference {s.ref} is also {by_ref[s.ref]}",
                                  "give each study the review's own reference number", s.doi)
            by_ref[s.ref] = s.path
    return studies


def read_corpus(project: Project, vocab: Vocabulary) -> Corpus:
    """The review, the curator-added instruments and every study record of `project`."""
    instruments = read_instruments(project.instruments, vocab)
    vocab = vocab.with_terms([i.term for i in instruments])
    return Corpus(review=read_review(project.review, vocab),
                  studies=read_studies(study_paths(project), vocab), instruments=instruments)
