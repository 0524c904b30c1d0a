"""What a query may do: read only, for a bounded time and a bounded number of rows.

The embedded ladybug database is opened read-only, yet some statements still act outside the
graph (`CHECKPOINT`, `COPY ... TO` a file, `INSTALL` an extension from the network, `LOAD FROM`
a file, `ATTACH` another database). Ad-hoc Cypher is therefore checked against an allow-list:
each statement starts with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or a CALL of a known read
procedure, and names none of the statements above anywhere.

A query runs on a worker thread while this thread waits: after `Limits.timeout` seconds, or
on Ctrl-C, the engine is told to stop and a one-line error is raised; past `Limits.max_rows`
rows the query stops too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from dta_kg.core.errors import DtaKgError

T = TypeVar("T")
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 500_000
READ_PROCEDURES = ("show_tables", "table_info", "show_connection", "db_version",
                   "show_functions", "show_indexes")
_CYPHER_HIDDEN = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/",
                            re.DOTALL)
_STARTS = re.compile(r"\s*(OPTIONAL\s+MATCH|MATCH|WITH|UNWIND|RETURN|CALL)\b", re.IGNORECASE)
_CALL = re.compile(r"\bCALL\s+(\w+)\s*\(", re.IGNORECASE)
_FORBIDDEN = re.compile(r"(?<![\w.$:])(COPY|LOAD|INSTALL|ATTACH|DETACH|CHECKPOINT|EXPORT|IMPORT|"
                        r"USE|CREATE|MERGE|SET|DELETE|REMOVE|DROP|ALTER|BEGIN|COMMIT|ROLLBACK)"
                        r"(?![\w])", re.IGNORECASE)


class ReadOnlyViolation(DtaKgError):
    """A query would change state or reach outside the graph."""


class QueryLimit(DtaKgError):
    """A query ran past its time or row limit, or was interrupted."""


@dataclass(frozen=True)
class Limits:
    """How long a query may run (seconds) and how many rows it may return."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS


def cypher_blank(text: str) -> str:
    """`text` with Cypher strings, quoted names and comments blanked (positions kept)."""
    return _CYPHER_HIDDEN.sub(lambda m: " " * len(m.group()), text)


def check_cypher_read_only(text: str) -> None:
    """Raise ReadOnlyViolation unless every statement of `text` only reads the graph."""
    masked = cypher_blank(text)
    statements = [s for s in masked.split(";") if s.strip()]
    advice = ("the graph is read-only; ad-hoc Cypher may only read: start with MATCH, "
              f"OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL {'/'.join(READ_PROCEDURES)}()")
    if not statements:
        raise ReadOnlyViolation("empty Cypher query; " + advice)
    for statement in statements:
        start = _STARTS.match(statement)
        if not start:
            word = statement.split()[0]
            raise ReadOnlyViolation(f"Cypher statement {word.upper()} is refused; {advice}")
        for call in _CALL.finditer(statement):
            if call.group(1).lower() not in READ_PROCEDURES:
                raise ReadOnlyViolation(f"CALL {call.group(1)} is refused; {advice}")
        if re.match(r"\s*CALL\b", statement, re.IGNORECASE) and not _CALL.match(statement.strip()):
            raise ReadOnlyViolation(f"this CALL is refused; {advice}")
        bad = _FORBIDDEN.search(statement)
        if bad:
            raise ReadOnlyViolation(f"Cypher {bad.group(1).upper()} is refused; {advice}")


def limited(rows: Iterable[T], limits: Limits, stop: threading.Event) -> Iterator[T]:
    """`rows`, ending the query with QueryLimit past `limits.max_rows` or once `stop` is set."""
    for count, row in enumerate(rows, 1):
        if stop.is_set():
            raise QueryLimit("query stopped")
        if count > limits.max_rows:
            raise QueryLimit(f"the query returns more than {limits.max_rows:,} rows; add a LIMIT "
                             "or a narrower pattern, or raise --max-rows")
        yield row


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
        except BaseException as exc:  # handed to the waiting thread, without the frames: they
            cause: BaseException | None = exc  # hold engine objects bound to this thread
            while cause is not None:
                cause.__traceback__ = None
                cause = cause.__cause__ or cause.__context__
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name="dta-kg-query", daemon=True)
    worker.start()
    why = ""
    try:
        if not done.wait(limits.timeout):
            why = (f"the query ran longer than {limits.timeout:g} s and was stopped; narrow it "
                   "or raise --timeout")
    except KeyboardInterrupt:
        why = "the query was interrupted (Ctrl-C)"
    if why:
        stop.set()
        if interrupt is not None:
            interrupt()
        raise QueryLimit(why)
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]
