"""Every shell block of README.md and docs/*.md runs verbatim, in order, in a fresh folder.

A newcomer pastes the blocks into a terminal; so does this test, one Markdown file at a time, in
an empty folder holding a copy of examples/ (the files the blocks name), with dta-kg's records
and build pointed at a throw-away copy (DTA_KG_RECORDS, DTA_KG_BUILD). A block that cannot run
here says why, and which test runs it instead, in a comment on the line above it:
`<!-- docs-test: skip, REASON; run by tests/PATH -->` (or `.ci/run`); what it names must exist.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"(?:<!-- docs-test: (?P<directive>[^\n]*?) -->\n)?```(?:sh|bash|shell)\n(?P<body>.*?)```",
                   re.S)
SKIP = re.compile(r"skip, (?P<reason>.+); run by (?P<test>tests/\S+\.py|\.ci/run)")

pytestmark = pytest.mark.slow


def blocks(doc: Path) -> list[tuple[int, str | None, str]]:
    """(line, directive, body) of each shell block of `doc`, in order."""
    text = doc.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start("body")), m.group("directive"), m.group("body"))
            for m in BLOCK.finditer(text)]


def test_every_skipped_block_says_why_and_names_the_test_that_runs_it():
    for doc in DOCS:
        for line, directive, _ in blocks(doc):
            if directive is None:
                continue
            found = SKIP.fullmatch(directive)
            assert found, f"{doc.name}:{line}: write '<!-- docs-test: skip, REASON; run by tests/... -->'"
            assert (ROOT / found["test"]).is_file(), f"{doc.name}:{line}: no {found['test']}"


@pytest.mark.parametrize("doc", [d for d in DOCS if any(b[1] is None for b in blocks(d))],
                         ids=lambda d: d.name)
def test_shell_blocks_run_verbatim_in_a_fresh_folder(doc, tmp_path):
    runnable = [(line, body) for line, directive, body in blocks(doc) if directive is None]
    work = tmp_path / "work"
    work.mkdir()
    if (ROOT / "examples").is_dir():
        shutil.copytree(ROOT / "examples", work / "examples")
    records, build = tmp_path / "records", tmp_path / "build"
    shutil.copytree(ROOT / "records", records, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    env = {**os.environ, "DTA_KG_RECORDS": str(records), "DTA_KG_BUILD": str(build),
           "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "COLUMNS": "100"}
    env.pop("DTA_KG_CURATOR", None)  # a block that writes must set its curator itself
    (tmp_path / "home").mkdir()
    script = "set -e\n" + "".join(f"echo '>>> {doc.name}:{line}' >&2\n{body}" for line, body in runnable)
    result = subprocess.run(["bash", "-c", script], cwd=work, env=env, capture_output=True, text=True,
                            timeout=900, stdin=subprocess.DEVNULL)
    if result.returncode:
        at = [m for m in re.findall(r">>> (\S+)", result.stderr)][-1:]
        pytest.fail(f"the block at {at} failed (exit {result.returncode}):\n"
                    f"{result.stderr[-3000:]}\n{result.stdout[-1500:]}")
