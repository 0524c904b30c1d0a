"""`query.child.forked`: work in a forked child that never outlives the call."""

from __future__ import annotations

import os
import signal
import time

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
