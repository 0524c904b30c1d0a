"""Curating leaves no lock file in the records folder (issue 13, defect 6)."""

from __future__ import annotations

from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.curation.transaction import lock_path

BIB = """@article{good2025,
  author = {Good, Ann}, title = {A good study}, journal = {JMIR}, year = 2025,
  doi = {10.2196/80001}
}
"""


def test_a_dry_run_import_leaves_the_records_folder_byte_identical(project_copy, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    before = snapshot(project_copy.records)
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}
    result = CliRunner().invoke(main, ["study", "import", str(bib), "--dry-run"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert snapshot(project_copy.records) == before
    assert not list(project_copy.records.rglob(".*lock*"))


def test_the_lock_is_outside_the_records_and_one_per_records_folder(tmp_path):
    first, second = tmp_path / "a" / "records", tmp_path / "b" / "records"
    assert not lock_path(first).is_relative_to(first)
    assert lock_path(first) != lock_path(second)
    assert lock_path(first) == lock_path(tmp_path / "a" / "." / "records")
