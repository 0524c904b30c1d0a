"""Items 1-3 of issue 14: commands that could delete or overwrite files they do not own."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def one_line_error(result, *parts: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.output
    for part in parts:
        assert part in lines[0], result.output


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
