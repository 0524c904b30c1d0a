"""Turtle and TriG a person can read and diff, streamed from the build's N-Triples file.

The N-Triples lines are sorted by the `sort` program (bytes order, on disk above its buffer),
so the subjects come in one stable order and each subject's triples together: a subject is
written once, its predicates joined by `;` and the objects of one predicate by `,`, with
`a` first. IRIs under a known namespace are written as prefixed names, integers, decimals and
booleans bare. Blank nodes used once as an object (the ontology's lists and restrictions) are
written in place, as `( ... )` or `[ ... ]`; any other blank node gets a label by its order of
appearance, so two builds of the same graph give the same bytes.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import IO

from dta_kg.core.errors import DtaKgError
from dta_kg.core.iris import PREFIXES

RDF = PREFIXES["rdf"]
XSD = PREFIXES["xsd"]
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (RDF + n for n in ("type", "first", "rest", "nil"))
# the order prefixes are declared in: the project's own first
PREFIX_ORDER = ("dta", "dtar", "bibo", "fabio", "cito", "dcterms", "oa", "prov", "skos", "rdf",
                "rdfs", "owl", "xsd", "sh")
_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_BARE = {XSD + "integer": re.compile(r"^[+-]?[0-9]+$"),
         XSD + "decimal": re.compile(r"^[+-]?[0-9]*\.[0-9]+$"),
         XSD + "boolean": re.compile(r"^(true|false)$")}
_UNESCAPES = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\r": "\r", "\\t": "\t"}
SORT_BUFFER = "256M"

PO = list[tuple[str, str]]  # (predicate IRI, object token as in N-Triples)


class RdfTextError(DtaKgError):
    """The N-Triples file could not be rewritten as Turtle, TriG or JSON-LD."""


def split_line(line: str) -> tuple[str, str, str] | None:
    """An N-Triples line as (subject token, predicate IRI, object token); None when blank."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    s, _, rest = line.partition(" ")
    p, _, o = rest.partition(" ")
    if not o.endswith(" ."):
        raise RdfTextError(f"not an N-Triples line: {line[:80]}")
    return s, p[1:-1], o[:-2].rstrip()


def literal_parts(token: str) -> tuple[str, str]:
    """'"a\\"b"^^<dt>' -> ('a\\"b' still escaped, dt); a plain literal has xsd:string."""
    if token.endswith(">") and '"^^<' in token:
        text, _, datatype = token.rpartition('"^^<')
        return text[1:], datatype[:-1]
    return token[1:-1], XSD + "string"


def unescape(text: str) -> str:
    """The lexical form of an N-Triples string body."""
    return re.sub(r'\\[\\"nrt]', lambda m: _UNESCAPES[m.group(0)], text) if "\\" in text else text


def _sort(nt_path: Path, stdout: int | IO[str]) -> subprocess.Popen:
    """`sort` of `nt_path`'s lines by subject IRI, then whole line, in bytes order, writing to
    `stdout`; it spills to disk above its buffer."""
    env = {**os.environ, "LC_ALL": "C"}
    # the path may name a folder by this process's descriptor (/proc/self/fd/N, see
    # core.files), which `sort` cannot see: it reads the file on its standard input, and
    # spills beside the file's real folder
    args = ["sort", "-t", ">", "-k", "1,1", "-S", SORT_BUFFER, "-T",
            os.path.realpath(nt_path.parent)]
    try:
        with nt_path.open("rb") as source:
            return subprocess.Popen(args, stdin=source, stdout=stdout, env=env, text=True,
                                    encoding="utf-8")
    except OSError as exc:
        raise RdfTextError(f"cannot run sort on {nt_path.name}: {exc}") from exc


def _sorted(proc: subprocess.Popen, nt_path: Path) -> None:
    if proc.wait():
        raise RdfTextError(f"sort failed on {nt_path.name} (exit status {proc.returncode})")


def _distinct(lines: Iterable[str]) -> Iterator[str]:
    previous = None
    for line in lines:
        if line != previous:  # equal lines are next to each other
            yield line
        previous = line


