"""Writing files and folders so that readers never see half of one."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from dta_kg.core.errors import OutputError


def io_problem(path: Path | str, exc: OSError, verb: str = "cannot write") -> OutputError:
    """An OSError while writing `path` as a one-line error saying what would fix it."""
    fixes = {errno.ENOSPC: "free some disk space and run the command again",
             errno.EDQUOT: "free some disk space and run the command again",
             errno.EACCES: "make it writable or choose another path",
             errno.EPERM: "make it writable or choose another path",
             errno.EROFS: "the file system is read-only; choose another path",
             errno.ENOTDIR: "a part of the path is a file, not a folder"}
    fix = fixes.get(exc.errno or 0, "check the path")
    where = exc.filename or path
    return OutputError(f"{where}: {verb} ({exc.strerror or exc}); {fix}")


def output_target(path: Path, protected: Iterable[Path] = (), *, folder: bool = False) -> Path:
    """The path to write for the output `path`, after refusing what must not be written.

    A symlink is followed: the file it names is written, the link itself is never replaced.
    Refused: an existing path that is not a regular file (a device such as /dev/null, a
    pipe, a socket; for `folder`, anything but a folder) and any path in or over a `protected`
    folder (the curated records)."""
    target = path.resolve() if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise io_problem(path, exc) from exc
    if mode is not None:
        if folder and not stat.S_ISDIR(mode):
            raise OutputError(f"{path}: exists and is not a folder; give a new or existing folder")
        if not folder and not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OutputError(f"{path}: is {kind}; give the name of a regular file to write")
    real = target.resolve()
    for guarded in protected:
        home = guarded.resolve()
        if real == home or real.is_relative_to(home):
            raise OutputError(f"{path}: is inside the records folder {guarded}; write outputs "
                              "elsewhere (records are changed only by the curator commands)")
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so readers never see half a file. A symlink is
    written through; an OSError (full disk, no permission) becomes an OutputError."""
    if path.is_symlink():
        path = path.resolve()
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)  # not mkstemp's 600
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise io_problem(path, exc) from exc
        raise


def replace_dir(target: Path, fill: Callable[[Path], None]) -> None:
    """Fill a new folder beside `target`, then swap it in for `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-new-"))
    try:
        fill(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    old = target.with_name(f".{target.name}-old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(fresh, target)
    shutil.rmtree(old, ignore_errors=True)


JOURNAL = ".dta-kg-journal.json"


def _staged_copy(path: Path, data: bytes) -> Path:
    """`data` written and synced to a hidden temporary file beside `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def commit_files(folder: Path, files: dict[Path, bytes]) -> None:
    """Write every file of `files` (all below `folder`) or, after a crash, none of them.

    Each file is staged beside its target; then a journal naming the pairs is written and
    renamed into place (the commit point); then the staged files are moved over their targets
    and the journal removed. A crash before the commit point leaves hidden temporary files that
    the next writer removes; after it, `recover_journal` (run by the next command) completes
    the moves."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_staged_copy(path, data), path))
        pairs = [[str(tmp.relative_to(folder)), str(path.relative_to(folder))]
                 for tmp, path in staged]
        write_atomic(folder / JOURNAL, json.dumps(pairs).encode())
    except BaseException as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise io_problem(folder, exc) from exc
        raise
    recover_journal(folder)


def recover_journal(folder: Path) -> bool:
    """Complete the moves of a committed journal in `folder`, if there is one; True if so."""
    journal = folder / JOURNAL
    try:
        pairs = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise OutputError(f"{journal}: unreadable journal of an interrupted write ({exc}); "
                          "check the records it names, then delete it") from exc
    try:
        for tmp, target in pairs:
            if (folder / tmp).exists():
                os.replace(folder / tmp, folder / target)
        journal.unlink(missing_ok=True)
    except OSError as exc:
        raise io_problem(folder, exc) from exc
    return True
