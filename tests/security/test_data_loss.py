"""Items 1-3 of issue 14: commands that could delete or overwrite files they do not own."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_bench_generate_refuses_a_folder_of_real_records(project_copy: Project, tmp_path: Path):
    """Attack: `bench generate -o DIR` where DIR/records holds another project's curated
    studies (or `-o .` in the repository). Expected: a one-line refusal, exit 1, and the
    records byte-identical; a folder the generator made itself (sentinel file) is reused."""
    before = snapshot(project_copy.records)
    result = run("bench", "generate", "--studies", "3", "-o", str(project_copy.records.parent))
    one_line_error(result, str(project_copy.records), "bench generate")
    assert snapshot(project_copy.records) == before

    result = run("bench", "generate", "--studies", "3", "-o", str(Project.default().records.parent))
    one_line_error(result, "curated records")

    fresh = tmp_path / "synth"
    assert run("bench", "generate", "--studies", "3", "-o", str(fresh)).exit_code == 0
    assert run("bench", "generate", "--studies", "2", "-o", str(fresh)).exit_code == 0
    assert len(list((fresh / "records" / "studies").glob("*.yaml"))) == 2


def test_export_refuses_records_devices_and_keeps_symlinks(project_copy: Project, built_project,
                                                           tmp_path: Path):
    """Attack: `export -o` naming a record, the records folder, a device or pipe (as root,
    /dev/full became a regular file), or a symlink. Expected: a one-line refusal with exit 1
    and the records byte-identical for the first three; a symlink is written through and
    stays a symlink."""
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
    assert run("export", "--format", "ttl", "-o", str(link), *built).exit_code == 0
    assert link.is_symlink() and real.read_bytes() == (built_project.build / "dta-kg.ttl").read_bytes()


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
    one_line_error(run("view", "-o", str(blocker / "graph.html"), *built), "cannot write")
    one_line_error(run("view", "-o", str(pipe), *built), "not a regular file")
    one_line_error(run("map", "-o", str(pipe), *built), "not a regular file")
    assert not (tmp_path / "studies").exists()
    one_line_error(run("docs", "-o", str(blocker / "docs")), "not a folder")
