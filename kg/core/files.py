"""The one writer: every file and folder a dta-kg command writes goes through this module.

Its rules hold for every spelling of a path, because they are decided on what the path is on
disk, not on its text:

* Nothing is written into, over or above a guarded folder: the records folder in use and the
  build's stores (`guarded`). A path is compared with each guard by its real path and by
  device and inode, up the whole chain of parent folders, so `..`, a symlinked parent, a bind
  mount or another letter case on a case-insensitive disk name the same folder. Only the room
  that owns a guarded folder writes inside it (`owning`: the build, the curators' transaction).
* A symlink at an output path is refused, never followed; an output folder is swapped whole,
  never written into, so a symlink planted inside one is never followed either.
* A file is written to a temporary file beside its target and renamed over it; a folder is
  filled beside its target and swapped in. A failure or a full disk leaves the old output or
  none, and no temporary file.
* A folder is replaced only when it is empty or holds nothing but what dta-kg wrote there: a
  `MARKER` file lists those files, and the old output is removed by that list. Anything else in
  the folder stops the command with a one-line error.
* A missing parent folder is an error unless the caller asks for it (`parents`); folders made
  for a write that then fails are removed again.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

from dta_kg.core.errors import OutputError
from dta_kg.core.limits import JOURNAL_BYTES, load_json, read_bytes
from dta_kg.core.output_paths import (  # noqa: F401  (guards re-exported: one place to import)
    MARKER,
    check_file,
    check_folder,
    guarded,
    guarding,
    io_problem,
    old_output,
    open_place,
    owning,
    records_guard,
)

T = TypeVar("T")


# --- files ---------------------------------------------------------------------------------


def _temp_name(name: str, kind: str) -> str:
    return f".{name}.{kind}-{secrets.token_hex(6)}"


OLD = ".old"  # an old output folder's name inside the private folder, while it is swapped


def _by_fd(fd: int, path: str) -> str:
    """The folder open as `fd` by that descriptor (Linux's /proc/self/fd): a name swapped for
    a symlink in its parent meanwhile is never followed; elsewhere, by its `path`. (Only this
    process can use the first: never hand it to another program.)"""
    by_fd = f"/proc/self/fd/{fd}"
    return by_fd if os.path.isdir(by_fd) else path


def write_file(path: Path, produce: Callable[[Path], object], *, parents: bool = False) -> None:
    """Write the file `path`: `produce` writes it at a temporary path in a private folder
    beside `path`, then it is synced and renamed over `path`. An OSError becomes an
    OutputError; a failure leaves `path` as it was and nothing else behind."""
    place = open_place(path, folder=False, parents=parents)
    private = _temp_name(place.name, "new")
    failed = True
    try:
        os.mkdir(private, 0o700, dir_fd=place.fd)
        held = os.open(private, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                       dir_fd=place.fd)
        try:
            staged = Path(_by_fd(held, os.path.join(place.parent, private)), place.name)
            produce(staged)
            with open(staged, "rb") as done:
                os.fsync(done.fileno())
            keep = os.stat(place.name, dir_fd=place.fd).st_mode & 0o777 if place.exists else 0o644
            os.chmod(staged, keep)
            os.replace(place.name, place.name, src_dir_fd=held, dst_dir_fd=place.fd)
        finally:
            _empty_and_close(held)
            with contextlib.suppress(OSError):  # gone or swapped: nothing of ours left there
                os.rmdir(private, dir_fd=place.fd)
        failed = False
    except OSError as exc:
        raise io_problem(path, exc) from exc
    finally:
        place.close(failed)


def _empty_and_close(fd: int) -> None:
    """Remove what a write left in the private folder open as `fd`, then close it."""
    try:
        for name in os.listdir(fd):
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, parents: bool = False) -> None:
    """Write `data` to the file `path` by the rules of this module: to a hidden temporary file
    beside it, synced, then renamed over it."""
    place = open_place(path, folder=False, parents=parents)
    failed, tmp = True, None
    try:
        tmp = _staged_copy(Path(place.parent, place.name), data)
        os.replace(tmp.name, place.name, src_dir_fd=place.fd, dst_dir_fd=place.fd)
        failed = False
    except OSError as exc:
        raise io_problem(path, exc) from exc
    finally:
        if failed and tmp is not None:
            tmp.unlink(missing_ok=True)
        place.close(failed)


# --- folders -------------------------------------------------------------------------------


def _listing(folder: str) -> list[str]:
    out = []
    for root, _, names in os.walk(folder, followlinks=False):
        for name in names:
            full = os.path.join(root, name)
            if stat.S_ISREG(os.lstat(full).st_mode):
                out.append(os.path.relpath(full, folder))
    return sorted(out)


def _exchange(fd_a: int, a: str, fd_b: int, b: str) -> bool:
    """Swap the entry `a` of the folder `fd_a` and `b` of `fd_b` in one step (Linux
    renameat2); False where the system cannot."""
    try:  # the C library's symbols, already loaded into the process
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return False
    exchange = 2  # RENAME_EXCHANGE
    if renameat2(fd_a, a.encode(), fd_b, b.encode(), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), b)


def _remove_listed(folder: str, files: list[str]) -> None:
    """Remove from `folder` (an old output, already swapped out) the files dta-kg listed, then
    the folders they leave empty; anything else stays where it is."""
    listed = set(files) | {MARKER}
    for root, subdirs, names in os.walk(folder, topdown=False, followlinks=False):
        for name in names:
            full = os.path.join(root, name)
            if os.path.relpath(full, folder) in listed:
                os.unlink(full)
        for name in subdirs:
            try:
                os.rmdir(os.path.join(root, name))
            except OSError:
                pass
    try:
        os.rmdir(folder)
    except OSError:
        pass


def write_folder(path: Path, fill: Callable[[Path], T], *, parents: bool = False,
                 replace: bool = True) -> T:
    """Write the folder `path`: `fill(folder)` fills a new folder inside a private (0700)
    folder beside it, reached by the private folder's open descriptor, which then takes its
    place. An existing `path` must be empty or hold only dta-kg's earlier output (listed in
    its `MARKER`, which the new folder gets too); with `replace` False it must be empty and no
    marker is written (a folder handed over to a person, such as `init`'s records)."""
    place = open_place(path, folder=True, parents=parents)
    private = _temp_name(place.name, "new")
    failed, installed = True, False
    try:
        old_files = old_output(place, replace) if place.exists else None
        os.mkdir(private, 0o700, dir_fd=place.fd)
        held = os.open(private, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC,
                       dir_fd=place.fd)
        base = _by_fd(held, os.path.join(place.parent, private))
        try:
            os.mkdir(place.name, 0o777, dir_fd=held)
            result = fill(Path(base, place.name))
            if replace:
                marker = {"written_by": "dta-kg", "files": _listing(os.path.join(base, place.name))}
                Path(base, place.name, MARKER).write_text(json.dumps(marker, indent=0) + "\n",
                                                          encoding="utf-8")
            if old_files is None:  # missing or empty: a rename replaces an empty folder
                os.rename(place.name, place.name, src_dir_fd=held, dst_dir_fd=place.fd)
            elif not _exchange(held, place.name, place.fd, place.name):
                os.rename(place.name, OLD, src_dir_fd=place.fd, dst_dir_fd=held)
                try:
                    os.rename(place.name, place.name, src_dir_fd=held, dst_dir_fd=place.fd)
                except BaseException:
                    os.rename(OLD, place.name, src_dir_fd=held, dst_dir_fd=place.fd)
                    raise
                os.rename(OLD, place.name, src_dir_fd=held, dst_dir_fd=held)
            installed = True
            if old_files is not None:  # the old output, now in the private folder
                _remove_listed(os.path.join(base, place.name), old_files)
        finally:
            if not installed:
                shutil.rmtree(os.path.join(base, place.name), ignore_errors=True)
            os.close(held)
            with contextlib.suppress(OSError):  # not empty: what dta-kg did not write stays
                os.rmdir(private, dir_fd=place.fd)
        failed = False
        return result
    except OSError as exc:
        raise io_problem(path, exc) from exc
    finally:
        place.close(failed)


def install_folder(staged: Path, path: Path) -> None:
    """Put the finished folder `staged` (beside `path`) in the place of the folder `path`,
    in one step where the system can, and remove the old one: for the build's own stores,
    inside `owning` their folder (an output folder goes through `write_folder`)."""
    place = open_place(path, folder=True, parents=False)
    try:
        if Path(place.parent) != staged.parent.resolve():
            raise OutputError(f"{staged}: must lie beside {path}")
        if not place.exists:
            os.rename(staged.name, place.name, src_dir_fd=place.fd, dst_dir_fd=place.fd)
            return
        if _exchange(place.fd, staged.name, place.fd, place.name):
            old = staged.name
        else:
            old = _temp_name(place.name, "old")
            os.rename(place.name, old, src_dir_fd=place.fd, dst_dir_fd=place.fd)
            os.rename(staged.name, place.name, src_dir_fd=place.fd, dst_dir_fd=place.fd)
        shutil.rmtree(os.path.join(place.parent, old), ignore_errors=True)
    except OSError as exc:
        raise io_problem(path, exc) from exc
    finally:
        place.close()


def make_folder(path: Path, *, parents: bool = False) -> None:
    """Make the folder `path` if it is missing (a build folder), by the rules of this module."""
    place = open_place(path, folder=True, parents=parents)
    failed = True
    try:
        if not place.exists:
            os.mkdir(place.name, dir_fd=place.fd)
        failed = False
    except OSError as exc:
        raise io_problem(path, exc) from exc
    finally:
        place.close(failed)


# --- the curators' records: several files, all or none -------------------------------------

JOURNAL = ".dta-kg-journal.json"


_STAGED = re.compile(r"\.(.+)\.tmp-[0-9a-f]{12}\.tmp")  # `_staged_copy`'s name for a file


def _staged_copy(path: Path, data: bytes) -> Path:
    """`data` written and synced to a hidden temporary file beside `path`."""
    name = _temp_name(path.name, "tmp") + ".tmp"
    tmp = path.parent / name
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def commit_files(folder: Path, files: dict[Path, bytes]) -> None:
    """Write every file of `files` (all below `folder`, whose folders exist) or, after a crash,
    none of them.

    Each file is staged beside its target; then a journal naming the pairs is written and
    renamed into place (the commit point); then the staged files are moved over their targets
    and the journal removed. A crash before the commit point leaves hidden temporary files that
    the next writer removes; after it, `recover_journal` (run by the next command) completes
    the moves."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)  # inside `folder`, its owner's
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
    """Complete the moves of a committed journal in `folder`, if there is one; True if so.
    The journal is read as an untrusted file: bounded, a regular file, and each of its moves
    must be one `commit_files` makes (a staged file beside its target, both inside `folder`
    and reached through no symlink), else nothing moves and the error names the entry."""
    journal = folder / JOURNAL
    try:
        data = read_bytes(journal, JOURNAL_BYTES, "a journal of an interrupted write",
                          "check the records it names, then delete it")
        pairs = [_journal_move(folder, entry) for entry in _journal_entries(load_json(data))]
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise OutputError(f"{journal}: unreadable journal of an interrupted write ({exc}); "
                          "check the records it names, then delete it") from exc
    try:
        for tmp, target in pairs:
            if tmp.exists():
                os.replace(tmp, target)
        journal.unlink(missing_ok=True)
    except OSError as exc:
        raise io_problem(folder, exc) from exc
    return True


def _journal_entries(doc: object) -> list[list[str]]:
    if not isinstance(doc, list) or not all(
            isinstance(e, list) and len(e) == 2 and all(isinstance(p, str) for p in e)
            for e in doc):
        raise ValueError("not a list of [staged file, record] pairs")
    return doc


def _journal_move(folder: Path, entry: list[str]) -> tuple[Path, Path]:
    """The staged file and the target of one journal entry, when `commit_files` could have
    written it; a ValueError naming the entry otherwise."""
    tmp, target = (PurePosixPath(p) for p in entry)
    staged = _STAGED.fullmatch(tmp.name)
    inside = all(p.parts and not p.is_absolute() and ".." not in p.parts for p in (tmp, target))
    if not (inside and staged and staged[1] == target.name and tmp.parent == target.parent):
        raise ValueError(f"the move {entry!r} is not one dta-kg makes")
    parent = os.path.normpath(os.path.join(os.path.realpath(folder), target.parent))
    if os.path.realpath(folder / target.parent) != parent:
        raise ValueError(f"the move {entry!r} goes through a symbolic link")
    if any((folder / p).is_symlink() for p in (tmp, target)):
        raise ValueError(f"the move {entry!r} names a symbolic link")
    return folder / tmp, folder / target
