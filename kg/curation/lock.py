"""The curators' lock on a records folder: one writer at a time, whoever and wherever they are.

On Linux and macOS the lock is an exclusive `flock` on the records directory itself. No file
is created (curators diff that folder and the tests compare it byte for byte), the lock
belongs to the directory's inode, so every OS user and every spelling of its path (a symlink,
a relative path, a bind mount) shares it, and the kernel releases it when its holder dies,
even by SIGKILL. Windows has no `flock`: there the lock is a `filelock` file beside the
records folder (never inside it), named by the folder's real path.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from dta_kg.core.errors import DtaKgError

if sys.platform != "win32":
    import fcntl

POLL = 0.05  # seconds between two tries while another curator holds the lock


class LockBusy(DtaKgError):
    """Another curator (or terminal) holds the records' lock for too long."""


def busy(records: Path) -> LockBusy:
    return LockBusy(f"{records}: another curator is writing (they hold this folder's lock); "
                    "try again when they are done")


class LockUnavailable(DtaKgError):
    """The records folder cannot be locked (unreadable, or on a file system without locks)."""


def records_lock(records: Path, timeout: float) -> AbstractContextManager[None]:
    """Hold the curators' lock of `records` (an existing folder) for the `with` block; wait
    up to `timeout` seconds for another holder, then raise `LockBusy`."""
    if sys.platform == "win32":
        return sibling_file_lock(records, timeout)
    return directory_flock(records, timeout)


@contextmanager
def directory_flock(records: Path, timeout: float) -> Iterator[None]:
    """An exclusive flock on the directory `records` (POSIX)."""
    try:
        fd = os.open(records, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise LockUnavailable(f"{records}: cannot open the records folder to lock it "
                              f"({exc.strerror}); give every curator read and write access "
                              "to it") from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise LockUnavailable(
                        f"{records}: cannot lock the records folder ({exc.strerror}); keep it "
                        "on a file system that supports flock (a local disk, or a group "
                        "drive mounted with locking)") from None
                if time.monotonic() >= deadline:
                    raise busy(records) from None
                time.sleep(POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)  # also for a forked child still holding the fd
    finally:
        os.close(fd)


def sibling_lock_file(records: Path) -> Path:
    """The fallback's lock file: beside the records folder, named after its real path."""
    real = Path(os.path.realpath(records))
    return real.parent / f".{real.name}.dta-kg.lock"


@contextmanager
def sibling_file_lock(records: Path, timeout: float) -> Iterator[None]:
    """The fallback where `fcntl` does not exist (Windows): a `filelock` on a file beside
    the records folder, so that it is still never inside it."""
    # lazy: only the Windows fallback uses filelock (~8 ms); elsewhere fcntl does the locking
    from filelock import FileLock, Timeout

    lock = FileLock(sibling_lock_file(records), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise busy(records) from None
    try:
        yield
    finally:
        lock.release()
