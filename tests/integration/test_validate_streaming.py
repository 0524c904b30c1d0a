"""`dta-kg validate` runs the build's streaming checks and writes nothing (issue 13)."""

from __future__ import annotations

from click.testing import CliRunner

from dta_kg.cli import main


def test_validate_streams_like_the_build_and_leaves_no_build_folder(project_copy, monkeypatch):
    import dta_kg.pipeline.build as pipeline_build

    monkeypatch.setattr(pipeline_build, "validate_graph", lambda *a, **k: 1 / 0)  # the in-memory path
    result = CliRunner().invoke(main, ["validate", "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ") and "SHACL shapes and every QC query" in result.output
    assert not project_copy.build.exists()


def test_validate_refuses_a_graph_that_breaks_a_qc_query(project_copy):
    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    other = project_copy.studies / "zz-duplicate.yaml"
    other.write_bytes(record.read_bytes())
    result = CliRunner().invoke(main, ["validate", "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    assert result.exit_code == 1
    assert "duplicate DOI" in result.output and "zz-duplicate.yaml" in result.output