def sorted_lines(nt_path: Path) -> Iterator[str]:
    """The distinct lines of `nt_path` sorted by subject IRI, then whole line, in bytes order,
    from `sort`: the key ends at the subject's `>`, so `<a>` comes before `<a-b>`."""
    proc = _sort(nt_path, subprocess.PIPE)
    assert proc.stdout is not None
    with proc.stdout:
        yield from _distinct(proc.stdout)
    _sorted(proc, nt_path)


def sort_into(nt_path: Path, sorted_path: Path) -> None:
    """The lines of `nt_path` in the order of `sorted_lines` (equal ones kept), in a file."""
    with sorted_path.open("w", encoding="utf-8") as out:
        _sorted(_sort(nt_path, out), nt_path)


def lines_between(sorted_path: Path, start: int, end: int) -> Iterator[str]:
    """The distinct lines of the file `sort_into` wrote that begin at byte `start` or after and
    before byte `end` (both line starts)."""
    with sorted_path.open("rb") as source:
        source.seek(start)
        yield from _distinct(line.decode("utf-8") for line in _until(source, end))


def _until(source: IO[bytes], end: int) -> Iterator[bytes]:
    at = source.tell()
    for line in source:
        if at >= end:
            return
        at += len(line)
        yield line


def segments(sorted_path: Path, grouped: Grouped, parts: int) -> list[tuple[int, int]]:
    """The file `sort_into` wrote as up to `parts` byte ranges of about equal size, each but the
    first starting at a new IRI subject after every IRI subject whose lines name a blank node:
    the other ranges then use no blank-node label, so writing them apart, in any order, gives
    the text written in one pass. Fewer ranges when no such start is found."""
    size = sorted_path.stat().st_size
    cuts = [0]
    with sorted_path.open("rb") as source:
        for i in range(1, parts):
            cut = _next_subject(source, max(cuts[-1], size * i // parts), grouped.last_blank_user)
            if cut is None:
                break
            cuts.append(cut)
    cuts.append(size)
    return list(pairwise(cuts))


def _next_subject(source: IO[bytes], at: int, after: bytes) -> int | None:
    """The offset of the first line after byte `at` that starts a new IRI subject whose sort key
    is above `after`; None when the blank subjects or the end come first."""
    source.seek(at)
    at += len(source.readline()) if at else 0  # the rest of a line cut in two
    previous = None
    for line in source:
        if line.startswith(b"_:"):
            return None
        key = line[:line.index(b">")]  # `sort`'s key: the subject up to its `>`
        if previous is not None and key != previous and key > after:
            return at
        previous = key
        at += len(line)
    return None


class Grouped:
    """The triples of an N-Triples file, subject by subject in sorted order, with the blank
    nodes that can be written in place set apart."""

    def __init__(self, nt_path: Path):
        self.nt_path = nt_path
        self.blank: dict[str, PO] = defaultdict(list)
        uses: dict[str, int] = defaultdict(int)
        self.last_blank_user = b""  # the greatest sort key of an IRI subject naming a blank node
        with nt_path.open(encoding="utf-8") as lines:
            for line in lines:
                if "_:" not in line or not (parts := split_line(line)):
                    continue
                s, p, o = parts
                if s.startswith("_:"):
                    self.blank[s].append((p, o))
                else:  # a blank object, or "_:" in a literal: either keeps the ranges after it
                    self.last_blank_user = max(self.last_blank_user, s[:-1].encode("utf-8"))
                if o.startswith("_:"):
                    uses[o] += 1
        for pos in self.blank.values():
            pos.sort()
        self.inline = {b for b in self.blank if uses[b] == 1}
        self.roots = {b for b in self.blank if uses[b] == 0}
        self.labels: dict[str, str] = {}

    def twin(self) -> Grouped:
        """The same triples with blank-node labels of their own, for a second writer fed the
        same `named` subjects (each writer labels blank nodes in its own order of use)."""
        twin = object.__new__(Grouped)
        twin.nt_path, twin.blank, twin.inline, twin.roots, twin.last_blank_user = (
            self.nt_path, self.blank, self.inline, self.roots, self.last_blank_user)
        twin.labels = {}
        return twin

    def label(self, bnode: str) -> str:
        return self.labels.setdefault(bnode, f"_:b{len(self.labels) + 1}")

    def subjects(self) -> Iterator[tuple[str, PO]]:
        """(subject token, its sorted (predicate, object) pairs) for every subject not in place."""
        yield from self.named()
        yield from self.blank_subjects()

    def named(self, lines: Iterable[str] | None = None) -> Iterator[tuple[str, PO]]:
        """The IRI subjects of `subjects`, from the sorted file (or of its `lines`, a range of
        `segments`)."""
        current: str | None = None
        pos: PO = []
        for line in sorted_lines(self.nt_path) if lines is None else lines:
            if not (parts := split_line(line)):
                continue
            s, p, o = parts
            if s.startswith("_:"):
                continue  # blank subjects come last in bytes order; written from self.blank
            if s != current:
                if current is not None:
                    yield current, pos
                current, pos = s, []
            pos.append((p, o))
        if current is not None:
            yield current, pos

    def blank_subjects(self) -> Iterator[tuple[str, PO]]:
        """The blank subjects of `subjects` not written in place, after the named ones."""
        rest = [b for b in self.blank if b not in self.inline]
        # labelled ones in order of use, then the unlabelled roots by their content
        for bnode in sorted(rest, key=lambda b: (b not in self.labels, self.labels.get(b, ""),
                                                 self.blank[b])):
            yield bnode, self.blank[bnode]

    def as_list(self, bnode: str) -> list[str] | None:
        """The items of an RDF list starting at `bnode`, when every cell can go in place."""
        items, node, seen = [], bnode, set()
        while node != f"<{RDF_NIL}>":
            pos = self.blank.get(node)
            if (node in seen or pos is None or node not in self.inline
                    or sorted(p for p, _ in pos) != [RDF_FIRST, RDF_REST]):
                return None
            seen.add(node)
            items.append(next(o for p, o in pos if p == RDF_FIRST))
            node = next(o for p, o in pos if p == RDF_REST)
        return items


def prefixed(iri: str, prefixes: dict[str, str]) -> str | None:
    """`iri` as prefix:local when a namespace covers it with a valid local part."""
    best = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]) and (best is None or len(ns) > best[1]):
            best = (prefix, len(ns))
    return f"{best[0]}:{iri[best[1]:]}" if best else None


