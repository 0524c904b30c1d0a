"""Run a query in a forked child process, so that an engine that crashes or aborts on it ends
the child only: ladybug segfaults on some allowed functions given NULL or far dates, and aborts
when an interrupt (--timeout) reaches some path searches. The child opens its own connection
(never one opened before the fork), and its answer comes back pickled over a pipe."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from typing import TypeVar, cast

from dta_kg.core.errors import DtaKgError

T = TypeVar("T")


def in_child(run: Callable[[], T], timeout: float) -> T:
    """`run()` in a forked child, its answer (or its error, as one line) sent back over a pipe;
    a child killed by a signal, or silent for twice `timeout` plus a minute, is a DtaKgError."""
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
                outcome = ("error", f"Cypher query failed: {type(exc).__name__}: {exc}")
            writer.send(outcome)
        except BaseException:  # noqa: BLE001 - the parent reports a child that said nothing
            code = 70
        finally:
            os._exit(code)
    writer.close()
    answer: tuple[str, object] | None
    try:
        answer = reader.recv() if reader.poll(2 * timeout + 60) else None
    except (EOFError, OSError):
        answer = None
    finally:
        reader.close()
    if answer is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if answer is None:
        if os.WIFSIGNALED(status):
            name = signal.Signals(os.WTERMSIG(status)).name
            raise DtaKgError(f"the Cypher engine crashed on this query ({name}); the database is "
                             "unchanged: rewrite the query (a function given NULL, a date out "
                             "of range, or a search stopped by --timeout)")
        raise DtaKgError(f"the Cypher engine ended without an answer (exit "
                         f"{os.WEXITSTATUS(status)})")
    kind, value = answer
    if kind == "error":
        raise DtaKgError(str(value).splitlines()[0] if str(value) else "Cypher query failed")
    return cast(T, value)  # what `run` returned, unpickled
