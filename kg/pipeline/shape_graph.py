"""SHACL shapes as plain data (`Node`, `Prop`) and their triples, for `dta_kg.pipeline.shapes`.

A rule's constraints are a mapping from SHACL's local names to values: a `Curie` is an IRI,
any other `str`, number or boolean a literal, a list an rdf:List, a mapping a blank-node shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dta_kg.core.iris import PREFIXES, SHAPES_IRI, expand
from dta_kg.core.rdfterms import Lit, Triple, lit

SHAPES_NS = SHAPES_IRI + "#"
SH = PREFIXES["sh"]
RDF_TYPE = PREFIXES["rdf"] + "type"


class Curie(str):
    """An IRI written as a CURIE in a rule (a plain `str` is a literal)."""


@dataclass
class Prop:
    """A property shape: a path (a CURIE, or a tuple of them), its constraints, and its rule."""

    name: str  # local name: dtash:<name>
    path: str | tuple[str, ...]
    label: str
    message: str
    constraints: dict[str, Any] = field(default_factory=dict)


@dataclass
class Node:
    """A node shape: its target, its property shapes and node-level constraints."""

    name: str
    label: str
    message: str
    target: tuple[str, str] | None = None  # ("targetClass", CURIE)
    props: list[Prop] = field(default_factory=list)
    constraints: dict[str, Any] = field(default_factory=dict)


class Blanks:
    """Blank node labels, numbered in order of use so the output is stable."""

    def __init__(self) -> None:
        self.n = 0

    def new(self) -> str:
        self.n += 1
        return f"_:b{self.n}"


def iri_of(curie: str) -> str:
    if "://" in curie:
        return curie
    return SHAPES_NS + curie[len("dtash:"):] if curie.startswith("dtash:") else expand(curie)


def value_triples(subject: str, key: str, value: Any, blanks: Blanks) -> Iterator[Triple]:
    """`subject sh:<key> value`: lists become rdf:Lists, mappings blank-node shapes."""
    pred = iri_of(key) if ":" in key else SH + key
    if isinstance(value, list):
        head = rest = blanks.new() if value else expand("rdf:nil")
        yield subject, pred, head
        for i, item in enumerate(value):
            node = rest
            rest = blanks.new() if i + 1 < len(value) else expand("rdf:nil")
            obj: str | Lit
            if isinstance(item, dict):
                obj = blanks.new()
                yield from mapping_triples(obj, item, blanks)
            else:
                obj = term_of(item)
            yield node, expand("rdf:first"), obj
            yield node, expand("rdf:rest"), rest
    elif isinstance(value, dict):
        node = blanks.new()
        yield subject, pred, node
        yield from mapping_triples(node, value, blanks)
    else:
        yield subject, pred, term_of(value)


def mapping_triples(node: str, mapping: dict[str, Any], blanks: Blanks) -> Iterator[Triple]:
    for key, value in mapping.items():
        if key == "type":
            yield node, RDF_TYPE, term_of(value)
        elif key == "path":
            yield from path_triples(node, value, blanks)
        else:
            yield from value_triples(node, key, value, blanks)


def term_of(value: Any) -> str | Lit:
    if isinstance(value, Lit):
        return value
    return iri_of(value) if isinstance(value, Curie) else lit(value)


def path_triples(node: str, path: str | tuple[str, ...], blanks: Blanks) -> Iterator[Triple]:
    if isinstance(path, tuple):
        yield from value_triples(node, "path", [Curie(p) for p in path], blanks)
    else:
        yield node, SH + "path", expand(path)


def node_triples(shape: Node, blanks: Blanks) -> Iterator[Triple]:
    s = SHAPES_NS + shape.name
    yield s, RDF_TYPE, SH + "NodeShape"
    if shape.target:
        yield s, SH + shape.target[0], expand(shape.target[1])
    yield s, expand("rdfs:label"), lit(shape.label)
    yield s, SH + "message", lit(shape.message)
    for prop in shape.props:
        p = SHAPES_NS + prop.name
        yield s, SH + "property", p
    yield from mapping_triples(s, shape.constraints, blanks)


def prop_triples(prop: Prop, blanks: Blanks) -> Iterator[Triple]:
    p = SHAPES_NS + prop.name
    yield p, RDF_TYPE, SH + "PropertyShape"
    yield from path_triples(p, prop.path, blanks)
    yield from mapping_triples(p, prop.constraints, blanks)
    yield p, expand("rdfs:label"), lit(prop.label)
    yield p, SH + "message", lit(prop.message)
