"""Safe edits of record files: one lock, round-trip YAML, validation first, atomic writes."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dta_kg.core.errors import RecordError
from dta_kg.core.files import commit_files, io_problem, owning, recover_journal, write_atomic
from dta_kg.core.paths import Project
from dta_kg.curation.lock import records_lock
from dta_kg.loaders.records import read_study
from dta_kg.loaders.screening import read_screening
from dta_kg.loaders.terms import project_vocabulary
from dta_kg.loaders.yaml_io import checked_text

if TYPE_CHECKING:
    from ruamel.yaml import YAML

CHECK_PREFIX = ".dta-kg-check-"
LOCK_TIMEOUT = 120.0


def yaml_rt() -> YAML:
    """A round-trip YAML reader/writer that reproduces the records' layout byte for byte."""
    # lazy: ruamel.yaml loads ~10-20 ms; `study show` and `study list` import this module
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(data: Any, blank_before: Collection[str] = frozenset()) -> str:
    """YAML text of `data`, with a blank line before each top-level key in `blank_before`."""
    out = io.StringIO()
    yaml_rt().dump(data, out)
    lines = out.getvalue().split("\n")
    for i in reversed(range(1, len(lines))):
        if lines[i].partition(":")[0] in blank_before and lines[i - 1].strip():
            lines.insert(i, "")
    return "\n".join(lines)


class Transaction:
    """Changes to record files, staged in memory until the whole project validates."""

    def __init__(self, project: Project):
        self.project = project
        self.staged: dict[Path, str] = {}

    def load(self, path: Path) -> Any:
        """The round-trip data of `path`, as staged so far (None for a new file)."""
        if path in self.staged:
            return yaml_rt().load(self.staged[path])
        if not os.path.lexists(path):
            return None
        return yaml_rt().load(checked_text(path))

    def stage(self, path: Path, data: Any, blank_before: Collection[str] = frozenset()) -> None:
        self.staged[path] = dump(data, blank_before)

    def stage_text(self, path: Path, text: str) -> None:
        """Stage a file written whole by its module (the screening records, which are
        generated rather than hand-edited, and too long for round-trip YAML at scale)."""
        self.staged[path] = text


def _copy_visible(source: Path, target: Path) -> None:
    """Copy the folder `source` to `target`, hidden entries left out; the first OSError (a
    full disk) stops it with its errno, which shutil.copytree would fold into a list. A
    symbolic link is copied as a link, never followed (a link to /dev/zero would fill the
    disk), so the check of the copy refuses it as the reader refuses the original; a FIFO,
    socket or device is refused here, by its name."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            if name.startswith("."):
                continue
            path = Path(folder, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                os.symlink(os.readlink(path), into / name)
            elif stat.S_ISREG(mode):
                shutil.copyfile(path, into / name, follow_symlinks=False)
            else:
                raise RecordError(path, "", "is not a regular file but a pipe, socket or device",
                                  "remove it from the records folder")


def validate_staged(project: Project, staged: dict[Path, str]) -> None:
    """Check the project as it would be with `staged` applied, in a temporary copy."""
    # lazy: the build adds ~25 ms; `study show` and `study list` import this module
    from dta_kg.pipeline.build import validate_graph

    # the copy lives in the records folder (hidden), so that the next writer removes what a
    # killed validation leaves, rather than the system's temporary folder keeping it
    with tempfile.TemporaryDirectory(prefix=CHECK_PREFIX, dir=project.records) as tmp:
        copy = Project(records=Path(tmp) / "records", build=Path(tmp) / "build")
        # a write of screening records alone is checked on them alone: the studies are as built
        screening = all(path.is_relative_to(project.screening) for path in staged)
        if screening:
            copy.records.mkdir()
            if project.screening.is_dir():
                _copy_visible(project.screening, copy.screening)
        else:
            _copy_visible(project.records, copy.records)
        real = {}
        for path, text in staged.items():
            target = copy.records / path.relative_to(project.records)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            real[target] = path
        try:
            if screening:
                read_screening(copy, project_vocabulary(project))
                return
            vocab = project_vocabulary(copy)
            for target in real:
                if target.parent == copy.studies:
                    read_study(target, vocab)
            validate_graph(copy)
        except RecordError as exc:
            path = Path(exc.path)
            shown = real.get(path) or (project.records / path.relative_to(copy.records)
                                       if path.is_relative_to(copy.records) else exc.path)
            raise RecordError(shown, exc.field, exc.problem, exc.fix, exc.record) from None


@contextmanager
def transaction(project: Project, dry_run: bool = False) -> Iterator[Transaction]:
    """Hold the records' lock (shared by every user and path of the folder, see
    `dta_kg.curation.lock`); on a clean exit validate the staged files, then write them. A
    file that cannot be written (a full disk, a read-only file system) is a one-line error
    naming the record, and every record stays as it was."""
    tx = Transaction(project)
    try:
        with records_lock(project.records, LOCK_TIMEOUT):
            with owning(project.records):
                _tidy(project)
            yield tx
            if tx.staged:
                with owning(project.records):
                    _commit(project, tx, dry_run)
    except OSError as exc:
        where = next(iter(tx.staged), project.records)
        raise io_problem(where, exc, "cannot write the records", exact=True) from exc


def _tidy(project: Project) -> None:
    """Finish or remove what a writer killed mid-write left in the records folder."""
    recover_journal(project.records)  # a writer killed after its commit point
    for folder in (project.records, project.studies, project.screening,  # left by a writer
                   project.screening / "runs"):  # killed mid-write
        with contextlib.suppress(FileNotFoundError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    os.unlink(entry.path)
    for stale in project.records.glob(CHECK_PREFIX + "*"):  # by a killed validation
        shutil.rmtree(stale, ignore_errors=True)


def _commit(project: Project, tx: Transaction, dry_run: bool) -> None:
    """Validate the staged files, then write them (all or none) and update the stores."""
    # lazy: it adds ~50 ms (ladybug, the build); `study show` and `study list` import this module
    from dta_kg.curation.incremental import prepare

    fast = prepare(project, tx.staged)
    if fast is None:
        validate_staged(project, tx.staged)
    else:
        fast.check()
    if not dry_run and len(tx.staged) == 1:  # its rename is the commit point
        [(path, text)] = tx.staged.items()
        write_atomic(path, text.encode("utf-8"), parents=True)
    elif not dry_run:  # every file or none, even if killed: a journal commits them
        commit_files(project.records, {path: text.encode("utf-8")
                                       for path, text in tx.staged.items()})
    if not dry_run and fast is not None:
        fast.apply()
