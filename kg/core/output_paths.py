"""Where an output may go: the guarded folders (the records in use, the build's stores) and the
checked place of one output path, for the writer in `dta_kg.core.files`.

A path is compared with each guard by its real path and by device and inode up the whole chain
of its parent folders (walked through `..` from the open parent folder itself), so `..`, a
symlinked parent, a bind mount or another letter case on a case-insensitive disk all name the
same folder. A symlink at the output path is refused, never followed.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from dta_kg.core.errors import DtaKgError, OutputError
from dta_kg.core.limits import load_json
from dta_kg.core.paths import Project

MARKER = ".dta-kg-output.json"  # in an output folder: the files dta-kg wrote there
MAX_MARKER_BYTES = 64 * 1024 * 1024


def io_problem(path: Path | str, exc: OSError, verb: str = "cannot write", *,
               exact: bool = False) -> OutputError:
    """An OSError while writing `path` as a one-line error saying what would fix it; it names
    the file the system named, or `path` when `exact`."""
    fixes = {errno.ENOSPC: "free some disk space and run the command again",
             errno.EDQUOT: "free some disk space and run the command again",
             errno.EACCES: "make it writable or choose another path",
             errno.EPERM: "make it writable or choose another path",
             errno.EROFS: "the file system is read-only; remount it writable or choose "
                          "another path",
             errno.ENOTDIR: "a part of the path is a file, not a folder"}
    fix = fixes.get(exc.errno or 0, "check the path")
    where = path if exact else exc.filename or path
    return OutputError(f"{where}: {verb} ({exc.strerror or exc}); {fix}")


# --- guarded folders ---------------------------------------------------------------------


@dataclass(frozen=True)
class Guard:
    """A path no output may touch, what it is, and why."""

    path: Path
    what: str
    why: str


_GUARDS: ContextVar[tuple[Guard, ...]] = ContextVar("dta_kg_guards", default=())


@contextmanager
def guarded(guards: Iterable[Guard]) -> Iterator[None]:
    """Inside the block, every write refuses to touch `guards` (added to those in force)."""
    token = _GUARDS.set(_GUARDS.get() + tuple(guards))
    try:
        yield
    finally:
        _GUARDS.reset(token)


@contextmanager
def owning(folder: Path) -> Iterator[None]:
    """Inside the block, the room that owns `folder` writes in it: the guards on `folder` and
    on what is inside it are lifted (those on its parents stay)."""
    home = os.path.realpath(folder)
    kept = tuple(g for g in _GUARDS.get() if not _inside(os.path.realpath(g.path), home))
    token = _GUARDS.set(kept)
    try:
        yield
    finally:
        _GUARDS.reset(token)


def records_guard(records: Path) -> Guard:
    """The guard on a records folder."""
    return Guard(records, "the records folder", "records change only through the curator commands")


@contextmanager
def guarding(project: Project) -> Iterator[None]:
    """Inside the block, no output touches the project's records folder or its build's stores.
    A records folder that does not exist, and a build folder that is the records folder, lies
    inside it or holds it, are refused first, before anything is made."""
    if not project.records.is_dir():
        raise DtaKgError(f"{project.records}: no such records folder; give an existing one "
                         "(`dta-kg init FOLDER` makes a copy of the curated records)")
    real, home = os.path.realpath(project.build), os.path.realpath(project.records)
    mine = _identity(real)
    same = _identity(home) in _ancestors(real) or (mine is not None and mine in _ancestors(home))
    if same or _inside(real, home) or _inside(home, real):
        raise OutputError(f"{project.build}: the build folder would be the records folder, lie "
                          "inside it or hold it; give --build-dir a folder of its own")
    records = records_guard(project.records)
    stores = [Guard(path, "the build's stores", "commands read them; `dta-kg build` writes them")
              for path in project.stores]
    with guarded([records, *stores]):
        yield


def _inside(path: str, folder: str) -> bool:
    """True when the real path `path` is `folder` or inside it (by text)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _identity(path: str | int, dir_fd: int | None = None) -> tuple[int, int] | None:
    try:
        st = os.stat(path, dir_fd=dir_fd, follow_symlinks=False) if dir_fd is not None \
            else os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _chain(fd: int) -> list[tuple[int, int]]:
    """The identities of the folder open as `fd` and of each folder above it, to the root,
    found through `..` from the open folder itself (a renamed or relinked path cannot fool it)."""
    out: list[tuple[int, int]] = []
    current = os.dup(fd)
    try:
        while True:
            st = os.fstat(current)
            here = (st.st_dev, st.st_ino)
            if out and out[-1] == here or len(out) > 4096:
                return out
            out.append(here)
            parent = os.open("..", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=current)
            os.close(current)
            current = parent
    finally:
        os.close(current)


def _check_guards(shown: Path, real: str, fd: int, name: str) -> None:
    """Refuse when the entry `name` of the open folder `fd` (real path `real`) is a guarded
    path, lies inside one, or holds one."""
    guards = _GUARDS.get()
    if not guards:
        return
    above = set(_chain(fd))
    entry = _identity(name, fd)
    for guard in guards:
        home = os.path.realpath(guard.path)
        ident = _identity(home)
        inside = _inside(real, home) or (ident is not None and (ident in above or ident == entry))
        holds = _inside(home, real)
        if not holds and entry is not None and ident is not None:
            holds = entry in _ancestors(home)
        if inside or holds:
            where = "is inside" if inside else "holds"
            raise OutputError(f"{shown}: {where} {guard.what} {guard.path}; write outputs "
                              f"elsewhere ({guard.why})")


