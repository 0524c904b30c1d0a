"""Read the controlled vocabulary out of the ontology (and curator-added instruments)."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dta_kg.core.iris import DTA, local_name, slug
from dta_kg.core.model import CuratedTerm, InstrumentEntry, SubscaleEntry
from dta_kg.core.paths import ONTOLOGY, Project
from dta_kg.core.vocabulary import KINDS, Term, Vocabulary

from .fields import Fields
from .record_reader import read_record
from .yaml_io import read_yaml

if TYPE_CHECKING:
    from rdflib import Graph


def load_vocabulary(ontology: Path = ONTOLOGY) -> Vocabulary:
    """Every individual of the vocabulary classes in the ontology, with its labels."""
    # lazy: rdflib loads ~70 ms; queries read the cached vocabulary
    from rdflib import Graph

    graph = Graph().parse(ontology, format="turtle")
    return Vocabulary(terms_of(graph))


def terms_of(graph: Graph) -> list[Term]:
    """The vocabulary individuals (in the dta: namespace) of an rdflib graph."""
    # lazy: rdflib loads ~70 ms; queries read the cached vocabulary
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS, SKOS

    wanted = {URIRef(DTA + cls) for classes in KINDS.values() for cls in classes}
    subscale_of, measures = URIRef(DTA + "subscaleOf"), URIRef(DTA + "measuresComponent")
    terms = []
    for cls in sorted(wanted):
        for node in sorted(graph.subjects(RDF.type, cls), key=str):  # IRIs sort as text
            if not str(node).startswith(DTA):
                continue
            parent = graph.value(node, subscale_of)
            if cls == URIRef(DTA + "FactorConcept"):  # its theme, or a broader factor
                parent = graph.value(node, SKOS.broader)
            terms.append(Term(
                id=local_name(str(node)), cls=local_name(str(cls)),
                label=str(graph.value(node, RDFS.label) or local_name(str(node))),
                alt_labels=tuple(sorted(str(a) for a in graph.objects(node, SKOS.altLabel))),
                parent=local_name(str(parent)) if parent else None,
                measures=tuple(sorted(local_name(str(m)) for m in graph.objects(node, measures))),
            ))
    return terms


@cache
def ontology_names() -> frozenset[str]:
    """The local name, in lower case, of every term the ontology declares (classes,
    properties and individuals), which a curator's instrument id must not take."""
    text = ONTOLOGY.read_text(encoding="utf-8")
    return frozenset(name.lower() for name in re.findall(r"\bdta:([A-Za-z0-9_-]+)", text))


def reserved_problem(term_id: str, vocab: Vocabulary) -> str | None:
    """Why `term_id` cannot be a new term: it names an ontology term that is not a vocabulary
    term (a class or property such as dta:evidence), else None."""
    if term_id.lower() in ontology_names() and term_id not in vocab.terms:
        return f"'{term_id}' names a class or property of the ontology (dta:{term_id})"
    return None


def read_instruments(path: Path, vocab: Vocabulary,
                     digests: dict[str, str] | None = None) -> tuple[CuratedTerm, ...]:
    """The instruments and subscales curators added in `path` (records/instruments.yaml)."""
    if not os.path.lexists(path):  # a dangling symlink is read, and refused
        return ()
    top = Fields(read_yaml(path, digests) or {}, path, "", "instruments")
    top.allow(("instruments",))
    curated: list[CuratedTerm] = []
    for f in top.items("instruments"):
        entry: InstrumentEntry = read_record(f, InstrumentEntry, vocab)
        instrument = _curated_term(f, entry, "Instrument", None, vocab, curated)
        curated.append(CuratedTerm(instrument, entry.definition, entry.evidence, entry.added))
        for s, sub in zip(f.items("subscales"), entry.subscales, strict=True):
            term = _curated_term(s, sub, "Subscale", instrument.id, vocab, curated)
            curated.append(CuratedTerm(term, sub.definition, entry.evidence, entry.added))
    return tuple(curated)


def _curated_term(f: Fields, entry: SubscaleEntry, cls: str, parent: str | None,
                  vocab: Vocabulary, seen: list[CuratedTerm]) -> Term:
    """The term of an entry, after the checks on its id: a slug, not reserved, not taken."""
    term_id = entry.id
    if slug(term_id) != term_id:
        f.fail("id", f"'{term_id}' is not a valid id", f"use lower-case words and hyphens, "
               f"e.g. '{slug(term_id)}'")
    reserved = reserved_problem(term_id, vocab)
    if reserved:
        f.fail("id", reserved, "choose another id")
    term = Term(id=term_id, cls=cls, label=entry.label, alt_labels=entry.alt_labels,
                parent=parent, measures=entry.measures)
    clash = vocab.terms.get(term_id) or next((c.term for c in seen if c.term.id == term_id), None)
    if clash and clash != term:
        f.fail("id", f"'{term_id}' is already the term '{clash.label}'", "choose another id")
    return term


def project_vocabulary(project: Project) -> Vocabulary:
    """The ontology's vocabulary plus the instruments curators added to `project`."""
    base = load_vocabulary()
    return base.with_terms([c.term for c in read_instruments(project.instruments, base)])
