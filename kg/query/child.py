"""Engine work in a forked child process, so that it ends when the child ends.

Two uses: a user's Cypher query (`in_child`), so that an engine that crashes or aborts on it
ends the child only (ladybug segfaults on some allowed functions given NULL or far dates, and
aborts when an interrupt reaches some path searches; the child opens its own connection, never
one opened before the fork); and work that cannot be interrupted, such as Oxigraph evaluating
a query eagerly (`forked`), which is stopped with its child at its time limit rather than left
computing on a thread after the caller gave up. Answers come back pickled over a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from dta_kg.core.errors import DtaKgError

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
    a child silent for `limit` seconds, or when the caller is interrupted, is killed (SIGKILL)
    and waited for, so no work of it outlives this call."""
    reader, writer = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
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
    writer.close()
    said: tuple[str, object] | None = None
    late = False
    try:
        if reader.poll(limit):
            said = reader.recv()
        else:
            late = True
    except (EOFError, OSError):
        said = None
    finally:
        reader.close()
        if said is None:  # also when interrupted (Ctrl-C): the child goes with the call
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
