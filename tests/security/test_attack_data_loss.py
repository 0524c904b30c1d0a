"""Items 1-3 of issue 14: commands that could delete or overwrite files they do not own."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_bench_generate_refuses_a_folder_of_real_records(project_copy: Project, tmp_path: Path):
    """Attack: `bench generate -o DIR` where DIR/records holds another project's curated
    studies (or `-o .` in the repository). Expected: a one-line refusal, exit 1, and the
    records byte-identical; a folder the generator made itself (its marker file) is reused."""
    before = snapshot(project_copy.records)
    result = run("bench", "generate", "--studies", "3", "-o", str(project_copy.records.parent))
    one_line_error(result, str(project_copy.records), "did not write")
    assert snapshot(project_copy.records) == before

    result = run("bench", "generate", "--studies", "3", "-o", str(Project.default().records.parent))
    one_line_error(result, "records folder")

    fresh = tmp_path / "synth"
    assert run("bench", "generate", "--studies", "3", "-o", str(fresh)).exit_code == 0
    assert run("bench", "generate", "--studies", "2", "-o", str(fresh)).exit_code == 0
    assert len(list((fresh / "records" / "studies").glob("*.yaml"))) == 2


def test_export_refuses_records_devices_and_symlinks(project_copy: Project, built_project,
                                                     tmp_path: Path):
    """Attack: `export -o` naming a record, the records folder, a device or pipe (as root,
    /dev/full became a regular file), or a symlink. Expected: a one-line refusal with exit 1
    and the records byte-identical; a symlink is never written through (issue 21)."""
    import os

    before = snapshot(project_copy.records)
    where = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    one_line_error(run("export", "--format", "graphml", "-o", str(project_copy.review), *where),
                   "review.yaml", "records folder")
    one_line_error(run("export", "--format", "neo4j-csv", "-o", str(project_copy.records), *where),
                   "records folder")
    assert snapshot(project_copy.records) == before

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    one_line_error(run("export", "--format", "ttl", "-o", str(pipe), *built), "not a regular file")
    assert not pipe.is_file()

    real = tmp_path / "real.ttl"
    real.write_text("old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    one_line_error(run("export", "--format", "ttl", "-o", str(link), *built), "symbolic link")
    assert link.is_symlink() and real.read_text() == "old"


def test_view_map_docs_refuse_unwritable_or_device_paths(built_project, tmp_path: Path):
    """Attack: `view`, `map` and `docs` with a path that cannot be written (under a file) or a
    device-like path (a pipe). Expected: a one-line error, no traceback, and `map` writes no
    study pages into the sibling folder first."""
    import os

    built = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    pipe = tmp_path / "pipe.html"
    os.mkfifo(pipe)
    one_line_error(run("view", "-o", str(blocker / "graph.html"), *built), "is not a folder")
    one_line_error(run("view", "-o", str(pipe), *built), "not a regular file")
    one_line_error(run("map", "-o", str(pipe), *built), "not a regular file")
    assert not (tmp_path / "studies").exists()
    one_line_error(run("docs", "-o", str(blocker / "docs")), "not a folder")


ENTRIES = 30
KILLER = """
import os, signal, sys
from dta_kg.cli import main
kill_after = int(sys.argv[1])
if kill_after < 0:  # die in the middle of validation
    import dta_kg.pipeline.build as build
    build.validate_graph = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
else:  # die after `kill_after` renames: the first is the journal, the commit point
    real, done = os.replace, [0]
    def replace(src, dst, **where):
        if done[0] >= kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        done[0] += 1
        real(src, dst, **where)
    os.replace = replace
sys.argv = ["dta-kg", "study", "import", sys.argv[2]]
main()
"""


def _bibliography(path: Path) -> Path:
    entries = "".join(
        f"@article{{new{i},\n  author = {{Author{i}, Ann}}, title = {{Imported study {i}}},\n"
        f"  journal = {{JMIR}}, year = 2025, doi = {{10.2196/9{i:04d}}}\n}}\n"
        for i in range(ENTRIES))
    path.write_text(entries, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [-1, 0, 1, 12])
def test_a_killed_import_writes_all_of_its_records_or_none(project_copy: Project, tmp_path: Path,
                                                           kill_after: int):
    """Attack: SIGKILL during a 30-entry `study import` left 1 to 25 of the new files, and
    SIGKILL during its validation left the records' copy in the system temp folder.
    Expected: once the next command has run, either none or all 30 records exist, and no
    temporary file or folder is left anywhere."""
    import os
    import subprocess
    import sys

    before = {p.name for p in project_copy.studies.glob("*.yaml")}
    bib = _bibliography(tmp_path / "new.bib")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "DTA_KG_RECORDS": str(project_copy.records), "TMPDIR": str(private_tmp),
           "DTA_KG_BUILD": str(project_copy.build), "DTA_KG_CURATOR": "Killer"}
    proc = subprocess.run([sys.executable, "-c", KILLER, str(kill_after), str(bib)], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == -9, proc.stdout + proc.stderr
    assert list(private_tmp.iterdir()) == []  # the curators' lock is no file either
    assert run("validate", "--records", str(project_copy.records), "--build-dir",
               str(project_copy.build)).exit_code == 0  # the next command: completes or drops
    added = {p.name for p in project_copy.studies.glob("*.yaml")} - before
    assert len(added) == (ENTRIES if kill_after >= 1 else 0)
    from dta_kg.curation.transaction import transaction

    with transaction(project_copy):  # the next curator's write removes what was dropped
        pass
    assert list(project_copy.records.rglob(".*")) == []
