"""Where records and builds live, in a checkout and when installed (issue 13, defect 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core import paths
from dta_kg.core.errors import OutputError
from dta_kg.core.paths import Project
from dta_kg.curation.workspace import init_records


def test_the_shipped_files_are_package_resources():
    from importlib.resources import files

    assert (files("dta_kg.records") / "review.yaml").is_file()
    assert (files("dta_kg.records") / "source" / "dta-integrative-review-2025.txt").is_file()
    assert (files("dta_kg.ontology") / "dta.ttl").is_file()
    assert paths.REVIEW_TEXT.is_file()


def test_in_a_checkout_the_build_goes_to_its_build_folder(monkeypatch):
    monkeypatch.delenv("DTA_KG_RECORDS", raising=False)
    monkeypatch.delenv("DTA_KG_BUILD", raising=False)
    root = paths.checkout()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert Project.default() == Project(records=root / "records", build=root / "build")


def test_installed_the_build_goes_to_the_per_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "checkout", lambda: None)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("DTA_KG_RECORDS", raising=False)
    monkeypatch.delenv("DTA_KG_BUILD", raising=False)
    assert Project.default().build == tmp_path / "data" / "dta-kg" / "build"
    mine = Project.of(tmp_path / "my-records")
    assert mine.build.parent == tmp_path / "data" / "dta-kg" / "builds"
    assert mine.build.name.startswith("my-records-")
    assert Project.of(tmp_path / "other" / "my-records").build != mine.build


def test_init_copies_the_records_and_refuses_a_folder_with_files(tmp_path):
    assert init_records(tmp_path / "records") == 28
    copied = tmp_path / "records"
    assert (copied / "review.yaml").read_bytes() == (paths.RECORDS_DIR / "review.yaml").read_bytes()
    assert not (copied / "__init__.py").exists()
    shipped = {p.relative_to(paths.RECORDS_DIR).as_posix() for p in paths.RECORDS_DIR.rglob("*")
               if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts}
    assert "instruments.yaml" in shipped  # every file a curator may edit, instruments included
    assert {p.relative_to(copied).as_posix() for p in copied.rglob("*") if p.is_file()} == shipped
    with pytest.raises(OutputError, match="is not empty"):
        init_records(copied)


def test_init_command_says_how_to_use_the_copy(tmp_path):
    result = CliRunner().invoke(main, ["init", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    assert "28 study records" in result.output and "--records" in result.output
    again = CliRunner().invoke(main, ["init", str(tmp_path / "mine")])
    assert again.exit_code == 1 and again.output.count("\n") == 1
    assert Path(tmp_path / "mine" / "studies").is_dir()
