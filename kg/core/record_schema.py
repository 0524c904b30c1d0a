"""The record schema, defined once: every field of a curated record is a `Slot` in the metadata
of its dataclass in `dta_kg.core.model`.

From the slots come the YAML keys a record may hold, in file order (`record_keys`); how each
field is read and checked (`dta_kg.loaders.records`); the triple it becomes
(`dta_kg.loaders.triples`); and its SHACL property shape (`dta_kg.pipeline.shapes`, which
writes the release file `ontology/shapes.ttl`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# The kinds of field. A scalar kind's triple is written from the slot alone; the others
# (evidence, stamps, fact lists, nested records, author lists, venues) by the loaders' code.
TEXT = "text"  # one line of text -> an xsd:string literal
TERM = "term"  # an id of the controlled vocabulary -> the term's IRI
TERMS = "terms"  # a list of vocabulary ids -> one triple per term
INTEGER = "integer"  # a whole number -> xsd:integer
YEAR = "year"  # a publication year -> xsd:gYear
DECIMAL = "decimal"  # a number -> xsd:decimal
FLAG = "flag"  # true or false -> xsd:boolean
IRI = "iri"  # an absolute IRI -> the IRI itself
DOI = "doi"  # a DOI -> an xsd:string literal
FIGURE = "figure"  # a count or a text, as a review states a figure -> an integer or a string
STRINGS = "strings"  # a list of text (authors)
ITEMS = "items"  # a list of {term, evidence} (the review's methods) -> one triple per term
EVIDENCE = "evidence"  # {section, quote, ...} -> an oa:Annotation
STAMP = "stamp"  # {by, at, note|reason} -> PROV-O attribution
LIST = "list"  # a list of nested records of one class (a study's facts)
RECORD = "record"  # a nested mapping whose fields describe the same node (a finding's result)
SCALARS = frozenset({TEXT, TERM, TERMS, INTEGER, YEAR, DECIMAL, FLAG, IRI, DOI, ITEMS})
MANY = frozenset({TERMS, ITEMS})  # kinds that give several values of one predicate
# the datatype of a literal kind's values
DATATYPES = {TEXT: "xsd:string", DOI: "xsd:string", INTEGER: "xsd:integer", YEAR: "xsd:gYear",
             DECIMAL: "xsd:decimal", FLAG: "xsd:boolean"}


@dataclass(frozen=True)
class Slot:
    """One field of a record: how it is written in YAML, checked, and mapped to RDF."""

    kind: str
    required: bool = False
    vocab: str | None = None  # TERM, TERMS, ITEMS: the vocabulary kind of the values
    predicate: str | None = None  # CURIE of the triple the value becomes, if it becomes one
    range: str | None = None  # CURIE of the values' class, when not the vocabulary kind's class
    pattern: str | None = None  # a regular expression the text matches
    bounds: tuple[int, int] | None = None  # INTEGER: the allowed range
    values: tuple[str, ...] = ()  # CURIEs: the only values allowed (sh:in)
    node: str | None = None  # local name of the shape the value conforms to (sh:node)
    text_key: str = "note"  # STAMP: the key of its text, 'note' or 'reason'
    record: Any = None  # LIST, RECORD: the dataclass of the nested records
    custom: bool = False  # the triple is written by the loaders' own code, not from the slot
    shape: bool = True  # False: its SHACL shape is written by hand (dta_kg.pipeline.shapes)
    about: str = ""  # a few words naming the value, for the shape's label
    example: str | None = None  # a valid value, shown in the error for a wrong one
    name: str = ""  # the dataclass field; filled in by `slots`
    key: str = ""  # the YAML key: the field's name unless given

    @property
    def single(self) -> bool:
        return self.kind not in MANY


def slot(kind: str, *, default: Any = dataclasses.MISSING, **options: Any) -> Any:
    """A dataclass field described by a Slot; optional fields default to None."""
    if default is dataclasses.MISSING and not options.get("required"):
        default = () if kind in (TERMS, STRINGS, ITEMS, LIST) else None
    return dataclasses.field(default=default, metadata={"slot": Slot(kind, **options)})


_SLOTS: dict[type, tuple[Slot, ...]] = {}  # memo: a class's slots never change


def slots(cls: type) -> tuple[Slot, ...]:
    """The slots of a record class, in YAML order (fields without a slot are not in records)."""
    found = _SLOTS.get(cls)
    if found is None:
        found = _SLOTS[cls] = tuple(
            dataclasses.replace(f.metadata["slot"], name=f.name,
                                key=f.metadata["slot"].key or f.name)
            for f in dataclasses.fields(cls) if "slot" in f.metadata)
    return found


def record_keys(cls: type) -> tuple[str, ...]:
    """The YAML keys a record of `cls` may hold, in the order records write them."""
    return tuple(s.key for s in slots(cls))
