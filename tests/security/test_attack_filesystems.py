"""Issue 21, sections 1 and 3, on real file systems: a full disk (a small tmpfs) during a
curator's write and an output's write, and records on a read-only mount. Each is one line
naming the file and what to do, leaves the records byte-identical and no temporary file.
The mounts need root; under DTA_KG_REQUIRE_SERVICES=1 a mount that fails fails the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project

BIB = "".join(f"@article{{n{i},\n  author = {{Writer{i}, Ann}}, title = {{A study {i} of alliance}},\n"
              f"  journal = {{JMIR}}, year = 2025, doi = {{10.2196/8{i:04d}}}\n}}\n" for i in range(3))


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        if os.environ.get("DTA_KG_REQUIRE_SERVICES") == "1":
            pytest.fail(f"mount {' '.join(args)}: {done.stderr.strip()}")
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'not root'})")


@pytest.fixture
def mounts() -> Iterator[list[Path]]:
    made: list[Path] = []
    if shutil.which("mount") is None or os.geteuid() != 0:
        if os.environ.get("DTA_KG_REQUIRE_SERVICES") == "1":
            pytest.fail("the file-system tests need root and mount(8)")
        pytest.skip("the file-system tests need root and mount(8)")
    yield made
    for point in reversed(made):
        subprocess.run(["umount", "-l", str(point)], check=False)


def full_disk(mounts: list[Path], where: Path, size: str = "2m") -> Path:
    where.mkdir()
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where))
    mounts.append(where)
    return where


def fill(disk: Path, leave: int) -> None:
    """Fill `disk` until it refuses, then free `leave` bytes."""
    with open(disk / ".filler", "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            pass
    with open(disk / ".filler", "r+b") as out:
        out.truncate(max(0, os.path.getsize(disk / ".filler") - leave))


@pytest.mark.parametrize("leave", [0, 4096, 32768, 131072])
def test_a_full_disk_during_a_curators_write(mounts, project_copy: Project, tmp_path: Path,
                                             leave: int):
    """Attack: `study import` onto a disk that fills up at different points (the validation
    copy, a staged record, the journal). Expected: all records written, or one line naming
    the records and saying to free space, the records byte-identical and nothing hidden left."""
    disk = full_disk(mounts, tmp_path / "disk")
    records = disk / "records"
    shutil.copytree(project_copy.records, records)
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    fill(disk, leave)
    before = snapshot(records)
    result = CliRunner().invoke(main, ["study", "import", str(bib), "--records", str(records),
                                       "--build-dir", str(tmp_path / "build")],
                                env={"DTA_KG_CURATOR": "Tester"})
    if result.exit_code == 0:
        assert len(snapshot(records)) == len(before) + 3
    else:
        line = one_line_error(result, str(records), "free some disk space")
        assert "No space left" in line
        assert snapshot(records) == before
    assert [p.name for p in records.rglob(".*")] == []


def test_a_full_disk_during_outputs(mounts, built_project: Project, tmp_path: Path):
    """Attack: exports, a site and a folder export onto a full disk. Expected: one line each,
    the old output (if any) whole, and no temporary file or folder on the disk."""
    disk = full_disk(mounts, tmp_path / "disk", "1m")
    old = disk / "old.ttl"
    old.write_bytes(b"old")
    fill(disk, 0)
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    for args in (["export", "--format", "ttl", "-o", str(old)],
                 ["export", "--format", "graphml", "-o", str(disk / "g.graphml")],
                 ["export", "--format", "neo4j-csv", "-o", str(disk / "csv")],
                 ["site", "-o", str(disk / "site")]):
        one_line_error(CliRunner().invoke(main, [*args, *built]), "free some disk space")
        assert sorted(p.name for p in disk.iterdir()) == [".filler", "old.ttl"], args
        assert old.read_bytes() == b"old"


def test_records_on_a_read_only_mount(mounts, project_copy: Project, tmp_path: Path):
    """Attack: curator commands and outputs aimed at records on a read-only bind mount.
    Expected: reading works; each write is one line saying the file system is read-only."""
    source, view = project_copy.records, tmp_path / "ro"
    view.mkdir()
    _mount("--bind", str(source), str(view))
    mounts.append(view)
    _mount("-o", "remount,bind,ro", str(view))
    before = snapshot(source)
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    where = ["--records", str(view), "--build-dir", str(tmp_path / "build")]
    env = {"DTA_KG_CURATOR": "Tester"}
    listed = CliRunner().invoke(main, ["study", "list", "--format", "json", *where])
    assert listed.exit_code == 0, listed.output
    for args in (["study", "import", str(bib)],
                 ["source", "add", "10.2196/80001", "--text", str(bib)]):
        line = one_line_error(CliRunner().invoke(main, [*args, *where], env=env), "read-only")
        assert str(view) in line
    outside = tmp_path / "outside-ro"
    outside.mkdir()
    _mount("--bind", str(outside), str(outside))
    mounts.append(outside)
    _mount("-o", "remount,bind,ro", str(outside))
    one_line_error(CliRunner().invoke(main, ["init", str(outside / "copy")]), "read-only")
    assert snapshot(source) == before
