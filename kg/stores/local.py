"""The local query stores in build/, opened read-only and rebuilt first when they are stale."""

from __future__ import annotations

import json
from collections.abc import Callable

from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import plain_term
from dta_kg.core.vocabulary import Term, Vocabulary
from dta_kg.pipeline.cypher_db import BUFFER_POOL
from dta_kg.pipeline.manifest import (
    LADYBUG,
    LADYBUG_FILE,
    OXIGRAPH,
    VOCABULARY,
    files_fresh,
    is_fresh,
)


def ensure_fresh(project: Project, notify: Callable[[str], None] | None = None) -> None:
    """Rebuild the graph and its stores when the records or ontology changed since the build."""
    if is_fresh(project):
        return
    from filelock import FileLock

    from dta_kg.core.files import io_problem
    from dta_kg.pipeline.build import build  # lazy: the build loads rdflib, which queries never need

    try:
        project.build.mkdir(parents=True, exist_ok=True)
        lock = FileLock(project.build / ".build.lock")
        lock.acquire()
    except OSError as exc:
        raise io_problem(project.build, exc, "cannot write the build folder") from exc
    try:
        if is_fresh(project):  # another process rebuilt while we waited
            return
        if notify:
            notify(f"dta-kg: the query stores in {project.build} are missing or stale; "
                   "rebuilding the graph first")
        build(project)
    finally:
        lock.release()


def ensure_files(project: Project, notify: Callable[[str], None] | None = None) -> None:
    """Like `ensure_fresh`, and rebuild also when curators' writes updated the stores in place
    but not the Turtle, N-Triples and JSON-LD files."""
    ensure_fresh(project, notify)
    if not files_fresh(project):
        from filelock import FileLock

        from dta_kg.pipeline.build import build

        with FileLock(project.build / ".build.lock"):
            if not files_fresh(project):
                if notify:
                    notify(f"dta-kg: the graph files in {project.build} predate curators' "
                           "writes; rebuilding the graph first")
                build(project)


def sparql_store(project: Project):
    """The Oxigraph store, opened read-only."""
    import pyoxigraph

    return pyoxigraph.Store.read_only(str(project.build / OXIGRAPH))


def store_triples(store):
    """Every triple of an Oxigraph store as plain terms (see dta_kg.core.rdfterms)."""
    return ((plain_term(q.subject), q.predicate.value, plain_term(q.object))
            for q in store.quads_for_pattern(None, None, None))


def cypher_connection(project: Project):
    """A connection to the ladybug database, opened read-only, its buffer pool sized to the
    database (see `dta_kg.pipeline.cypher_db.BUFFER_POOL`)."""
    import ladybug  # lazy: a native library that SPARQL-only commands never load

    path = project.build / LADYBUG / LADYBUG_FILE
    pool = max(BUFFER_POOL, 2 * path.stat().st_size) if path.exists() else BUFFER_POOL
    db = ladybug.Database(str(path), read_only=True, buffer_pool_size=pool)
    return ladybug.Connection(db)


def vocabulary(project: Project) -> Vocabulary:
    """The controlled vocabulary cached at build time."""
    terms = json.loads((project.build / VOCABULARY).read_text(encoding="utf-8"))
    return Vocabulary([Term(**{**t, "alt_labels": tuple(t["alt_labels"]),
                                "measures": tuple(t["measures"])}) for t in terms])
