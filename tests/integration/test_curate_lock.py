"""The curators' lock (issue 13, defect 6): one lock per records folder, shared by every OS user
and every spelling of the folder's path, and no file left in the records (or anywhere else)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.core.errors import DtaKgError
from dta_kg.core.paths import Project
from dta_kg.curation import transaction as tx

BIB = """@article{good2025,
  author = {Good, Ann}, title = {A good study}, journal = {JMIR}, year = 2025,
  doi = {10.2196/80001}
}
"""
NOBODY = 65534
REQUIRE_ENV = "DTA_KG_REQUIRE_SERVICES"
# Started as root, becomes the user nobody (every module it needs imported first: nobody may
# not be able to read this checkout or the interpreter), then takes the records' lock as a
# curator's command does: prints "busy" if another holds it past the timeout, else "locked",
# and with --hold keeps it until its stdin closes.
AS_NOBODY = textwrap.dedent(f"""\
    import errno, json, os, sys
    from pathlib import Path
    import filelock
    import dta_kg.core.files
    from dta_kg.core.paths import Project
    from dta_kg.curation import transaction as tx
    records, timeout, hold = Path(sys.argv[1]), float(sys.argv[2]), sys.argv[3:] == ["--hold"]
    os.setgroups([])
    os.setgid({NOBODY})
    os.setuid({NOBODY})
    assert (os.getuid(), os.geteuid(), os.getgid()) == ({NOBODY}, {NOBODY}, {NOBODY})
    tx.LOCK_TIMEOUT = timeout
    try:
        with tx.transaction(Project(records=records, build=records.parent / "build")):
            print("locked", flush=True)
            if hold:
                sys.stdin.read()
    except Exception as exc:
        print("busy" if type(exc).__name__ == "LockBusy" else "error", exc, flush=True)
    """)


def cli_env(project: Project) -> dict[str, str]:
    return {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build),
            "DTA_KG_CURATOR": "Ada Curator"}


def test_a_dry_run_import_leaves_the_records_folder_byte_identical(project_copy, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, ["study", "import", str(bib), "--dry-run"],
                                env=cli_env(project_copy))
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output
    assert snapshot(project_copy.records) == before
    assert not list(project_copy.records.rglob(".*lock*"))


def test_a_write_adds_its_record_and_no_lock_file_anywhere(project_copy, tmp_path, monkeypatch):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    before = snapshot(project_copy.records)
    beside = sorted(p.name for p in project_copy.records.parent.iterdir())
    result = CliRunner().invoke(main, ["study", "import", str(bib)], env=cli_env(project_copy))
    assert result.exit_code == 0, result.output
    after = snapshot(project_copy.records)
    assert set(after) - set(before) == {"studies/good-2025.yaml"}
    assert {k: v for k, v in after.items() if k in before} == before
    assert not [p for p in project_copy.records.rglob(".*")]  # no hidden file or folder
    assert list(private_tmp.iterdir()) == []  # nor a lock in the temporary folder
    assert sorted(p.name for p in project_copy.records.parent.iterdir()) == beside


def test_two_spellings_of_one_folder_share_its_lock(tmp_path, monkeypatch):
    records = tmp_path / "shared" / "records"
    records.mkdir(parents=True)
    link = tmp_path / "drive"
    link.symlink_to(tmp_path / "shared")
    monkeypatch.chdir(tmp_path / "shared")
    monkeypatch.setattr(tx, "LOCK_TIMEOUT", 0.2)
    (tmp_path / "other" / "records").mkdir(parents=True)
    other = Project(records=tmp_path / "other" / "records", build=tmp_path / "build")
    with tx.transaction(Project(records=records, build=tmp_path / "build")):
        for spelling in (link / "records", Path("records"), link / ".." / "shared" / "records"):
            with pytest.raises(DtaKgError) as refused:
                with tx.transaction(Project(records=spelling, build=tmp_path / "build")):
                    pass
            assert str(refused.value) == (f"{spelling}: another curator is writing (they hold "
                                          "this folder's lock); try again when they are done")
        with tx.transaction(other):  # another records folder has its own lock
            pass
    with tx.transaction(Project(records=link / "records", build=tmp_path / "build")):
        pass  # released on exit
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["records"]
    assert list(records.iterdir()) == []


def unavailable(what: str) -> None:
    """Skip (or, under DTA_KG_REQUIRE_SERVICES=1, fail) because `what` is not possible here."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {what}", pytrace=False)
    pytest.skip(what)


@pytest.fixture
def shared_records():
    """A records folder in the system's temporary folder that the user `nobody` can read."""
    if not hasattr(os, "getuid") or os.getuid() != 0:
        unavailable("running as another OS user needs root (CI runs the tests as root)")
    top = Path(tempfile.mkdtemp(prefix="dta-kg-shared-"))
    try:
        top.chmod(0o755)
        records = top / "records"
        records.mkdir(mode=0o755)
        records.chmod(0o755)
        yield records
    finally:
        shutil.rmtree(top)


def as_nobody(records: Path, timeout: float, *hold: str) -> subprocess.Popen:
    """A process of the user nobody (see AS_NOBODY) taking the lock of `records`."""
    return subprocess.Popen([sys.executable, "-c", AS_NOBODY, str(records), str(timeout), *hold],
                            env={**os.environ, "HOME": str(records.parent)}, cwd=records.parent,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def nobody_takes(records: Path, timeout: float) -> str:
    out, _ = as_nobody(records, timeout).communicate(timeout=120)
    if not out.startswith(("locked", "busy")):
        unavailable(f"a process could not become the user nobody: {out.strip()}")
    return out.strip()


def test_curators_under_two_os_accounts_share_the_lock(shared_records, monkeypatch):
    project = Project(records=shared_records, build=shared_records.parent / "build")
    assert nobody_takes(shared_records, 0.0) == "locked"  # free: nobody can take it
    with tx.transaction(project):  # root curates...
        refused = nobody_takes(shared_records, 0.5)  # ...so nobody's command is refused
    assert refused == (f"busy {shared_records}: another curator is writing (they hold this "
                       "folder's lock); try again when they are done")
    holder = as_nobody(shared_records, 0.0, "--hold")  # and the other way round
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(tx, "LOCK_TIMEOUT", 0.5)
        with pytest.raises(DtaKgError, match="another curator is writing"):
            with tx.transaction(project):
                pass
    finally:
        holder.communicate(timeout=120)  # closing its stdin releases the lock
    with tx.transaction(project):
        pass
    assert list(shared_records.iterdir()) == []
