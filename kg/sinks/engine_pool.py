"""The query engines behind `dta-kg serve`: worker processes, each with the store read-only.

A query runs in a worker process, never in the server's own: past its time limit the worker is
killed (SIGKILL), which stops the engine's work at once, and a fresh one takes its place. Each
worker checks the query with the same parsed guard as the command line (`sparql_guard`), runs
it, and hands back the serialised answer, at most `max_answer` bytes. On Linux a worker first
moves into network namespaces of its own when the kernel lets an unprivileged process do so:
then even a query that got past the guard could reach no other host or local port (unless the
user allowed SERVICE).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import multiprocessing
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.query.guards import ReadOnlyViolation
from dta_kg.query.sparql_guard import check_sparql

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
SOLUTIONS = {"json": ("application/sparql-results+json", pyoxigraph.QueryResultsFormat.JSON),
             "xml": ("application/sparql-results+xml", pyoxigraph.QueryResultsFormat.XML),
             "csv": ("text/csv; charset=utf-8", pyoxigraph.QueryResultsFormat.CSV),
             "tsv": ("text/tab-separated-values; charset=utf-8", pyoxigraph.QueryResultsFormat.TSV)}
GRAPHS = {"turtle": ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
          "ntriples": ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
          "rdfxml": ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML)}
_ACCEPTS = (("sparql-results+xml", "xml"), ("text/csv", "csv"), ("tab-separated", "tsv"),
            ("n-triples", "ntriples"), ("rdf+xml", "rdfxml"), ("application/xml", "xml"))


@dataclass(frozen=True)
class Job:
    """One query: its text, the client's Accept header and the dataset it names."""

    text: str
    accept: str = ""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class AnswerTooLarge(Exception):
    """The serialised answer passed the size limit."""


class _Capped(io.BytesIO):
    """An in-memory binary file that refuses to grow past `limit` bytes."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise AnswerTooLarge
        return super().write(data)


def wanted(accept: str, kinds: dict[str, Any], default: str) -> str:
    """The format of `kinds` that the Accept header asks for first, else `default`."""
    accept = accept.lower()
    hits = [(accept.find(needle), kind) for needle, kind in _ACCEPTS
            if kind in kinds and needle in accept]
    return min(hits)[1] if hits else default


def isolate_network() -> bool:
    """Move this (single-threaded) process into new user and network namespaces, where only
    its own loopback exists; False where the platform refuses."""
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0
    return False


def answer(store: pyoxigraph.Store, job: Job, allow_service: bool, max_answer: int) -> Answer:
    """Check and run `job` on `store`; its answer serialised as the client asked."""
    try:
        check_sparql(job.text, allow_service)
    except ReadOnlyViolation as exc:
        return Answer(403, "text/plain; charset=utf-8", f"{exc}\n".encode())
    dataset: dict[str, Any] = {}
    try:
        if job.default_graphs:
            dataset["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
        if job.named_graphs:
            dataset["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    except ValueError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"not a graph IRI: {exc}\n".encode())
    sink = _Capped(max_answer)
    try:
        result = store.query(job.text, **dataset)
        if isinstance(result, pyoxigraph.QueryTriples):
            ctype, rdf_format = GRAPHS[wanted(job.accept, GRAPHS, "turtle")]
            result.serialize(sink, format=rdf_format)
        else:
            ctype, results_format = SOLUTIONS[wanted(job.accept, SOLUTIONS, "json")]
            result.serialize(sink, format=results_format)
    except SyntaxError as exc:
        return Answer(400, "text/plain; charset=utf-8",
                      f"malformed SPARQL query: {' '.join(str(exc).split())[:300]}\n".encode())
    except AnswerTooLarge:
        return Answer(413, "text/plain; charset=utf-8",
                      f"the answer is larger than {max_answer:,} bytes; add a LIMIT or a "
                      "narrower pattern\n".encode())
    except (OSError, RuntimeError, ValueError) as exc:
        return Answer(500, "text/plain; charset=utf-8",
                      f"the query failed: {' '.join(str(exc).split())[:300]}\n".encode())
    return Answer(200, ctype, sink.getvalue())


def die_with_parent() -> None:
    """Exit when the server process is gone, even in the middle of a query, so no engine
    lingers (a thread watching the parent: PR_SET_PDEATHSIG follows the spawning thread)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, name="dta-kg-parent-watch", daemon=True).start()


def work(location: str, allow_service: bool, max_answer: int, jobs: Connection) -> None:
    """A worker's life: isolate itself, open the store, answer jobs until the pipe closes."""
    if not allow_service:
        isolate_network()  # while the process has one thread, as unshare needs
    die_with_parent()
    store = pyoxigraph.Store.read_only(location)
    jobs.send("ready")
    while True:
        try:
            job = jobs.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job, allow_service, max_answer)
        except Exception as exc:  # noqa: BLE001 - any failure is the client's answer, not a crash
            reply = Answer(500, "text/plain; charset=utf-8",
                           f"the query failed: {type(exc).__name__}\n".encode())
        jobs.send(reply)


class _Worker:
    def __init__(self, context: Any, location: str, allow_service: bool, max_answer: int):
        self.pipe, child = multiprocessing.Pipe()
        self.process = context.Process(target=work, args=(location, allow_service, max_answer,
                                                          child), daemon=True)
        self.process.start()
        child.close()

    def ready(self, wait: float) -> bool:
        return self.pipe.poll(wait) and self.pipe.recv() == "ready"

    def kill(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()
            self.process.join(5)
            self.pipe.close()


class EnginePool:
    """`size` worker processes over the store at `location`; `run(job)` answers one query
    within `timeout` seconds, or kills its worker, starts another and answers 503."""

    def __init__(self, location: str, size: int, timeout: float, allow_service: bool = False,
                 max_answer: int = 256 * 1024 * 1024, startup: float = 60.0):
        self.location, self.timeout, self.allow_service = location, timeout, allow_service
        self.max_answer, self.startup = max_answer, startup
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.closed = False
        workers = [self._spawn() for _ in range(size)]
        for worker in workers:
            if not worker.ready(startup):
                for other in workers:
                    other.kill()
                raise DtaKgError("a query engine process did not start")
            self.idle.put(worker)

    def _spawn(self) -> _Worker:
        return _Worker(self.context, self.location, self.allow_service, self.max_answer)

    def _replace(self) -> None:
        """Start a worker in place of a killed one, off the request's thread."""
        def start() -> None:
            worker = self._spawn()
            if worker.ready(self.startup) and not self.closed:
                self.idle.put(worker)
            else:
                worker.kill()

        threading.Thread(target=start, name="dta-kg-engine-start", daemon=True).start()

    def run(self, job: Job) -> Answer:
        worker = self.idle.get()
        try:
            worker.pipe.send(job)
            if worker.pipe.poll(self.timeout):
                result = worker.pipe.recv()
                self.idle.put(worker)
                return result
        except (EOFError, OSError):  # the worker died (a crash in the engine)
            worker.kill()
            self._replace()
            return Answer(500, "text/plain; charset=utf-8", b"the query engine failed on this "
                          b"query; it was restarted\n")
        worker.kill()
        self._replace()
        return Answer(503, "text/plain; charset=utf-8",
                      f"the query ran longer than {self.timeout:g} s and was stopped; narrow it "
                      "or ask for a LIMIT\n".encode())

    def close(self) -> None:
        self.closed = True
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return
