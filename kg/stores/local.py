"""The local query stores in build/, opened read-only and rebuilt first when they are stale."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, cast

import pyoxigraph

from dta_kg.core.files import io_problem, make_folder, owning
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import Triple, plain_term
from dta_kg.core.vocabulary import Term, Vocabulary
from dta_kg.pipeline.manifest import (
    LADYBUG,
    LADYBUG_FILE,
    OXIGRAPH,
    VOCABULARY,
    files_fresh,
    is_fresh,
)
from dta_kg.pipeline.store_writer import BUFFER_POOL

if TYPE_CHECKING:
    import ladybug


def ensure_fresh(project: Project, notify: Callable[[str], None] | None = None) -> None:
    """Rebuild the graph and its stores when the records or ontology changed since the build."""
    if is_fresh(project):
        return
    # lazy: filelock (~8 ms) and the build (~24 ms) are needed only when the stores are stale
    from filelock import FileLock

    from dta_kg.pipeline.build import build

    try:
        with owning(project.build):
            make_folder(project.build, parents=True)
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
        # lazy: filelock (~8 ms) and the build (~24 ms) are needed only when the files are stale
        from filelock import FileLock

        from dta_kg.pipeline.build import build

        with FileLock(project.build / ".build.lock"):
            if not files_fresh(project):
                if notify:
                    notify(f"dta-kg: the graph files in {project.build} predate curators' "
                           "writes; rebuilding the graph first")
                build(project)


def sparql_store(project: Project) -> pyoxigraph.Store:
    """The Oxigraph store, opened read-only."""
    return pyoxigraph.Store.read_only(str(project.build / OXIGRAPH))


def store_triples(store: pyoxigraph.Store) -> Iterator[Triple]:
    """Every triple of an Oxigraph store as plain terms (see dta_kg.core.rdfterms)."""
    return ((cast(str, plain_term(q.subject)), q.predicate.value, plain_term(q.object))
            for q in store.quads_for_pattern(None, None, None))


def cypher_connection(project: Project) -> ladybug.Connection:
    """A connection to the ladybug database, opened read-only, its buffer pool sized to the
    database (see `dta_kg.pipeline.store_writer.BUFFER_POOL`)."""
    # lazy: ladybug loads ~35 ms, and SPARQL-only commands never open the Cypher database
    import ladybug

    path = project.build / LADYBUG / LADYBUG_FILE
    pool = max(BUFFER_POOL, 2 * path.stat().st_size) if path.exists() else BUFFER_POOL
    db = ladybug.Database(str(path), read_only=True, buffer_pool_size=pool)
    return ladybug.Connection(db)


# Above this size of the property graph (about 15,000 studies) its engine answers the
# `studies` question faster than Oxigraph: at 100,000 studies 0.4 s against 1.2 s of CPU time.
# Below it Oxigraph answers first, as ladybug takes a tenth of a second to load and open.
LARGE_GRAPH_BYTES = 64 * 1024 * 1024


def fastest_language(project: Project) -> str:
    """The query language that answers the `studies` question faster on this project's stores:
    cypher for a large graph, sparql otherwise (they answer the same rows)."""
    try:
        size = (project.build / LADYBUG / LADYBUG_FILE).stat().st_size
    except OSError:
        return "sparql"
    return "cypher" if size > LARGE_GRAPH_BYTES else "sparql"


def vocabulary(project: Project) -> Vocabulary:
    """The controlled vocabulary cached at build time."""
    terms = json.loads((project.build / VOCABULARY).read_text(encoding="utf-8"))
    return Vocabulary([Term(**{**t, "alt_labels": tuple(t["alt_labels"]),
                                "measures": tuple(t["measures"])}) for t in terms])


class FreshnessCheck:
    """`is_fresh(project)`, worked out beside the caller; `result()` waits for the answer.

    It stats every input file: at 100,000 records about half a second, most of it in Python,
    which on a thread would hold the interpreter lock that a query reading rows needs as well.
    On Linux, in a process without other threads, it therefore runs in a forked child process,
    which shares nothing with the query and writes one byte back; elsewhere on a thread. A child
    that fails leaves the check to this process, so its error is raised here as it would be."""

    def __init__(self, project: Project):
        self.project = project
        self._answer: bool | None = None
        self._pipe: int | None = None
        self._child = 0
        self._thread_result: dict[str, object] = {}
        if sys.platform.startswith("linux") and threading.active_count() == 1:
            self._fork()
        if self._pipe is None:
            self._thread = threading.Thread(target=self._on_thread, name="dta-kg-freshness",
                                            daemon=True)
            self._thread.start()

    def _fork(self) -> None:
        read, write = os.pipe()
        try:
            child = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if child == 0:  # the child: answer, then leave at once (no cleanup of the parent's)
            code = b"E"
            try:
                os.close(read)
                code = b"1" if is_fresh(self.project) else b"0"
            except BaseException:  # noqa: BLE001 (the parent runs the check again and raises)
                pass
            finally:
                try:
                    os.write(write, code)
                finally:
                    os._exit(0)
        os.close(write)
        self._pipe, self._child = read, child

    def _on_thread(self) -> None:
        try:
            self._thread_result["value"] = is_fresh(self.project)
        except BaseException as exc:  # noqa: BLE001 (raised by result())
            self._thread_result["error"] = exc

    def __del__(self) -> None:
        """A check never asked for its answer (a refused query, a session left unused) reaps
        its child: a long-lived process would gather a zombie and a pipe per session."""
        if self._pipe is not None:
            with contextlib.suppress(ChildProcessError):
                self._reap(kill=True)

    def _reap(self, kill: bool) -> None:
        """Close the pipe from the child and wait for it, killed first when its answer is not
        wanted (it only stats files)."""
        assert self._pipe is not None
        os.close(self._pipe)
        self._pipe = None
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._child, signal.SIGKILL)
        os.waitpid(self._child, 0)

    def result(self) -> bool:
        if self._answer is not None:
            return self._answer
        if self._pipe is not None:
            try:
                code = os.read(self._pipe, 1)
            finally:
                self._reap(kill=False)
            self._answer = is_fresh(self.project) if code not in (b"0", b"1") else code == b"1"
            return self._answer
        self._thread.join()
        if "error" in self._thread_result:
            raise self._thread_result["error"]  # type: ignore[misc]
        self._answer = bool(self._thread_result["value"])
        return self._answer