def _ancestors(path: str) -> set[tuple[int, int]]:
    out = set()
    while True:
        ident = _identity(path)
        if ident is not None:
            out.add(ident)
        parent = os.path.dirname(path)
        if parent == path:
            return out
        path = parent


# --- where an output goes ----------------------------------------------------------------


@dataclass
class Place:
    """An output path, checked: its open parent folder, its name, the folders made for it."""

    shown: Path
    fd: int
    parent: str
    name: str
    made: list[str]
    exists: bool

    def close(self, failed: bool = False) -> None:
        os.close(self.fd)
        if failed:
            unmake(self.made)


def unmake(made: list[str]) -> None:
    """Remove the folders made for a write that failed, deepest first, if still empty."""
    for folder in reversed(made):
        try:
            os.rmdir(folder)
        except OSError:
            return


def _missing_parents(path: Path, parent: str, parents: bool) -> list[str]:
    """Make the missing folders above an output when asked; else refuse. Returns those made."""
    missing = []
    folder = parent
    while not os.path.lexists(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise OutputError(f"{path}: {folder} is not a folder; give a path inside a folder")
    if not missing:
        return []
    if not parents:
        raise OutputError(f"{path}: the folder {path.parent} does not exist; create it first "
                          "or give an existing one")
    made: list[str] = []
    try:
        for new in reversed(missing):
            fd = os.open(os.path.dirname(new), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                _check_guards(path, new, fd, os.path.basename(new))
                os.mkdir(os.path.basename(new), dir_fd=fd)
            finally:
                os.close(fd)
            made.append(new)
    except BaseException as exc:
        unmake(made)
        if isinstance(exc, OSError):
            raise io_problem(path, exc) from exc
        raise
    return made


def open_place(path: Path, *, folder: bool, parents: bool) -> Place:
    """Check an output path before anything is written; the caller closes the result."""
    if os.path.islink(path):
        raise OutputError(f"{path}: is a symbolic link; dta-kg never writes through one: give "
                          "the path of a regular file or folder")
    real = os.path.realpath(path)
    parent, name = os.path.split(real)
    if not name:
        raise OutputError(f"{path}: is the root folder; give a file or folder inside it")
    made = _missing_parents(path, parent, parents)
    try:
        fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        unmake(made)
        raise io_problem(path, exc) from exc
    place = Place(path, fd, parent, name, made, False)
    try:
        _check_guards(path, real, fd, name)
        try:
            mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            return place
        place.exists = True
        if stat.S_ISLNK(mode):
            raise OutputError(f"{path}: is a symbolic link; dta-kg never writes through one")
        if folder and not stat.S_ISDIR(mode):
            raise OutputError(f"{path}: exists and is not a folder; give a new or existing folder")
        if not folder and not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise OutputError(f"{path}: is {kind}; give the name of a regular file to write")
    except BaseException:
        place.close(failed=True)
        raise
    return place


def check_file(path: Path) -> None:
    """Refuse now, before any work, what `write_file` would refuse for `path`."""
    open_place(path, folder=False, parents=False).close()


def check_folder(path: Path, *, replace: bool = True) -> None:
    """Refuse now, before any work, what `write_folder` would refuse for `path`."""
    place = open_place(path, folder=True, parents=False)
    try:
        if place.exists:
            old_output(place, replace)
    finally:
        place.close()


def old_output(place: Place, replace: bool) -> list[str] | None:
    """The files (relative paths) of dta-kg's earlier output in the existing folder `place`,
    None when it is empty; a one-line error when it holds anything dta-kg did not write."""
    shown = place.shown
    folder = os.path.join(place.parent, place.name)
    if not os.listdir(folder):
        return None
    if not replace:
        raise OutputError(f"{shown}: is not empty; give a new or empty folder")
    try:
        fd = os.open(os.path.join(folder, MARKER),
                     os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)  # a FIFO: no wait
        with os.fdopen(fd, "rb") as marker:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ValueError("the marker is not a regular file")
            listed = load_json(marker.read(MAX_MARKER_BYTES))["files"]
        files = {str(f) for f in listed}
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(f"{shown}: holds files dta-kg did not write (no {MARKER} listing "
                          "them); give a new or empty folder, or move those files away") from None
    dirs = {str(Path(f).parent) for f in files} | {p for f in files for p in
                                                   map(str, Path(f).parents)}
    for root, subdirs, names in os.walk(folder, followlinks=False):
        for name in [*names, *subdirs]:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder)
            mode = os.lstat(full).st_mode
            ours = (stat.S_ISREG(mode) and (rel in files or rel == MARKER)) or \
                (stat.S_ISDIR(mode) and rel in dirs)
            if not ours:
                raise OutputError(f"{shown}: holds {rel}, which dta-kg did not write there; "
                                  "move it away or give another folder")
    return sorted(files)
