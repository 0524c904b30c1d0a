"""Compacted JSON-LD with the project's context, streamed from the build's N-Triples file.

The context (`ontology/context.jsonld`, shipped in the package and published at
`core.iris.CONTEXT_URL`) names every property by its local name ("doi", "title", "component"), says
which take IRIs and which typed literals, and makes the ontology the vocabulary, so a node
reads as plain JSON: `{"id": "dtar:study-...", "type": "Study", "doi": "10.3389/...",
"year": "2022"}`. Integers and booleans are JSON numbers and booleans; a value that does not
fit its property's declared kind is written in full (`{"@value": ..., "@type": ...}`), so
the file always expands to the same triples as the N-Triples. Nodes come in the sorted order
of the Turtle file; blank nodes used once are nested in place, lists as `{"@list": [...]}`.

`python -m dta_kg.pipeline.jsonld build/dta-kg.nt` prints a context for the properties of a
build and of the ontology (to refresh the shipped file when the ontology grows).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph

from dta_kg.core.iris import DTA, PREFIXES, local_name
from dta_kg.core.paths import ONTOLOGY, ONTOLOGY_DIR
from dta_kg.pipeline.rdf_text import (
    RDF_TYPE,
    XSD,
    Grouped,
    Prefixer,
    TurtleDocument,
    lines_between,
    literal_parts,
    ordered_prefixes,
    prefixed,
    segments,
    sort_into,
    split_line,
    unescape,
)

CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
NATIVE = {XSD + "boolean", XSD + "integer"}  # written as JSON booleans and numbers
IRI_KIND = "@id"
RENAMED = {PREFIXES["fabio"] + "hasPublicationYear": "year"}  # terms people look for


@cache
def load_context() -> dict[str, Any]:
    """The shipped context: the value of `@context` in ontology/context.jsonld."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def make_context(kinds: dict[str, Counter]) -> dict[str, Any]:
    """A context for predicates whose objects are of `kinds` ('@id' or a datatype IRI)."""
    prefixes = ordered_prefixes()
    context: dict[str, Any] = {"@version": 1.1, "@vocab": DTA, "id": "@id", "type": "@type",
                               **prefixes}
    names: dict[str, list[str]] = defaultdict(list)
    for predicate in kinds:
        if predicate != RDF_TYPE:
            names[RENAMED.get(predicate) or local_name(predicate)].append(predicate)
    for name, predicates in sorted(names.items()):
        for predicate in sorted(predicates, key=lambda p: (not p.startswith(DTA), p)):
            curie = prefixed(predicate, prefixes) or f"ns:{predicate}"
            term = name if name not in context else f"{curie.split(':')[0]}_{name}"
            kind = kinds[predicate].most_common(1)[0][0] if kinds[predicate] else XSD + "string"
            definition: dict[str, str] = {"@id": prefixed(predicate, prefixes) or predicate}
            if kind == IRI_KIND:
                definition["@type"] = "@id"
            elif kind not in NATIVE and kind != XSD + "string":
                definition["@type"] = prefixed(kind, prefixes) or kind
            context[term] = definition
    return context


def kinds_of(nt_path: Path, ontology: Path = ONTOLOGY) -> dict[str, Counter]:
    """For each predicate of the N-Triples file and property of the ontology, its object kinds."""
    # lazy: rdflib loads ~70 ms; only regenerating the context (`python -m`) needs it
    from rdflib import OWL, RDF, RDFS, Graph

    kinds: dict[str, Counter] = defaultdict(Counter)
    with nt_path.open(encoding="utf-8") as lines:
        for line in lines:
            if parts := split_line(line):
                _, p, o = parts
                kinds[p][IRI_KIND if o[0] in "<_" else literal_parts(o)[1]] += 1
    onto = Graph().parse(ontology, format="turtle")
    for prop in onto.subjects(RDF.type, OWL.ObjectProperty):
        kinds[str(prop)][IRI_KIND] += 0
    for prop in onto.subjects(RDF.type, OWL.DatatypeProperty):
        ranges = [str(r) for r in onto.objects(prop, RDFS.range)]
        kinds[str(prop)][ranges[0] if ranges else XSD + "string"] += 0
    return kinds


