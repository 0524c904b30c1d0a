"""`query.child.forked`: work in a forked child that never outlives the call."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

import psutil
import pytest

from dta_kg.core.errors import DtaKgError
from dta_kg.query.child import forked, in_child


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_an_answer_an_error_and_an_unexpected_exception_come_back_as_one_line():
    before = _children()
    assert forked(lambda: {"rows": [1, 2]}, 10).answer == {"rows": [1, 2]}

    def refuse() -> None:
        raise DtaKgError("no such study\nsecond line")

    def crash() -> None:
        raise ValueError("bad value")

    assert forked(refuse, 10).kind == "error" and forked(refuse, 10).detail == "no such study"
    assert forked(crash, 10).detail == "failed: ValueError: bad value"
    with pytest.raises(DtaKgError, match="^Cypher query failed: ValueError: bad value$"):
        in_child(crash, 10)
    assert _children() <= before


def test_a_child_silent_past_its_limit_is_killed_and_waited_for():
    before = _children()
    started = time.monotonic()
    outcome = forked(lambda: time.sleep(60), 0.5)
    assert outcome.kind == "late" and time.monotonic() - started < 5
    assert _children() <= before


def test_a_child_ended_by_a_signal_is_named():
    outcome = forked(lambda: os.kill(os.getpid(), signal.SIGKILL), 10)
    assert (outcome.kind, outcome.detail) == ("ended", "SIGKILL")
    with pytest.raises(DtaKgError, match=r"crashed on this query \(SIGKILL\)"):
        in_child(lambda: os.kill(os.getpid(), signal.SIGKILL), 10)


def test_an_interrupted_call_takes_its_child_with_it():
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    before = _children()
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            forked(lambda: time.sleep(60), 30)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _children() <= before


def test_the_child_dies_with_a_parent_killed_outright():
    """Attack: a parent killed by SIGKILL (or SIGHUP: a closed terminal) cannot kill its child,
    which went on computing at full CPU. Expected: the child is killed with its parent."""
    parent = subprocess.Popen([sys.executable, "-c", "from dta_kg.query.child import forked\n"
                               "forked(lambda: [0 for _ in iter(int, 1)], 600)"])
    try:
        deadline = time.monotonic() + 30
        while not (children := psutil.Process(parent.pid).children()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert children
        parent.kill()
        parent.wait()
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
    finally:
        parent.kill()


def test_interrupts_during_the_cleanup_leave_no_child():
    """Attack: a second Ctrl-C, or one arriving while the child was being reaped, left the
    child computing or a zombie. Expected: whenever two SIGINTs come, the call still reaps its
    child, and the handler that was there gets each of them once the call is over."""
    seen: list[int] = []

    def send(delay: float) -> None:
        for _ in range(2):
            time.sleep(delay)
            os.kill(os.getpid(), signal.SIGINT)

    def interrupt(_: int, frame: FrameType | None) -> None:
        """Ctrl-C as Python's own handler gives it, but only inside `forked`, whose leftovers
        this test looks for (not in the test's own lines)."""
        seen.append(1)
        while frame is not None:
            if frame.f_code is forked.__code__:
                raise KeyboardInterrupt
            frame = frame.f_back

    before = _children()
    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        for i in range(60):
            sender = threading.Thread(target=send, args=(0.0004 * i,))
            sender.start()
            for _ in range(2):
                with contextlib.suppress(KeyboardInterrupt):
                    forked(lambda: time.sleep(0.01), 30)
            sender.join()
        time.sleep(0.1)  # a signal sent last is handled here
    finally:
        signal.signal(signal.SIGINT, previous)
    assert _children() <= before
    assert len(seen) >= 60  # (two signals in one call's wait are one interrupt)


def test_a_ctrl_c_the_caller_ignores_leaves_the_work_running():
    """Attack: with SIGINT ignored (nohup, a background job) or handled without raising, a
    Ctrl-C still killed the child and the call failed. Expected: the work goes on and answers;
    a handler that does not raise is still called."""
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda *_: seen.append(1))
    try:
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
        assert forked(lambda: (time.sleep(0.6), 7)[1], 10).answer == 7
        assert seen == [1]
    finally:
        signal.signal(signal.SIGINT, previous)
    code = ("import os, signal, threading, time\nfrom dta_kg.query.child import forked\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "threading.Timer(0.3, os.killpg, (os.getpgid(0), signal.SIGINT)).start()\n"
            "print(forked(lambda: (time.sleep(1), 'done')[1], 10).answer)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, start_new_session=True)
    assert done.stdout.split() == ["done"], done.stdout + done.stderr
