"""Starting a `dta-kg` command as a process of its own and reading its output."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
import time

from dta_kg.core.paths import Project


def start_cli(project: Project, *args: str) -> subprocess.Popen:
    """`dta-kg ARGS` on `project`, with text pipes for its output."""
    env = {**os.environ, "DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build)}
    return subprocess.Popen([sys.executable, "-c", "from dta_kg.cli import main; main()", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    """Standard output of `proc` up to the line holding `marker` (read in a thread)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    seen, deadline = "", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(queue.Empty):
            seen += lines.get(timeout=0.5)
    assert marker in seen, seen + (proc.stderr.read() if proc.poll() is not None else "")
    return seen


def stop(proc: subprocess.Popen) -> None:
    """Kill `proc` by its PID if it still runs, and close its pipes."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(10)
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()
