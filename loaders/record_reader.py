"""Read one record as the record schema says: each field by its slot
(`dta_kg.core.record_schema`), then the rules that span several fields of the record.
Every error names file, record and field."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from dta_kg.core.iris import DOI_PATTERN, REVIEW_DOI, normalise_doi
from dta_kg.core.model import Finding, MethodItem, Result, Review, Study
from dta_kg.core.record_schema import (
    DECIMAL,
    DOI,
    EVIDENCE,
    FIGURE,
    FLAG,
    INTEGER,
    IRI,
    ITEMS,
    LIST,
    RECORD,
    STAMP,
    STRINGS,
    TERM,
    TERMS,
    TEXT,
    YEAR,
    Slot,
    record_keys,
    slots,
)
from dta_kg.core.vocabulary import Vocabulary

from .fields import Fields, read_evidence, read_stamp


def read_record(f: Fields, cls: type, vocab: Vocabulary, **given: Any) -> Any:
    """A record of `cls` read field by field as its slots say, then checked as a whole."""
    f.allow(record_keys(cls))
    values = {s.name: read_slot(f, s, vocab) for s in slots(cls)}
    check = CHECKS.get(cls)
    if check:
        values = check(f, values, vocab)
    return cls(**given, **values)


def read_slot(f: Fields, s: Slot, vocab: Vocabulary) -> Any:
    """One field's value, checked against its slot (RecordError names the field otherwise)."""
    key = s.key
    if s.kind == TEXT:
        value = f.text(key, s.required)
        if value is not None and s.pattern and not re.search(s.pattern, value):
            f.fail(key, f"'{value}' is not a {s.about or key}",
                   f"write it like {s.example}" if s.example else f"match {s.pattern}")
        return value
    if s.kind == FIGURE:
        value = f.get(key)
        if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
            f.fail(key, f"'{value}' is neither a count nor text", "write the figure as stated")
        return value
    if s.kind == DOI:
        return read_doi(f, key) if s.required or f.get(key) is not None else None
    if s.kind == TERM:
        if s.vocab is None:  # any term of the vocabulary
            value = f.text(key, s.required)
            if value is not None and value not in vocab.terms:
                f.fail(key, f"unknown term '{value}'", "name a term id of the vocabulary")
            return value
        return f.term(key, s.vocab, vocab, s.required)
    if s.kind == TERMS:
        values = f.strings(key)
        known = vocab.ids(str(s.vocab))
        if s.required and not values:
            f.fail(key, f"names no {s.vocab}", f"use some of: {', '.join(sorted(known))}")
        for v in values:
            if v not in known:
                f.fail(key, f"unknown {s.vocab} '{v}'", f"use one of: {', '.join(sorted(known))}")
        return values
    if s.kind in (INTEGER, YEAR):
        return f.integer(key, s.required, s.bounds)
    if s.kind == DECIMAL:
        return read_number(f, key) if s.required or f.get(key) is not None else None
    if s.kind == FLAG:
        flag = f.get(key, False)
        if not isinstance(flag, bool):
            f.fail(key, f"'{flag}' is not true or false", f"write '{key}: true' or '{key}: false'")
        return flag
    if s.kind == IRI:
        iri = f.iri(key, s.required, s.example)
        if iri is not None and s.pattern and not re.search(s.pattern, iri):
            f.fail(key, f"'{iri}' is not a web address", f"write an IRI such as {s.example}")
        return iri
    if s.kind == STRINGS:
        values = f.strings(key)
        if s.required and not values:
            f.fail(key, "is empty", "list at least one author as 'Surname Initials'")
        return values
    if s.kind == EVIDENCE:
        return read_evidence(f, key)
    if s.kind == STAMP:
        return read_stamp(f, key, s.text_key)
    if s.kind == LIST:
        return tuple(read_record(entry, s.record, vocab) for entry in f.items(key))
    if s.kind == ITEMS:  # the item's term is of the kind the list's slot names
        items = f.items(key)
        for i in items:
            i.allow(record_keys(MethodItem))
        return tuple(MethodItem(term=i.term("term", str(s.vocab), vocab),
                                evidence=read_evidence(i)) for i in items)
    if s.kind == RECORD:
        sub = f.sub(key, s.required)
        return None if sub is None else read_record(sub, s.record, vocab)
    raise AssertionError(f"no reader for slot kind {s.kind!r}")  # a schema error, not a record's
def read_doi(fields: Fields, key: str = "doi") -> str:
    doi = fields.text(key)
    if not DOI_PATTERN.match(normalise_doi(doi)):
        fields.fail(key, f"'{doi}' is not a DOI", "write it as 10.<registrant>/<suffix>")
    if doi.endswith((".", "/", ",", ";")):
        fields.fail(key, f"'{doi}' ends with '{doi[-1]}', which no DOI does",
                    "drop the trailing punctuation")
    return doi


def read_number(f: Fields, key: str) -> float:
    value = f.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        f.fail(key, f"'{value}' is not a number", "write the figure as a number, e.g. 0.83")
    return float(value)


def result_problem(value: float, kind: object) -> str | None:
    """Why `value` cannot be a result of `kind`: not finite, or a percentage outside 0-100."""
    if not math.isfinite(value):
        return f"'{value}' is not a finite number"
    if kind == "percentage" and not 0 <= value <= 100:
        return f"{value:g} is not a percentage from 0 to 100"
    return None


# --- the rules that span several fields of one record ---------------------------------------

Values = dict[str, Any]


def check_result(f: Fields, values: Values, vocab: Vocabulary) -> Values:
    problem = result_problem(values["value"], values["kind"])
    if problem:
        f.fail("value", problem, "write the figure the study reports")
    return values


def check_finding(f: Fields, values: Values, vocab: Vocabulary) -> Values:
    instrument, subscale = values["instrument"], values["subscale"]
    if instrument and vocab.terms[instrument].cls == "Subscale":
        f.fail("instrument", f"'{instrument}' is a subscale",
               f"give 'subscale: {instrument}' (its instrument follows)")
    if subscale and instrument and vocab.terms[subscale].parent != instrument:
        f.fail("subscale", f"'{subscale}' is not a subscale of '{instrument}'",
               f"use a subscale of '{instrument}' or drop the subscale")
    if subscale and not instrument:  # a subscale names its instrument
        values["instrument"] = vocab.terms[subscale].parent
    return values


def check_study(f: Fields, values: Values, vocab: Vocabulary) -> Values:
    seen: set[str] = set()
    for s in slots(Study):
        if s.kind != LIST:
            continue
        for i, fact in enumerate(values[s.name]):
            if fact.id in seen:
                f.fail(f"{s.key}[{i}].id", f"duplicate fact id '{fact.id}'",
                       "give each fact of a record its own id")
            seen.add(fact.id)
    if normalise_doi(values["doi"]) == REVIEW_DOI:
        f.fail("doi", f"'{values['doi']}' is the review's own DOI",
               "a study the review includes has its own")
    return values


def check_review(f: Fields, values: Values, vocab: Vocabulary) -> Values:
    seen: set[str] = set()
    for i, claim in enumerate(values["claims"]):
        if claim.id in seen:
            f.fail(f"claims[{i}].id", f"duplicate claim id '{claim.id}'",
                   "give each claim of the review its own id")
        seen.add(claim.id)
    return values


CHECKS: dict[type, Callable[[Fields, Values, Vocabulary], Values]] = {
    Result: check_result, Finding: check_finding, Study: check_study, Review: check_review}
