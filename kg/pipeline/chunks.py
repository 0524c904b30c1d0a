"""Records to N-Triples and projection, chunk by chunk, in worker processes for large corpora.

Each chunk of study files is read, validated, mapped to triples, written as N-Triples text and
projected onto the property graph, with the shared vocabulary and the review as context; the
projection is written to a part file of its own (`store_writer.write_part`). The build streams
the chunks to disk, so no process holds the whole graph.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DTA, local_name, normalise_doi, slug
from dta_kg.core.rdfterms import RDF
from dta_kg.core.vocabulary import Term, Vocabulary
from dta_kg.loaders.ntriples import nt_line
from dta_kg.loaders.records import read_study
from dta_kg.loaders.triples import study_triples
from dta_kg.pipeline.projection import project
from dta_kg.pipeline.store_writer import Part, write_part

CHUNK = 250  # study files per chunk
IN_PROCESS = 2 * CHUNK  # smaller corpora are not worth the worker processes
RDF_TYPE = RDF + "type"


@dataclass
class Chunk:
    nt: str
    part: Part
    dois: list[tuple[str, str, int | None]]  # (normalised DOI, path, reference number)
    triples_per_class: Counter = field(default_factory=Counter)
    digests: dict[str, str] = field(default_factory=dict)  # path -> SHA-256 of the bytes read


@dataclass(frozen=True)
class Context:
    """What every worker needs: the vocabulary, the review's IRI, the folder of the part files,
    the shared node labels."""

    terms: tuple[Term, ...]
    review: str
    folder: str
    labels: dict[str, str]
    captions: dict[str, str] = field(default_factory=dict)
    dois: dict[str, str] = field(default_factory=dict)


_context: Context | None = None


def _start(context: Context) -> None:
    global _context
    _context = context


def class_counts(triples: list) -> Counter:
    """Triples per class of their subject: its dta: class when it has one, else the first of its
    classes by IRI, so a subject of several types is counted under the same one every time."""
    kind: dict[str, str] = {}
    for s, p, o in triples:
        if p == RDF_TYPE and isinstance(o, str) and (s not in kind or _rank(o) < _rank(kind[s])):
            kind[s] = o
    per_class = Counter(kind[s] for s, _, _ in triples if s in kind)
    counts: Counter = Counter()
    for cls, n in per_class.items():  # a few classes: each local name is taken once
        counts[local_name(cls)] += n
    return counts


def _rank(cls: str) -> tuple[bool, str]:
    return not cls.startswith(DTA), cls


def emit(paths: list[str], context: Context | None = None) -> Chunk:
    """Read the study files `paths` and turn them into one Chunk."""
    context = context or _context
    assert context is not None, "emit needs a context, given or set by the worker's initializer"
    vocab = Vocabulary(list(context.terms))
    seen: set[str] = set()
    triples: list = []
    dois = []
    digests: dict[str, str] = {}
    for path in paths:
        study = read_study(Path(path), vocab, digests)
        dois.append((normalise_doi(study.doi), path, study.ref))
        triples.extend(study_triples(study, context.review, seen))
    graph = project(triples, context=context.labels, captions=context.captions,
                    dois=context.dois)
    handle, name = tempfile.mkstemp(".part", dir=context.folder)
    os.close(handle)
    return Chunk("".join(map(nt_line, triples)), write_part(graph, context.labels, Path(name)),
                 dois, class_counts(triples), digests)


def chunks(paths: list[Path], context: Context, jobs: int | None = None) -> Iterator[Chunk]:
    """Every chunk of `paths`, in order; across worker processes when there are many."""
    groups = [[str(p) for p in paths[i:i + CHUNK]] for i in range(0, len(paths), CHUNK)]
    jobs = jobs or os.cpu_count() or 1
    seen: dict[str, str] = {}
    if len(paths) <= IN_PROCESS or jobs == 1:
        results = (emit(g, context) for g in groups)
        yield from _unique(results, seen)
        return
    pool = ProcessPoolExecutor(jobs, mp_context=worker_context(), initializer=_start, initargs=(context,))
    try:
        yield from _unique(pool.map(emit, groups), seen)
    finally:
        pool.shutdown(cancel_futures=True)


def worker_context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fresh server process, never from this one: a fork of a process
    whose native libraries (ladybug, pyoxigraph) run threads can deadlock in the child."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _unique(results: Iterable[Chunk], seen: dict[str, str]) -> Iterator[Chunk]:
    """Refuse a DOI (or DOIs that differ only in punctuation, which share a study IRI) or a
    reference number that two records share."""
    for chunk in results:
        for doi, path, ref in chunk.dois:
            key = slug(doi)
            if key in seen:
                raise RecordError(Path(path), "doi", f"duplicate DOI '{doi}' (the same study IRI "
                                  f"as the DOI in {seen[key]})", "keep one record per study", doi)
            seen[key] = path
            if ref is not None:
                if f"ref {ref}" in seen:
                    raise RecordError(Path(path), "ref", f"reference {ref} is also "
                                      f"{seen[f'ref {ref}']}", "give each study the review's own "
                                      "reference number", doi)
                seen[f"ref {ref}"] = path
        yield chunk
