"""Engine work in a forked child process, so that it ends when the child ends.

Three uses: a user's Cypher query (`in_child`), so that an engine that crashes or aborts on it
ends the child only (ladybug segfaults on some allowed functions given NULL or far dates, and
aborts when an interrupt reaches some path searches; the child opens its own connection, never
one opened before the fork); the SPARQL guard's check, and a user's SPARQL query (`isolated`),
which Oxigraph may evaluate at once and cannot interrupt: stopped with the child at the time
limit rather than left computing on a thread after the caller gave up. Answers come back
pickled over a pipe.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from dta_kg.core.errors import DtaKgError
from dta_kg.query.guards import INTERRUPTED, Limits, QueryLimit, timed_out

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a forked child gave: `kind` "answer" (`answer` holds it), "error" (`detail`, one
    line, "failed: ..." for an unexpected exception), "late" (silent for its limit, killed) or
    "ended" without a word (`detail`: the signal's name or "exit N")."""

    kind: str
    answer: T | None = None
    detail: str = ""


def forked(run: Callable[[], T], limit: float) -> Outcome[T]:
    """`run()` in a forked child, its answer (or its error, as one line) sent back over a pipe;
    a child silent for `limit` seconds, or when the caller is interrupted (Ctrl-C), is killed
    (SIGKILL) and waited for before the interrupt is handed on: no work of it outlives the call."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    parent = os.getpid()
    with _interrupts_recorded() as interrupted:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                with contextlib.suppress(ValueError):  # Ctrl-C is the parent's to act on
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                _die_with(parent)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 2)  # the engine's own last words ("terminate called ...")
                try:
                    outcome: tuple[str, object] = ("answer", run())
                except DtaKgError as exc:
                    outcome = ("error", str(exc))
                except Exception as exc:  # noqa: BLE001 - reported as one line by the parent
                    outcome = ("failed", f"{type(exc).__name__}: {exc}")
                writer.send(outcome)
            except BaseException:  # noqa: BLE001 - the parent reports a child that said nothing
                code = 70
            finally:
                os._exit(code)
        said: tuple[str, object] | None = None
        late = False
        try:
            writer.close()
            deadline = time.monotonic() + limit
            while True:
                interrupted.deliver()  # the caller's handler decides: raise, and the child goes
                left = deadline - time.monotonic()
                if left <= 0:
                    late = True
                    break
                if reader.poll(min(left, POLL)):
                    said = reader.recv()
                    break
        except (EOFError, OSError):
            said = None
        finally:
            reader.close()
            if said is None:  # also when interrupted: the child goes with the call
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
    if said is not None:
        kind, value = said
        if kind == "answer":
            return Outcome("answer", cast(T, value))
        line = str(value).splitlines()[0] if str(value) else ""
        return Outcome("error", detail=line if kind == "error" else f"failed: {line}")
    if late:
        return Outcome("late")
    return Outcome("ended", detail=signal.Signals(os.WTERMSIG(status)).name
                   if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}")


PR_SET_PDEATHSIG = 1
POLL = 0.05  # s between looks at an interrupt while waiting for the child


def _die_with(parent: int) -> None:
    """In the child: be killed when the parent dies (Linux), also by SIGKILL or a closed
    terminal, which give the parent no chance to kill it; a parent gone already ends it now."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(70)


class _Interrupts:
    """Ctrl-C held while a call waits for its child: `deliver` hands a pending one to the
    handler that was there, at a point where the call can still clean up after it."""

    def __init__(self, previous: object) -> None:
        self.previous, self.pending = previous, threading.Event()

    def deliver(self) -> None:
        if self.pending.is_set() and callable(self.previous):
            self.pending.clear()
            self.previous(signal.SIGINT, None)


@contextlib.contextmanager
def _interrupts_recorded() -> Iterator[_Interrupts]:
    """On the main thread, Ctrl-C recorded while the block runs (delivered by the block when it
    can clean up) and sent again, to the handler that was there, if still pending at the end: a
    call interrupted anywhere still reaps its child first. Elsewhere, or with SIGINT ignored,
    there is nothing to hold back."""
    interrupts = _Interrupts(signal.getsignal(signal.SIGINT))
    if threading.current_thread() is not threading.main_thread() or \
            not callable(interrupts.previous):
        yield interrupts
        return
    signal.signal(signal.SIGINT, lambda *_: interrupts.pending.set())
    try:
        yield interrupts
    finally:
        signal.signal(signal.SIGINT, interrupts.previous)
        if interrupts.pending.is_set():
            signal.raise_signal(signal.SIGINT)


def in_child(run: Callable[[], T], timeout: float) -> T:
    """A Cypher query's `run()` in a forked child (`forked`); a child killed by a signal, or
    silent for twice `timeout` plus a minute (the query bounds itself by `timeout`), is a
    DtaKgError."""
    outcome = forked(run, 2 * timeout + 60)
    if outcome.kind == "answer":
        return cast(T, outcome.answer)
    if outcome.kind == "error":
        raise DtaKgError(f"Cypher query {outcome.detail}" if outcome.detail.startswith("failed: ")
                         else outcome.detail or "Cypher query failed")
    if outcome.kind == "late" or not outcome.detail.startswith("exit "):
        raise DtaKgError(f"the Cypher engine crashed on this query ({outcome.detail or 'SIGKILL'}); "
                         "the database is unchanged: rewrite the query (a function given NULL, a "
                         "date out of range, or a search stopped by --timeout)")
    raise DtaKgError(f"the Cypher engine ended without an answer ({outcome.detail})")


def isolated(run: Callable[[], T], limits: Limits) -> T:
    """`run()`, a query that ends with QueryLimit past its row limit, in a forked child killed
    at `limits.timeout` or on Ctrl-C; its limits are raised as `guards.bounded` raises them."""

    def child() -> tuple[str, object]:
        try:
            return "result", run()
        except QueryLimit as exc:
            return "limit", str(exc)

    try:
        outcome = forked(child, limits.timeout)
    except KeyboardInterrupt:
        raise QueryLimit(INTERRUPTED) from None
    if outcome.kind == "late":
        raise QueryLimit(timed_out(limits))
    if outcome.kind == "error":
        raise DtaKgError(outcome.detail.removeprefix("failed: ") or "the query failed")
    if outcome.kind != "answer" or outcome.answer is None:
        raise DtaKgError(f"the query engine ended without an answer ({outcome.detail})")
    kind, value = outcome.answer
    if kind == "limit":
        raise QueryLimit(str(value))
    return cast(T, value)
