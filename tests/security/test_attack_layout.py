"""Third attack pass on issue 21: the records folder's own folders and named files. A
symlinked `studies/` had `validate` say OK and `retract` rewrite a record in the folder it
pointed to; a symlinked `review.yaml` was refused by `validate` but not by `retract`; an
`instruments.yaml` linked to /dev/zero made `retract` copy /dev/zero into its check folder
until the disk was full. Expected: one line naming the entry, nothing written anywhere."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project

RETRACT = ["retract", "10.2196/50025#population", "--reason", "x"]


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _moved_out(project: Project, tmp_path: Path, name: str) -> Path:
    """The records' `name` moved to a folder outside them and linked back in its place."""
    outside = tmp_path / "outside" / name
    outside.parent.mkdir()
    source = project.records / name
    if source.exists():
        shutil.move(source, outside)
    else:
        outside.mkdir()
    source.symlink_to(outside)
    return outside


@pytest.mark.parametrize("name", ["studies", "screening", "sources", "review.yaml",
                                  "instruments.yaml"])
@pytest.mark.parametrize("command", [RETRACT, ["validate"]], ids=["retract", "validate"])
def test_a_symlinked_folder_or_named_file_of_the_records_is_refused(project_copy: Project,
                                                                    tmp_path: Path, name: str,
                                                                    command: list[str]) -> None:
    outside = _moved_out(project_copy, tmp_path, name)
    before = _digests(outside.parent), snapshot(project_copy.records)
    result = CliRunner().invoke(main, [*command, "--records", str(project_copy.records),
                                       "--build-dir", str(tmp_path / "build")])
    one_line_error(result, name, "symbolic link")
    assert (_digests(outside.parent), snapshot(project_copy.records)) == before


@pytest.mark.parametrize("name", ["instruments.yaml", "studies/x.yaml"])
def test_a_record_linked_to_dev_zero_is_refused_without_copying_it(project_copy: Project,
                                                                   tmp_path: Path,
                                                                   name: str) -> None:
    path = project_copy.records / name
    path.parent.mkdir(exist_ok=True)
    if path.exists():
        path.unlink()
    path.symlink_to("/dev/zero")
    result = CliRunner().invoke(main, [*RETRACT, "--records", str(project_copy.records),
                                       "--build-dir", str(tmp_path / "build")])
    one_line_error(result, "symbolic link")
    assert not [p for p in project_copy.records.iterdir() if p.name.startswith(".dta-kg-check")]


@pytest.mark.parametrize("name", ["screening", "studies"])
def test_a_named_folder_that_is_a_file_is_refused(project_copy: Project, tmp_path: Path,
                                                  name: str) -> None:
    path = project_copy.records / name
    if path.is_dir():
        shutil.rmtree(path)
    path.write_text("x\n")
    result = CliRunner().invoke(main, ["validate", "--records", str(project_copy.records)])
    one_line_error(result, name, "not a folder")


def test_a_fifo_among_the_records_is_refused_by_name(project_copy: Project, tmp_path: Path) -> None:
    fifo = project_copy.records / "screening" / "zz.yaml"
    fifo.parent.mkdir(exist_ok=True)
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, [*RETRACT, "--records", str(project_copy.records),
                                       "--build-dir", str(tmp_path / "build")])
    one_line_error(result, "zz.yaml")


def test_the_check_copy_copies_a_link_as_a_link_and_refuses_a_fifo(tmp_path: Path) -> None:
    """The copy a multi-file write is checked in followed links: one to /dev/zero never
    ended. Expected: a link is copied as a link (the check then refuses it as the reader
    does); a FIFO is refused by its name."""
    from dta_kg.core.errors import RecordError
    from dta_kg.curation.transaction import _copy_visible

    source = tmp_path / "records"
    (source / "sources").mkdir(parents=True)
    (source / "review.yaml").write_text("r\n")
    (source / "sources" / "zero.txt").symlink_to("/dev/zero")
    _copy_visible(source, tmp_path / "copy")
    copied = tmp_path / "copy" / "sources" / "zero.txt"
    assert copied.is_symlink() and os.readlink(copied) == "/dev/zero"
    assert (tmp_path / "copy" / "review.yaml").read_text() == "r\n"
    os.mkfifo(source / "sources" / "pipe.txt")
    with pytest.raises(RecordError, match="pipe.txt"):
        _copy_visible(source, tmp_path / "copy2")
