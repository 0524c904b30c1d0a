"""The neighbourhood of a focus, read from the Oxigraph store alone: a focused view costs what
its neighbourhood costs, not what the corpus costs.

`neighbourhood` walks the store's indexes hop by hop as `network.ego` walks a whole projection
(paths continue only through the focus, studies and facts; retracted facts and, with a scope,
the other set's studies and their facts end them), then projects the triples of the nodes it
reached and of what they point to (for names and captions), so that `ego` on the result keeps
exactly the nodes and edges it keeps on the whole graph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph

from dta_kg.core.iris import PREFIXES, normalise_doi
from dta_kg.core.rdfterms import Lit, Triple, plain_term
from dta_kg.pipeline.projection import (
    RDF_TYPE,
    SKIPPED_PREDICATES,
    PropertyGraph,
    node_label,
    scoped,
)
from dta_kg.pipeline.projection import project as projection

from .network import PASS_THROUGH

DTA = PREFIXES["dta"]
ABOUT_STUDY = DTA + "aboutStudy"
RETRACTED = DTA + "retracted"
STUDY_SCOPE = DTA + "studyScope"
DOI = PREFIXES["bibo"] + "doi"
# the values a node is found by, besides its IRI: what `network.resolve_focus` compares
NAMES = [PREFIXES["rdfs"] + "label", DTA + "shortCitation", PREFIXES["skos"] + "prefLabel",
         PREFIXES["skos"] + "altLabel"]
LOCAL_NAME = re.compile(r"[\w.-]+")
# folded into the node that points to them, not nodes of their own
FOLDED = {DTA + "evidence", PREFIXES["bibo"] + "authorList"}
# a node with none of these is captioned after what it points to
OWN_NAMES = [PREFIXES["rdfs"] + "label", DTA + "shortCitation", PREFIXES["skos"] + "prefLabel",
             PREFIXES["dcterms"] + "title"]


class Neighbourhood:
    """Reads of one store, each node's triples read once. A node's kind is read from its types
    alone, and a hub's edges (a review's to every study) only when it is walked through."""

    def __init__(self, store: Any, include_retracted: bool, scope: str):
        self.store, self.include_retracted, self.scope = store, include_retracted, scope
        self._out: dict[str, list[Triple]] = {}
        self._kind: dict[str, str | None] = {}

    def _quads(self, node: str, predicate: str | None = None) -> Iterator[Any]:
        term = pyoxigraph.BlankNode(node[2:]) if node.startswith("_:") else pyoxigraph.NamedNode(node)
        return self.store.quads_for_pattern(
            term, None if predicate is None else pyoxigraph.NamedNode(predicate), None)

    def values(self, node: str, predicate: str) -> list[Any]:
        """The objects of `node`'s `predicate`, as plain terms."""
        return [plain_term(q.object) for q in self._quads(node, predicate)]

    def triples(self, node: str) -> list[Triple]:
        """The triples whose subject is `node`."""
        if node not in self._out:
            self._out[node] = [(node, q.predicate.value, plain_term(q.object))
                               for q in self._quads(node)]
        return self._out[node]

    def own(self, node: str, kept: set[str]) -> Iterator[Triple]:
        """`node`'s triples but its edges to nodes not `kept`: its types, values, evidence and
        authors (a hub's edges to every study are skipped before they are converted)."""
        for q in self._quads(node):
            o, p = q.object, q.predicate.value
            if isinstance(o, pyoxigraph.NamedNode) and p != RDF_TYPE and p not in FOLDED \
                    and o.value not in kept:
                continue
            yield node, p, plain_term(o)

    def label(self, node: str) -> str | None:
        """The node's label in the projection; None: it is no node there."""
        return node_label(node, [(RDF_TYPE, t) for t in self.values(node, RDF_TYPE)])

    def kind(self, node: str) -> str | None:
        """The node's label in the projection (None: not a node there), or None when the
        view leaves it out (retracted, or outside the scope)."""
        if node not in self._kind:
            kind = self.label(node)
            if kind and not self.include_retracted and any(
                    isinstance(o, Lit) and o.lexical == "true" for o in self.values(node, RETRACTED)):
                kind = None
            if kind and self.scope != "all":
                studies = [node] if kind == "Study" else self.values(node, ABOUT_STUDY)
                if any(self._scope_of(str(s)) not in (None, self.scope) for s in studies):
                    kind = None
            self._kind[node] = kind
        return self._kind[node]

    def _scope_of(self, study: str) -> str | None:
        return next((o.lexical for o in self.values(study, STUDY_SCOPE) if isinstance(o, Lit)), None)

    def adjacent(self, node: str) -> Iterator[str]:
        """The nodes joined to `node` by an edge of the projection, either way."""
        for q in self._quads(node):
            if isinstance(q.object, pyoxigraph.NamedNode) and q.predicate.value != RDF_TYPE \
                    and q.predicate.value not in SKIPPED_PREDICATES:
                yield q.object.value
        for q in self.store.quads_for_pattern(None, None, pyoxigraph.NamedNode(node)):
            if q.predicate.value != RDF_TYPE and q.predicate.value not in SKIPPED_PREDICATES:
                yield plain_term(q.subject)  # type: ignore[misc]

    def reach(self, focus: Iterable[str], depth: int) -> set[str]:
        """The nodes within `depth` hops of `focus`, as `network.ego` finds them."""
        focus = set(focus)
        keep, ring = set(focus), set(focus)
        for _ in range(depth):
            ring = {m for n in ring if n in focus or self.kind(n) in PASS_THROUGH
                    for m in self.adjacent(n) if self.kind(m)} - keep
            keep |= ring
        return keep

    def graph(self, keep: set[str]) -> PropertyGraph:
        """The projection of the nodes `keep`, with what names them, captions them (the targets
        of a fact without a name of its own) and is folded into them (evidence, authors): it
        comes out as a projection of the whole graph gives it."""
        captioned = {n for n in keep if not any(self.values(n, p) for p in OWN_NAMES)}
        triples = [t for n in sorted(keep)
                   for t in (self.triples(n) if n in captioned else self.own(n, keep))]
        named = {o for n in captioned for _, p, o in self.triples(n)
                 if isinstance(o, str) and p != RDF_TYPE}
        folded: set[str] = set()
        frontier = {o for _, p, o in triples if p in FOLDED and isinstance(o, str)}
        while frontier:  # an annotation, its target and selector; a list's cells
            folded |= frontier
            reached = {o for n in sorted(frontier) for _, p, o in self.triples(n)
                       if isinstance(o, str) and p != RDF_TYPE}
            named |= {o for o in reached if self.label(o)}
            frontier = {o for o in reached if not self.label(o)} - folded
        triples += [t for n in sorted(folded) for t in self.triples(n)]
        triples += [t for n in sorted(named - keep) for t in self.own(n, set())]
        return scoped(projection(triples, include_retracted=self.include_retracted), self.scope)

    def find(self, key: str) -> str | None:
        """The node `key` names by IRI, DOI, IRI local name (as written or in lower case) or
        one of its names as written, in `network.resolve_focus`'s order, if any; None leaves
        the key to `resolve_focus` on the whole graph (another case, a citation, a number)."""
        wanted = key.strip()
        if wanted.startswith(("http://", "https://", "urn:")) and self.kind(wanted):
            return wanted
        if "10." in wanted and (found := self._named(DOI, normalise_doi(wanted))):
            return found
        local = [ns + name for ns in PREFIXES.values() for name in {wanted, wanted.lower()}
                 if LOCAL_NAME.fullmatch(name)]
        if named := sorted(iri for iri in local if self.kind(iri)):
            return named[0]
        for predicate in NAMES:
            if found := self._named(predicate, wanted):
                return found
        return None

    def _named(self, predicate: str, value: str) -> str | None:
        """The first node by id whose `predicate` is `value` (as `resolve_focus` takes it)."""
        found = [node for q in self.store.quads_for_pattern(
            None, pyoxigraph.NamedNode(predicate), pyoxigraph.Literal(value))
            if self.kind(node := str(plain_term(q.subject)))]
        return min(found) if found else None

