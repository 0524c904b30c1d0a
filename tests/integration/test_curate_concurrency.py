"""Writes under stress: concurrent curators, and writers killed with SIGKILL mid-write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from dta_kg.loaders.yaml_io import read_yaml
from dta_kg.pipeline.build import validate_graph

pytestmark = pytest.mark.slow

NEW = {"10.2196/70001": "smith", "10.2196/70002": "jones"}
BIB = "".join(textwrap.dedent(f"""\
    @article{{{name}2025,
      author = {{{name.title()}, Ann}}, title = {{A study by {name}}}, journal = {{JMIR}},
      year = 2025, doi = {{{doi}}}
    }}
    """) for doi, name in NEW.items())
CLI = [sys.executable, "-c", "from dta_kg.cli import main; main()"]


def cli_env(project) -> dict[str, str]:
    return {**os.environ, "DTA_KG_RECORDS": str(project.records),
            "DTA_KG_BUILD": str(project.build), "DTA_KG_CURATOR": "Stress Tester"}


def add_finding(doi: str, quote: str) -> list[str]:
    return [*CLI, "finding", "add", doi, "--component", "engagement", "--section", "Results",
            "--quote", quote]


@pytest.fixture
def project(project_copy, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text(BIB, encoding="utf-8")
    subprocess.run([*CLI, "study", "import", str(bib)], env=cli_env(project_copy), check=True,
                   capture_output=True)
    return project_copy


def findings(project, doi: str) -> list[dict]:
    data = read_yaml(project.studies / f"{NEW[doi]}-2025.yaml")
    return data.get("findings") or []


def test_concurrent_writers_keep_every_record_and_every_change(project):
    writer = ("import sys\nfrom dta_kg.cli import main\nfor quote in sys.argv[2:]:\n"
              "    main(['finding', 'add', sys.argv[1], '--component', 'engagement', "
              "'--section', 'Results', '--quote', quote], standalone_mode=False)\n")
    writers = [subprocess.Popen([sys.executable, "-c", writer, doi,
                                 *(f"writer {w} change {c}" for c in range(2))],
                                env=cli_env(project), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
               for w, doi in enumerate([*NEW, *NEW])]
    for w in writers:
        out, _ = w.communicate(timeout=300)
        assert w.returncode == 0, out.decode()
    for path in project.studies.glob("*.yaml"):
        read_yaml(path)  # every record still parses
    quotes = {f["evidence"]["quote"] for doi in NEW for f in findings(project, doi)}
    assert quotes == {f"writer {w} change {c}" for w in range(4) for c in range(2)}
    ids = [f["id"] for doi in NEW for f in findings(project, doi)]
    assert len(ids) == 8 and all(len(set(f["id"] for f in findings(project, d))) == 4
                                 for d in NEW)
    validate_graph(project)


# Runs `code` with os.replace paused at the write of one file: before the rename ("before") or
# just after it ("after"), the process creates a marker file and waits to be killed there.
PAUSED = textwrap.dedent("""\
    import os, sys, time
    marker, target, when = sys.argv[1:4]
    real = os.replace
    def replace(src, dst, **kw):
        # the writer renames by name inside the target's open folder (dst_dir_fd)
        name = os.fspath(dst)
        same = (os.path.basename(name) == os.path.basename(target) if "dst_dir_fd" in kw
                else name == target)
        if not same:
            return real(src, dst, **kw)
        if when == "after":
            real(src, dst, **kw)
        open(marker, "w").close()
        time.sleep(600)
    os.replace = replace
    sys.argv = [sys.argv[0], *sys.argv[4:]]
    """)


def kill_when_paused(code: str, marker, target, when: str, *args: str, env=None) -> None:
    """Run `code` paused at the write of `target` (see PAUSED); wait for the pause, then kill."""
    proc = subprocess.Popen([sys.executable, "-c", PAUSED + code, str(marker), str(target), when,
                             *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():  # the condition, not a timer: the writer reached the rename
        assert proc.poll() is None, f"the writer ended before the pause: {proc.stderr.read()!r}"
        assert time.monotonic() < deadline, "the writer never reached the rename"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    marker.unlink()


def test_a_writer_killed_mid_write_leaves_old_or_new_content(project_copy, tmp_path):
    from dta_kg.core.files import write_atomic

    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    old = record.read_bytes()
    new = old + b"# " + b"A" * 4_000_000 + b"\n"
    (tmp_path / "new").write_bytes(new)
    writer = ("from pathlib import Path\nfrom dta_kg.core.files import write_atomic\n"
              f"write_atomic(Path({str(record)!r}), Path({str(tmp_path / 'new')!r}).read_bytes())\n")
    kill_when_paused(writer, tmp_path / "paused", record, "before")
    assert record.read_bytes() == old  # killed with the new text written but not renamed
    assert len(list(record.parent.glob(".*.tmp"))) == 1  # its temporary file is left behind
    kill_when_paused(writer, tmp_path / "paused", record, "after")
    assert record.read_bytes() == new  # killed just after the rename: the new text, whole
    write_atomic(record, old)
    assert read_yaml(record)["doi"] == "10.3389/fdgth.2022.847991"


def test_a_killed_curator_command_leaves_the_records_valid(project, tmp_path):
    smith = project.studies / "smith-2025.yaml"
    run_cli = "from dta_kg.cli import main\nmain()\n"
    before = smith.read_bytes()
    kill_when_paused(run_cli, tmp_path / "paused", smith, "before",
                     *add_finding("10.2196/70001", "killed before the rename")[3:], env=cli_env(project))
    assert smith.read_bytes() == before  # validated and staged, killed before the rename
    kill_when_paused(run_cli, tmp_path / "paused", smith, "after",
                     *add_finding("10.2196/70001", "killed after the rename")[3:], env=cli_env(project))
    after = smith.read_bytes()
    assert b"killed after the rename" in after and b"killed before" not in after
    read_yaml(smith)
    done = subprocess.run(add_finding("10.2196/70001", "written after the kills"), env=cli_env(project),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr  # the lock died with its holder
    assert not list(project.records.rglob(".*.tmp"))  # and stale temporary files are gone
    validate_graph(project)