class Prefixer:
    """`prefixed` for one set of prefixes, by one dictionary look-up when every namespace ends
    in '/' or '#': a valid local part holds neither, so the only namespace that can cover an
    IRI is the IRI up to its last '/' or '#' (the first prefix of that namespace, as in
    `prefixed`)."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = prefixes
        self.simple = all(ns.endswith(("/", "#")) for ns in prefixes.values())
        self.by_namespace: dict[str, str] = {}
        for prefix, ns in prefixes.items():
            self.by_namespace.setdefault(ns, prefix)

    def __call__(self, iri: str) -> str | None:
        if not self.simple:
            return prefixed(iri, self.prefixes)
        cut = max(iri.rfind("/"), iri.rfind("#")) + 1
        prefix = self.by_namespace.get(iri[:cut])
        if prefix is None or not _LOCAL.match(local := iri[cut:]):
            return None
        return f"{prefix}:{local}"


class TurtleWriter:
    def __init__(self, grouped: Grouped, prefixes: dict[str, str], indent: str = ""):
        self.g, self.prefixed, self.indent = grouped, Prefixer(prefixes), indent

    def iri(self, iri: str) -> str:
        return self.prefixed(iri) or f"<{iri}>"

    def term(self, token: str, depth: int) -> str:
        if token.startswith("<"):
            return self.iri(token[1:-1])
        if token.startswith("_:"):
            if token in self.g.inline:
                items = self.g.as_list(token)
                if items is not None:
                    return "(" + "".join(f" {self.term(i, depth)}" for i in items) + " )"
                return "[\n" + self.body(self.g.blank[token], depth + 1) + "\n" + self.pad(depth) + "]"
            return self.g.label(token)
        text, datatype = literal_parts(token)
        if datatype == XSD + "string":
            return f'"{text}"'
        if (bare := _BARE.get(datatype)) and bare.match(text):
            return text
        return f'"{text}"^^{self.iri(datatype)}'

    def pad(self, depth: int) -> str:
        return self.indent + "    " * depth

    def body(self, pos: PO, depth: int) -> str:
        by_verb: dict[str, list[str]] = {}
        for p, o in pos:
            by_verb.setdefault("a" if p == RDF_TYPE else self.iri(p), []).append(o)
        parts = []
        for verb, objects in sorted(by_verb.items(), key=lambda vo: (vo[0] != "a", vo[0])):
            parts.append(f"{self.pad(depth)}{verb} " + " ,\n".join(
                [self.term(objects[0], depth)]
                + [self.pad(depth + 1) + self.term(o, depth) for o in objects[1:]]))
        return " ;\n".join(parts)

    def subject(self, s: str, pos: PO) -> str:
        if s in self.g.roots:
            return f"{self.indent}[\n{self.body(pos, 1)}\n{self.indent}] .\n"
        head = self.term(s, 0) if s.startswith("<") else self.g.label(s)
        return f"{self.indent}{head}\n{self.body(pos, 1)} .\n"


def prefix_lines(prefixes: dict[str, str]) -> list[str]:
    return [f"@prefix {p}: <{ns}> ." for p, ns in prefixes.items()]


def ordered_prefixes() -> dict[str, str]:
    return {p: PREFIXES[p] for p in (*PREFIX_ORDER, *sorted(PREFIXES)) if p in PREFIXES}


class TurtleDocument:
    """A Turtle (or TriG) file written subject by subject: `start`, `add` each, `end`."""

    def __init__(self, grouped: Grouped, out: IO[str], graph: str | None = None,
                 prefixes: dict[str, str] | None = None):
        self.prefixes = prefixes or ordered_prefixes()
        self.writer = TurtleWriter(grouped, self.prefixes, "    " if graph else "")
        self.out, self.graph, self.first = out, graph, True

    def start(self) -> None:
        self.out.write("\n".join(prefix_lines(self.prefixes)) + "\n\n")
        if self.graph:
            self.out.write(f"<{self.graph}> {{\n\n")

    def add(self, subject: str, pos: PO) -> None:
        self.out.write(("" if self.first else "\n") + self.writer.subject(subject, pos))
        self.first = False

    def end(self) -> None:
        if self.graph:
            self.out.write("}\n")


def write_turtle(nt_path: Path, out: IO[str], graph: str | None = None,
                 prefixes: dict[str, str] | None = None) -> None:
    """The triples of `nt_path` as Turtle, or as TriG in the named graph `graph`."""
    grouped = Grouped(nt_path)
    document = TurtleDocument(grouped, out, graph, prefixes)
    document.start()
    for s, pos in grouped.subjects():
        document.add(s, pos)
    document.end()


def write_turtle_file(nt_path: Path, path: Path, graph: str | None = None) -> None:
    with path.open("w", encoding="utf-8") as out:
        write_turtle(nt_path, out, graph)


def turtle_block(subject: str, pos: PO) -> str:
    """One subject's triples (objects as N-Triples tokens, IRIs only) as a Turtle block with
    the project's prefixes, as the exported Turtle writes it."""
    class _NoBlanks(Grouped):
        def __init__(self) -> None:
            self.blank, self.inline, self.roots, self.labels = {}, set(), set(), {}

    return TurtleWriter(_NoBlanks(), ordered_prefixes()).subject(f"<{subject}>", sorted(pos))
