"""Read curated YAML records into typed objects; every error names file, record and field."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dta_kg.errors import RecordError
from dta_kg.model import (
    Claim,
    ComponentReport,
    Corpus,
    CuratorNote,
    DesignReport,
    Evidence,
    FactorReport,
    Finding,
    InterventionReport,
    MethodItem,
    PopulationReport,
    Result,
    Review,
    Stamp,
    Study,
)
from dta_kg.paths import Project
from dta_kg.terms import Vocabulary
from dta_kg.vocab import DOI_PATTERN, normalise_doi

from .review_text import MAX_QUOTE_WORDS, SECTIONS, quote_problem
from .yaml_io import read_yaml

YEAR_RANGE = (1900, 2100)
# sections of a study's own text, for evidence quoted from it (`source: <its DOI>`)
STUDY_SECTIONS = ("Title", "Abstract", "Introduction", "Methods", "Results", "Discussion",
                  "Conclusions")


class Fields:
    """A mapping from a record, with accessors that raise RecordError naming the field."""

    def __init__(self, data: Any, path: Path, where: str, record: str = ""):
        self.path, self.where, self.record = path, where, record
        if not isinstance(data, dict):
            self.fail("", f"expected a mapping, found {type(data).__name__}",
                      "write 'key: value' lines")
        self.data = data

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str, fix: str = "") -> None:
        raise RecordError(self.path, self.name(key), problem, fix, self.record)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return default if value is None else value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}: ...'")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"expected text, found {type(value).__name__}", "write plain text")
        value = str(value).strip()
        if required and not value:
            self.fail(key, "is empty", f"give '{key}' a value")
        return value or None

    def integer(self, key: str, required: bool = True, bounds: tuple[int, int] | None = None):
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}: <number>'")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            else:
                self.fail(key, f"'{value}' is not a whole number", "write digits only")
        if bounds and not bounds[0] <= value <= bounds[1]:
            self.fail(key, f"{value} is out of range", f"use a value from {bounds[0]} to {bounds[1]}")
        return value

    def items(self, key: str) -> list[Fields]:
        value = self.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "expected a list", f"write '{key}:' followed by '- ...' items")
        return [Fields(v, self.path, f"{self.name(key)}[{i}]", self.record)
                for i, v in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "expected a list of non-empty text", f"write '{key}: [a, b]'")
        return tuple(v.strip() for v in value)

    def term(self, key: str, kind: str, vocab: Vocabulary, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is None:
            return None
        if value not in vocab.ids(kind):
            choices = ", ".join(vocab.closest(kind, value))
            self.fail(key, f"unknown {kind} '{value}'", f"use one of: {choices}")
        return value

    def sub(self, key: str, required: bool = True) -> Fields | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}:' with its fields")
            return None
        return Fields(value, self.path, self.name(key), self.record)


def read_evidence(fields: Fields, key: str = "evidence") -> Evidence:
    ev = fields.sub(key)
    section = ev.text("section")
    source = ev.text("source", required=False)
    if source is not None:  # a quote from a study's own text, which is not held here to match
        source = normalise_doi(source)
        if not DOI_PATTERN.match(source):
            ev.fail("source", f"'{source}' is not a DOI", "give the DOI of the quoted document")
        if section not in STUDY_SECTIONS:
            ev.fail("section", f"'{section}' is not a section of a study",
                    f"use one of: {', '.join(STUDY_SECTIONS)}")
    elif section not in SECTIONS:
        ev.fail("section", f"unknown section '{section}'",
                "use a heading such as 'Results > Therapeutic Bond' (see records/README.md)")
    quote = ev.text("quote")
    if source is None:
        problem = quote_problem(section, quote)
    elif len(quote.split()) > MAX_QUOTE_WORDS:
        problem = f"the quote has {len(quote.split())} words, more than {MAX_QUOTE_WORDS}"
    else:
        problem = None
    if problem:
        ev.fail("quote", problem, "copy a span of at most 30 words from that section verbatim")
    return Evidence(section=section, quote=quote, inferred=ev.text("inferred", required=False),
                    source=source)


def read_stamp(fields: Fields, key: str) -> Stamp | None:
    stamp = fields.sub(key, required=False)
    if stamp is None:
        return None
    return Stamp(by=stamp.text("by"), at=stamp.text("at"),
                 text=stamp.text("reason" if key == "retracted" else "note", required=False))


def _fact_base(f: Fields) -> dict:
    return {"id": f.text("id"), "evidence": read_evidence(f),
            "added": read_stamp(f, "added"), "retracted": read_stamp(f, "retracted")}


def read_result(f: Fields, vocab: Vocabulary) -> Result | None:
    r = f.sub("result", required=False)
    if r is None:
        return None
    value = r.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        r.fail("value", f"'{value}' is not a number", "write the figure as a number, e.g. 0.83")
    return Result(value=float(value), kind=r.term("kind", "result-kind", vocab),
                  unit=r.text("unit", required=False), comparator=r.text("comparator", False))


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
                        theme=f.term("theme", "theme", vocab), components=components)


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
    return doi


def study_from_data(data: Any, path: Path, vocab: Vocabulary) -> Study:
    """Build a Study from one parsed record."""
    record = str(data.get("doi", "")) if isinstance(data, dict) else ""
    f = Fields(data, path, "", record)
    facts = {}
    for key, reader in FACT_READERS.items():
        facts[key] = tuple(reader(item, vocab) for item in f.items(key))
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
    return Study(
        path=path, doi=read_doi(f), title=f.text("title"),
        year=f.integer("year", bounds=YEAR_RANGE), authors=authors, evidence=read_evidence(f),
        venue=f.text("venue", required=False), ref=f.integer("ref", required=False, bounds=(1, 9999)),
        pmid=f.text("pmid", required=False),
        authors_truncated=bool(f.get("authors_truncated", False)),
        volume=f.text("volume", required=False), issue=f.text("issue", required=False),
        pages=f.text("pages", required=False), cited_as=f.text("cited_as", required=False),
        added=read_stamp(f, "added"), updated=read_stamp(f, "updated"),
        retracted=read_stamp(f, "retracted"), **facts,
    )


def read_study(path: Path, vocab: Vocabulary) -> Study:
    return study_from_data(read_yaml(path), path, vocab)


def read_items(f: Fields, key: str, kind: str, vocab: Vocabulary) -> tuple[MethodItem, ...]:
    return tuple(MethodItem(term=i.term("term", kind, vocab), evidence=read_evidence(i))
                 for i in f.items(key))


def read_review(path: Path, vocab: Vocabulary) -> Review:
    f = Fields(read_yaml(path), path, "", "review")
    definition = f.sub("definition")
    search = f.sub("search_end", required=False)
    claims = []
    for c in f.items("claims"):
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
        license=f.text("license", False),
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
    folder = project.studies
    return [folder / name for name in study_names(folder)]


def read_studies(paths: Iterable[Path], vocab: Vocabulary) -> tuple[Study, ...]:
    studies = tuple(read_study(p, vocab) for p in paths)
    by_doi: dict[str, Path] = {}
    for s in studies:
        key = normalise_doi(s.doi)
        if key in by_doi:
            raise RecordError(s.path, "doi", f"duplicate DOI '{s.doi}', also in {by_doi[key]}",
                              "keep one record per study", s.doi)
        by_doi[key] = s.path
    return studies


def read_corpus(project: Project, vocab: Vocabulary) -> Corpus:
    """The review, the curator-added instruments and every study record of `project`."""
    from .vocabulary import read_instruments

    instruments = read_instruments(project.instruments, vocab)
    vocab = vocab.with_terms([i.term for i in instruments])
    return Corpus(review=read_review(project.review, vocab),
                  studies=read_studies(study_paths(project), vocab), instruments=instruments)