class Compactor:
    def __init__(self, grouped: Grouped, context: dict[str, Any]):
        self.g = grouped
        self.prefixes = {k: v for k, v in context.items()
                         if not k.startswith("@") and isinstance(v, str) and v.endswith(("/", "#"))}
        self.prefixed = Prefixer(self.prefixes)
        self.terms: dict[str, tuple[str, str | None]] = {}
        for term, definition in context.items():
            if isinstance(definition, dict):
                iri = self.expand(definition["@id"])
                self.terms[iri] = (term, definition.get("@type"))
        self.vocab = context.get("@vocab", "")
        self.names = set(context)

    def expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        return self.prefixes[prefix] + rest if sep and prefix in self.prefixes else value

    def iri(self, iri: str) -> str:
        return self.prefixed(iri) or iri

    def type_name(self, token: str) -> str:
        iri = token[1:-1]
        name = iri[len(self.vocab):] if self.vocab and iri.startswith(self.vocab) else None
        if name and name not in self.names and ":" not in name and "/" not in name:
            return name
        return self.iri(iri)

    def ref(self, token: str) -> str:
        return self.iri(token[1:-1]) if token.startswith("<") else self.g.label(token)

    def value(self, token: str, coerce: str | None) -> Any:
        if token[0] in "<_":
            if token in self.g.inline:
                items = self.g.as_list(token)
                if items is not None:
                    return {"@list": [self.value(i, None) for i in items]}
                return self.node(None, self.g.blank[token])
            return self.ref(token) if coerce == "@id" else {"@id": self.ref(token)}
        text, datatype = literal_parts(token)
        lexical = unescape(text)
        if coerce and coerce != "@id" and self.expand(coerce) == datatype:
            return lexical
        if coerce is None:
            if datatype == XSD + "string":
                return lexical
            if datatype == XSD + "boolean" and lexical in ("true", "false"):
                return lexical == "true"
            if datatype == XSD + "integer" and lexical.lstrip("-").isdigit() and str(int(lexical)) == lexical:
                return int(lexical)
        if datatype == XSD + "string":
            return {"@value": lexical}
        return {"@value": lexical, "@type": self.iri(datatype)}

    def node(self, subject: str | None, pos: list[tuple[str, str]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if subject is not None and subject not in self.g.roots:
            out["id"] = self.ref(subject)
        types = [self.type_name(o) for p, o in pos if p == RDF_TYPE and o.startswith("<")]
        if types:
            out["type"] = types[0] if len(types) == 1 else types
        by_key: dict[str, list] = {}
        for p, o in pos:
            if p == RDF_TYPE and o.startswith("<"):
                continue
            term, coerce = self.terms.get(p, (p, None))
            by_key.setdefault(term, []).append(self.value(o, coerce))
        for key in sorted(by_key):
            values = by_key[key]
            out[key] = values[0] if len(values) == 1 else values
        return out


class JsonLdDocument:
    """A compacted JSON-LD file written node by node: `start`, `add` each, `end`."""

    def __init__(self, grouped: Grouped, out: IO[str], context: dict[str, Any] | None = None,
                 context_url: str | None = None):
        self.context = context or load_context()
        self.compactor = Compactor(grouped, self.context)
        self.out, self.context_url, self.first = out, context_url, True

    def start(self) -> None:
        head = json.dumps(self.context_url) if self.context_url else json.dumps(
            self.context, indent=1, ensure_ascii=False)
        self.out.write('{\n"@context": ' + head + ',\n"@graph": [\n')

    def add(self, subject: str, pos: list[tuple[str, str]]) -> None:
        node = json.dumps(self.compactor.node(subject, pos), ensure_ascii=False)
        self.out.write(("" if self.first else ",\n") + node)
        self.first = False

    def end(self) -> None:
        self.out.write("\n]\n}\n")


def write_jsonld(nt_path: Path, out: IO[str], context: dict[str, Any] | None = None,
                 context_url: str | None = None) -> None:
    """The triples of `nt_path` as compacted JSON-LD, the context embedded, or referenced by
    `context_url` (where the shipped context is published)."""
    grouped = Grouped(nt_path)
    document = JsonLdDocument(grouped, out, context, context_url)
    document.start()
    for s, pos in grouped.subjects():
        document.add(s, pos)
    document.end()


def write_jsonld_file(nt_path: Path, path: Path, context_url: str | None = None) -> None:
    with path.open("w", encoding="utf-8") as out:
        write_jsonld(nt_path, out, context_url=context_url)


def write_turtle_and_jsonld(nt_path: Path, turtle_path: Path, jsonld_path: Path,
                            pool: Executor | None = None, parts: int = 2) -> None:
    """`write_turtle_file` and `write_jsonld_file` of `nt_path` in one pass: the file is
    sorted once and each subject read once for both (each labels its blank nodes itself).
    With a `pool` of processes, the sorted file's `segments` are written in `parts` processes
    and joined: the same bytes, in about 1/`parts` of the time."""
    grouped = Grouped(nt_path)
    twin = grouped.twin()
    if pool is None:
        with _documents(grouped, twin, turtle_path, jsonld_path) as (turtle, compacted):
            for s, pos in grouped.named():
                turtle.add(s, pos)
                compacted.add(s, pos)
            _blank_subjects(grouped, twin, turtle, compacted)
        return
    sorted_path = nt_path.with_name(f".{nt_path.name}.sorted")
    sort_into(nt_path, sorted_path)
    ranges = segments(sorted_path, grouped, parts)
    pieces = [(turtle_path.with_name(f".{turtle_path.name}.{i}"),
               jsonld_path.with_name(f".{jsonld_path.name}.{i}")) for i in range(len(ranges))]
    try:
        done = [pool.submit(_write_segment, grouped, sorted_path, start, end, i == 0, *piece)
                for i, ((start, end), piece) in enumerate(zip(ranges, pieces, strict=True))]
        written = [future.result() for future in done]
        # only the first range names blank nodes (`segments`): its labels are the file's
        grouped.labels, twin.labels = written[0][1], written[0][2]
        with _documents(grouped, twin, turtle_path, jsonld_path) as (turtle, compacted):
            for ttl_piece, jsonld_piece in pieces:
                for piece, out in ((ttl_piece, turtle.out), (jsonld_piece, compacted.out)):
                    with piece.open(encoding="utf-8") as text:
                        shutil.copyfileobj(text, out)
            turtle.first = compacted.first = not any(count for count, _, _ in written)
            _blank_subjects(grouped, twin, turtle, compacted)
    finally:
        for path in (sorted_path, *(p for piece in pieces for p in piece)):
            path.unlink(missing_ok=True)


def _write_segment(grouped: Grouped, sorted_path: Path, start: int, end: int, first: bool,
                   turtle_path: Path, jsonld_path: Path) -> tuple[int, dict, dict]:
    """The subjects in bytes `start`-`end` of the sorted file, as Turtle and as JSON-LD nodes
    (a separator before each but the file's first): how many, and the blank-node labels used."""
    twin = grouped.twin()
    with _documents(grouped, twin, turtle_path, jsonld_path, whole=False) as (turtle, compacted):
        turtle.first = compacted.first = first
        count = 0
        for s, pos in grouped.named(lines_between(sorted_path, start, end)):
            turtle.add(s, pos)
            compacted.add(s, pos)
            count += 1
    return count, grouped.labels, twin.labels


@contextmanager
def _documents(grouped: Grouped, twin: Grouped, turtle_path: Path, jsonld_path: Path,
               whole: bool = True) -> Iterator[tuple[TurtleDocument, JsonLdDocument]]:
    """The Turtle and JSON-LD documents of `grouped` in two files: `whole` ones started, and
    ended on leaving; else a part of each, to be joined into whole ones."""
    with turtle_path.open("w", encoding="utf-8") as ttl, \
            jsonld_path.open("w", encoding="utf-8") as jsonld:
        turtle, compacted = TurtleDocument(grouped, ttl), JsonLdDocument(twin, jsonld)
        if whole:
            turtle.start()
            compacted.start()
        yield turtle, compacted
        if whole:
            turtle.end()
            compacted.end()


def _blank_subjects(grouped: Grouped, twin: Grouped, turtle: TurtleDocument,
                    compacted: JsonLdDocument) -> None:
    for s, pos in grouped.blank_subjects():
        turtle.add(s, pos)
    for s, pos in twin.blank_subjects():
        compacted.add(s, pos)


def write_expanded(nt_path: Path, path: Path) -> None:
    """The triples of `nt_path` as expanded JSON-LD (full IRIs, no context)."""
    pyoxigraph.serialize(pyoxigraph.parse(path=str(nt_path), format=pyoxigraph.RdfFormat.N_TRIPLES),
                         output=str(path), format=pyoxigraph.RdfFormat.JSON_LD)


if __name__ == "__main__":
    document = {"@context": make_context(kinds_of(Path(sys.argv[1])))}
    print(json.dumps(document, indent=2, ensure_ascii=False))
