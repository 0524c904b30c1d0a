"""How long a query may run and how many rows it may return.

What a query may do is decided on its parse (`sparql_guard`, `cypher_guard`). A query runs
on a worker thread while this thread waits: after `Limits.timeout` seconds, or on Ctrl-C, the
engine is told to stop and a one-line error is raised; past `Limits.max_rows` rows the query
stops too.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from dta_kg.core.errors import DtaKgError

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 500_000


class ReadOnlyViolation(DtaKgError):
    """A query would change state or reach outside the graph."""


MAX_NESTING = 200  # brackets a query may open inside brackets; the catalogue's deepest is ~6
NESTING_REFUSED = ("the query nests brackets ( {{ [ more than {limit} deep; write it flatter "
                   "(the parsers' stacks end far sooner than a real query needs)")


class QueryLimit(DtaKgError):
    """A query ran past its time or row limit, or was interrupted."""


@dataclass(frozen=True)
class Limits:
    """How long a query may run (seconds) and how many rows it may return."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS


def limited(rows: Iterable[T], limits: Limits, stop: threading.Event) -> Iterator[T]:
    """`rows`, ending the query with QueryLimit past `limits.max_rows` or once `stop` is set."""
    for count, row in enumerate(rows, 1):
        if stop.is_set():
            raise QueryLimit("query stopped")
        if count > limits.max_rows:
            raise row_limit(limits)
        yield row


def row_limit(limits: Limits) -> QueryLimit:
    """The error of an answer longer than `limits.max_rows`."""
    return QueryLimit(f"the query returns more than {limits.max_rows:,} rows; add a LIMIT "
                      "or a narrower pattern, or raise --max-rows")


def _detached(exc: BaseException) -> BaseException:
    """`exc` without its frames, to be raised on another thread: they hold engine objects
    bound to the thread that ran the query."""
    cause: BaseException | None = exc
    while cause is not None:
        cause.__traceback__ = None
        cause = cause.__cause__ or cause.__context__
    return exc


def timed_out(limits: Limits) -> str:
    return (f"the query ran longer than {limits.timeout:g} s and was stopped; narrow it "
            "or raise --timeout")


INTERRUPTED = "the query was interrupted (Ctrl-C)"


def bounded(run: Callable[[threading.Event], T], limits: Limits,
            interrupt: Callable[[], None] | None = None) -> T:
    """`run(stop)` on a worker thread, stopped after `limits.timeout` seconds or on Ctrl-C
    (`stop` is set and `interrupt` called, which tells the engine to stop); its result or error.
    """
    stop = threading.Event()
    done = threading.Event()
    outcome: dict[str, object] = {}

    def work() -> None:
        try:
            outcome["value"] = run(stop)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = _detached(exc)
        finally:
            done.set()

    worker = threading.Thread(target=work, name="dta-kg-query", daemon=True)
    worker.start()
    why = ""
    try:
        if not done.wait(limits.timeout):
            why = timed_out(limits)
    except KeyboardInterrupt:
        why = INTERRUPTED
    if why:
        stop.set()
        if interrupt is not None:
            interrupt()
        raise QueryLimit(why)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


STREAM_BUFFER = 1024  # rows a worker may run ahead of the writer


def bounded_stream(start: Callable[[threading.Event], tuple[list[str], Iterable[T]]],
                   limits: Limits) -> tuple[list[str], Iterator[T], Callable[[], None]]:
    """`start(stop)` on a worker thread, which answers the columns and an iterable of rows.
    Returns the columns; the rows, handed over one by one as the worker reads them, so a caller
    can write the first before the last is read; and a function that stops the worker early.
    The whole, until the last row is handed over, is bounded as `bounded` bounds a query: after
    `limits.timeout` seconds or on Ctrl-C the worker is told to stop and QueryLimit is raised;
    an error of the worker is raised here."""
    stop = threading.Event()
    handed: queue.Queue = queue.Queue(STREAM_BUFFER)
    deadline = time.monotonic() + limits.timeout

    def put(item: tuple[str, object]) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            columns, rows = start(stop)
            if not put(("columns", columns)):
                return
            for row in rows:
                if not put(("row", row)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the waiting thread
            put(("error", _detached(exc)))

    def take() -> tuple[str, object]:
        try:
            kind, value = handed.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            stop.set()
            raise QueryLimit(timed_out(limits)) from None
        except KeyboardInterrupt:
            stop.set()
            raise QueryLimit(INTERRUPTED) from None
        if kind == "error":
            stop.set()
            raise value
        return kind, value

    def rows() -> Iterator[T]:
        try:
            while True:
                kind, value = take()
                if kind == "end":
                    return
                yield value  # type: ignore[misc]
        finally:
            stop.set()  # the reader left early (an error, a closed pipe): the worker stops

    threading.Thread(target=work, name="dta-kg-query", daemon=True).start()
    kind, columns = take()
    return columns, rows(), stop.set  # type: ignore[return-value]
