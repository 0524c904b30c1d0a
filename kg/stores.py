"""The persistent query stores in build/: Oxigraph (SPARQL), ladybug (Cypher), the vocabulary.

`dta_kg.build.build` calls `install_stores` last. Query commands call `ensure_fresh`, which
rebuilds when the inputs' content hash differs from the one the stores were written from (a
signature of file sizes and modification times saves hashing the contents on every command),
then open the stores read-only: no command parses Turtle to answer a question.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from dta_kg.paths import Project
from dta_kg.terms import Term, Vocabulary

OXIGRAPH = "oxigraph"
LADYBUG = "ladybug"
LADYBUG_FILE = "dta-kg.lbug"
VOCABULARY = "vocabulary.json"
STAMP = "stores.json"


def inputs_signature(project: Project) -> str:
    """A cheap signature of the input files: their names, sizes and modification times."""
    from dta_kg.build import shared_inputs
    from dta_kg.loaders.records import study_names

    folder = str(project.studies)
    paths = [str(project.review), *(os.path.join(folder, name) for name in study_names(project.studies)),
             *map(str, shared_inputs(project))]
    lines = []
    for path in paths:  # plain text paths: pathlib costs seconds at 100,000 records
        stat = os.stat(path)
        lines.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _write_stamp(project: Project, content_hash: str) -> None:
    from dta_kg.build import write_atomic

    stamp = {"content_hash": content_hash, "inputs": inputs_signature(project)}
    write_atomic(project.build / STAMP, json.dumps(stamp, indent=2).encode())


def _replace_dir(target: Path, fill: Callable[[Path], None]) -> None:
    """Fill a new folder beside `target`, then swap it in for `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    try:
        fill(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


def install_stores(project: Project, staged_oxigraph: Path, staged_ladybug: Path,
                   vocab: Vocabulary, content_hash: str) -> list[str]:
    """Move the staged Oxigraph and ladybug stores into build/ and cache the vocabulary
    (ontology and curator-added terms), then stamp the stores as fresh."""
    from dta_kg.build import write_atomic

    for name, staged in ((OXIGRAPH, staged_oxigraph), (LADYBUG, staged_ladybug)):
        _replace_dir(project.build / name,
                     lambda folder, staged=staged: (folder.rmdir(), os.replace(staged, folder)))
    terms = [asdict(t) for t in vocab.terms.values()]
    write_atomic(project.build / VOCABULARY, json.dumps(terms, indent=1).encode())
    _write_stamp(project, content_hash)
    return [str(project.build / name) for name in (OXIGRAPH, LADYBUG, VOCABULARY)]


def stores_present(project: Project) -> bool:
    """True when the stamp and every store exist (fresh or not)."""
    return all((project.build / name).exists() for name in (STAMP, OXIGRAPH, LADYBUG, VOCABULARY))


def is_fresh(project: Project) -> bool:
    """True when every store exists and was written from the current inputs."""
    from dta_kg.build import content_hash

    try:
        stamp = json.loads((project.build / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not stores_present(project):
        return False
    if stamp.get("inputs") == inputs_signature(project):
        return True
    if stamp.get("content_hash") == content_hash(project):
        _write_stamp(project, stamp["content_hash"])  # touched, not changed
        return True
    return False


def ensure_fresh(project: Project, notify: Callable[[str], None] | None = None) -> None:
    """Rebuild the graph and its stores when the records or ontology changed since the build."""
    if is_fresh(project):
        return
    from filelock import FileLock

    from dta_kg.build import build

    project.build.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build / ".build.lock"):
        if is_fresh(project):  # another process rebuilt while we waited
            return
        if notify:
            notify(f"dta-kg: the query stores in {project.build} are missing or stale; "
                   "rebuilding the graph first")
        build(project)


def sparql_store(project: Project):
    """The Oxigraph store, opened read-only."""
    import pyoxigraph

    return pyoxigraph.Store.read_only(str(project.build / OXIGRAPH))


def store_triples(store):
    """Every triple of an Oxigraph store as plain terms (see dta_kg.loaders.ntriples)."""
    import pyoxigraph

    from dta_kg.loaders.ntriples import Lit

    def plain(term):
        if isinstance(term, pyoxigraph.Literal):
            return Lit(term.value, term.datatype.value)
        if isinstance(term, pyoxigraph.BlankNode):
            return f"_:{term.value}"
        return term.value

    return ((plain(q.subject), q.predicate.value, plain(q.object))
            for q in store.quads_for_pattern(None, None, None))


def cypher_connection(project: Project):
    """A connection to the ladybug database, opened read-only, its buffer pool sized to the
    database (see `dta_kg.cypher_store.BUFFER_POOL`)."""
    import ladybug

    from dta_kg.cypher_store import BUFFER_POOL

    path = project.build / LADYBUG / LADYBUG_FILE
    pool = max(BUFFER_POOL, 2 * path.stat().st_size) if path.exists() else BUFFER_POOL
    db = ladybug.Database(str(path), read_only=True, buffer_pool_size=pool)
    return ladybug.Connection(db)


def vocabulary(project: Project) -> Vocabulary:
    """The controlled vocabulary cached at build time."""
    terms = json.loads((project.build / VOCABULARY).read_text(encoding="utf-8"))
    return Vocabulary([Term(**{**t, "alt_labels": tuple(t["alt_labels"]),
                                "measures": tuple(t["measures"])}) for t in terms])
