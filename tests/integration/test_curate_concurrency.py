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


def test_a_writer_killed_mid_write_leaves_old_or_new_content(project_copy):
    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    old = record.read_bytes()
    variants = [old + b"# " + bytes([65 + i]) * 4_000_000 + b"\n" for i in range(2)]
    (project_copy.records.parent / "variants").mkdir()
    for i, v in enumerate(variants):
        (project_copy.records.parent / "variants" / str(i)).write_bytes(v)
    writer = textwrap.dedent(f"""\
        from pathlib import Path
        from dta_kg.core.files import write_atomic
        variants = [Path({str(project_copy.records.parent / "variants")!r}) / n for n in "01"]
        i = 0
        while True:
            write_atomic(Path({str(record)!r}), variants[i % 2].read_bytes())
            i += 1
        """)
    for delay in (0.3, 0.45, 0.6, 0.75):
        proc = subprocess.Popen([sys.executable, "-c", writer])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert record.read_bytes() in (old, *variants)
        assert read_yaml(record)["doi"] == "10.3389/fdgth.2022.847991"


def test_a_killed_curator_command_leaves_the_records_valid(project):
    smith = project.studies / "smith-2025.yaml"
    for n, delay in enumerate((0.8, 1.6, 2.4)):
        before = smith.read_bytes()
        proc = subprocess.Popen(add_finding("10.2196/70001", f"killed {n}"), env=cli_env(project),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = smith.read_bytes()
        assert after == before or f"killed {n}" in after.decode()
        read_yaml(smith)
    done = subprocess.run(add_finding("10.2196/70001", "after the kills"), env=cli_env(project),
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr  # the lock died with its holder
    assert not list(project.records.rglob(".*.tmp"))  # and stale temporary files are gone
    validate_graph(project)
