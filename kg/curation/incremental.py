"""Curator writes at scale: the changed study records are checked on their own and the query
stores are updated in place, never rebuilt.

A write of study records, when the stores are fresh, is checked in three steps: each record
against the record schema (reading it with the cached vocabulary, so every term must exist);
its own triples, with the ontology and the review, against the SHACL shapes and the QC queries;
and the rules that span records against the query store: no other study has its DOI or its
reference number. After the files are written, the study's old triples are replaced by its new
ones in Oxigraph (shared annotations, agents and venues are removed only when nothing else
points to them), in ladybug only the nodes and edges that differ are deleted, created or
updated (`GraphChange`), and the stores' stamp is updated for the changed files alone. Any
other write (the review, instruments) or stale stores take the full path: the whole project
is validated in a copy and the stores are rebuilt by the next query.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pyoxigraph
from filelock import FileLock

from dta_kg.core.errors import RecordError, ValidationFailed
from dta_kg.core.files import owning
from dta_kg.core.iris import DTA, PREFIXES, candidate_iri, normalise_doi, review_iri, study_iri
from dta_kg.core.model import Study
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import INTEGER, Triple
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.loaders.records import read_review, read_study, study_from_data
from dta_kg.loaders.screening import read_screening
from dta_kg.loaders.terms import read_instruments, terms_of
from dta_kg.loaders.triples import curated_term_triples, review_triples, slot_triples, study_triples
from dta_kg.loaders.yaml_io import parse_yaml
from dta_kg.pipeline.build import ontology_graph
from dta_kg.pipeline.checks import memory_store, rdflib_graph, run_qc_store, run_shacl
from dta_kg.pipeline.manifest import (
    LADYBUG,
    LADYBUG_FILE,
    OXIGRAPH,
    STAMP,
    file_digest,
    fresh_for_write,
    load_record_index,
    read_stamp,
    restamp,
    stat_term,
    write_record_index,
)
from dta_kg.pipeline.projection import PropertyGraph, Shared, plain_triples
from dta_kg.pipeline.projection import project as projection
from dta_kg.pipeline.store_update import GraphChange, SchemaChange, update_database, update_store
from dta_kg.stores.local import sparql_store, vocabulary

RDF_TYPE = PREFIXES["rdf"] + "type"
ABOUT_STUDY = DTA + "aboutStudy"
REFERENCE_NUMBER = DTA + "referenceNumber"
FULL_CHECK = "DTA_KG_FULL_CHECK"  # =1: every write takes the full path (for benchmarks)


@dataclass
class Change:
    """One study record as it is on disk (what the stores hold) and as it will be written."""

    path: Path
    text: str
    old: Study | None
    new: Study
    old_digest: str | None
    old_stat: int | None


class Incremental:
    """A checked write of study records, and the in-place update of the stores after it."""

    def __init__(self, project: Project, changes: list[Change], head: list[Triple],
                 shared: Shared, review: str, stamp: dict[str, Any]):
        self.project, self.changes, self.head = project, changes, head
        self.shared, self.review, self.stamp = shared, review, stamp

    def check(self) -> None:
        """Schema, SHACL and QC on each record's own triples; DOI and reference number
        against the query store (and the other records of this write)."""
        own = [t for c in self.changes for t in study_triples(c.new, self.review, set())]
        problems = run_shacl(rdflib_graph(self.head + own)) + run_qc_store(memory_store(self.head + own))
        if problems:
            raise ValidationFailed(problems)
        store = sparql_store(self.project)
        try:
            self._check_unique(store)
        finally:
            del store

    def _check_unique(self, store: pyoxigraph.Store) -> None:
        dois: dict[str, Path] = {}
        refs: dict[int, Path] = {}
        for c in self.changes:
            iri = study_iri(c.new.doi)
            mine = study_iri(c.old.doi) if c.old else None
            if iri in dois:
                raise RecordError(c.path, "doi", f"duplicate DOI '{c.new.doi}', also in {dois[iri]}",
                                  "keep one record per study", c.new.doi)
            dois[iri] = c.path
            study = pyoxigraph.NamedNode(iri)
            if iri != mine and next(store.quads_for_pattern(study, None, None), None) is not None:
                raise RecordError(c.path, "doi", f"duplicate DOI '{c.new.doi}': another record "
                                  "has it", "keep one record per study (see it with `dta-kg "
                                  f"study show {c.new.doi}`)", c.new.doi)
            ref = c.new.ref
            if ref is None or (c.old is not None and c.old.ref == ref and iri == mine):
                continue
            if ref in refs:
                raise RecordError(c.path, "ref", f"reference number {ref} is also in {refs[ref]}",
                                  "give each study of the review's list its own number", c.new.doi)
            refs[ref] = c.path
            # the subjects of dta:referenceNumber are study IRIs (named nodes)
            taken = [cast(pyoxigraph.NamedNode, q.subject).value for q in store.quads_for_pattern(
                None, pyoxigraph.NamedNode(REFERENCE_NUMBER),
                pyoxigraph.Literal(str(ref), datatype=pyoxigraph.NamedNode(INTEGER)))]
            if any(s != mine for s in taken):
                raise RecordError(c.path, "ref", f"reference number {ref} is already the study "
                                  f"{taken[0]}", "check the number in the review's reference "
                                  "list", c.new.doi)

    def apply(self) -> bool:
        """Update Oxigraph, ladybug and the stamp for the written records; True when done,
        False when the stores were marked stale instead (the next query rebuilds them)."""
        with owning(self.project.build), FileLock(self.project.build / ".build.lock"):
            if read_stamp(self.project) != self.stamp:  # rebuilt meanwhile: stores unknown
                (self.project.build / STAMP).unlink(missing_ok=True)
                return False
            try:
                self._update_oxigraph()
                self._update_ladybug()
                index = load_record_index(self.project)  # the stores were fresh: it is current
                if index is None:
                    raise OSError("the DOI index of the build is missing")
                for c in self.changes:
                    if c.old:
                        index.pop(normalise_doi(c.old.doi), None)
                    index[normalise_doi(c.new.doi)] = c.path.name
                write_record_index(self.project, index)
                restamp(self.project, self.stamp, [
                    (c.path, c.old_digest, c.old_stat, hashlib.sha256(c.text.encode()).hexdigest())
                    for c in self.changes])
                return True
            except (SchemaChange, OSError, RuntimeError):
                (self.project.build / STAMP).unlink(missing_ok=True)
                return False

    # --- the stores, through the one store writer ------------------------------------------

    def _triples(self, study: Study | None) -> set[Triple]:
        return set(study_triples(study, self.review, None)) if study else set()

    def _update_oxigraph(self) -> None:
        removed: set[Triple] = set()
        added: set[Triple] = set()
        for c in self.changes:
            old, new = self._triples(c.old), self._triples(c.new)
            removed |= old - new
            added |= new
        owned = {t for t in removed if _owned(t, self.changes)}
        update_store(self.project.build / OXIGRAPH, owned, removed - owned, added)

    def _update_ladybug(self) -> None:
        before, after = PropertyGraph([], []), PropertyGraph([], [])
        owned: set[str] = set()
        for c in self.changes:
            for study, graph in ((c.old, before), (c.new, after)):
                if study:
                    part = self.shared.project(self._triples(study))
                    graph.nodes += part.nodes
                    graph.edges += part.edges
                    owned |= {n.id for n in part.nodes if _owns_node(n.id, study)}
        labels = {**self.shared.labels, **{n.id: n.label for n in [*before.nodes, *after.nodes]}}
        update_database(self.project.build / LADYBUG / LADYBUG_FILE,
                        GraphChange.of(before, after, owned), labels)


def _owned(triple: Triple, changes: list[Change]) -> bool:
    """True for a triple that belongs to one changed study alone: about the study, its author
    list or its facts, or pointing to the study."""
    s, _, o = triple
    return any(c.old and (_owns_node(s, c.old) or o == study_iri(c.old.doi)) for c in changes)


def _owns_node(iri: str, study: Study) -> bool:
    s = study_iri(study.doi)
    return iri == s or iri.startswith(s + "-authors") or iri.startswith(
        s.replace("/study-", "/fact-", 1) + "-")


def prepare(project: Project, staged: dict[Path, str]) -> Incremental | None:
    """The incremental write of `staged`, or None when it must take the full path (a file
    other than a study record, or stores missing or stale)."""
    if os.environ.get(FULL_CHECK) == "1":
        return None
    if not staged or any(path.parent != project.studies or path.suffix != ".yaml"
                         for path in staged):
        return None
    if not fresh_for_write(project):
        return None
    stamp = read_stamp(project)
    if not stamp:
        return None
    vocab = vocabulary(project)
    review = read_review(project.review, vocab)
    r = review_iri(review.doi)
    ontology = ontology_graph()
    instruments = read_instruments(project.instruments, Vocabulary(terms_of(ontology)))
    head = [*plain_triples(ontology), *review_triples(review),
            *(t for c in instruments for t in curated_term_triples(c, r))]
    shared = Shared.of(projection(head))
    changes = []
    for path, text in staged.items():
        exists = path.exists()
        old = read_study(path, vocab) if exists else None
        new = study_from_data(parse_yaml(text.encode("utf-8"), path), path, vocab)
        changes.append(Change(path, text, old, new, file_digest(path) if exists else None,
                              stat_term(str(path)) if exists else None))
    promoted = {c.new.candidate: c for c in changes if c.new.candidate}
    if promoted:  # a study linked to its screening candidate: the candidate must exist
        screening = read_screening(project, vocab)
        known = {c.id: c for run in screening.runs for c in run.candidates} if screening else {}
        for cid, change in promoted.items():
            if cid not in known:
                raise RecordError(change.path, "candidate", f"no screening candidate has id "
                                  f"'{cid}'", "name a candidate of records/screening/runs/",
                                  change.new.doi)
            head += [(candidate_iri(cid), RDF_TYPE, DTA + "ScreeningCandidate"),
                     *slot_triples(candidate_iri(cid), known[cid])]  # as the build wrote them
            shared.labels[candidate_iri(cid)] = "ScreeningCandidate"
    return Incremental(project, changes, head, shared, r, stamp)

