"""Issue 21, section 1, through the commands: every command that writes files refuses every
spelling of a path into, onto or above the records folder in use and the build's stores, with
one line, before any work, leaving the records byte-identical and nothing new anywhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import RECORDS_DIR, Project

FILE_COMMANDS = {
    **{f"export {fmt}": ["export", "--format", fmt, "-o", "{}"]
       for fmt in ("ttl", "nt", "jsonld", "jsonld-expanded", "trig", "graphml", "gexf", "cypher")},
    "view": ["view", "-o", "{}"],
    "map": ["map", "-o", "{}"],
    "query run --view": ["query", "run", "studies", "-p", "component=bond", "--view", "{}"],
    "prisma": ["prisma", "--scope", "all", "-o", "{}"],
}
FOLDER_COMMANDS = {
    "export neo4j-csv": ["export", "--format", "neo4j-csv", "-o", "{}"],
    "site": ["site", "-o", "{}"],
    "release": ["release", "--version", "1.0.0", "-o", "{}"],
    "docs": ["docs", "--no-examples", "-o", "{}"],
    "build --build-dir": ["build", "--build-dir", "{}"],
}


def file_spellings(records: Path, link: Path) -> list[str]:
    """Files in the records folder, spelled many ways (the link leads to the records)."""
    first = sorted((records / "studies").glob("*.yaml"))[0].name
    return [str(records / "review.yaml"), str(records / "studies" / first),
            str(records / "new.ttl"), f"{records}/studies/../review.yaml",
            f"{records}/./studies//{first}", str(link / "instruments.yaml"),
            f"{link}/studies/new.html", f"{records.parent}/{records.name}/../{records.name}/x.ttl"]


def folder_spellings(records: Path, link: Path) -> list[str]:
    """The records folder, folders in it and folders above it, spelled many ways."""
    return [str(records), f"{records}/", str(records / "studies"), str(records / "new-folder"),
            str(records.parent), f"{records}/..", f"{records}/studies/../..", str(link),
            f"{link}/", f"{link}/studies", f"{records}/../{records.name}/./"]


@pytest.fixture
def spot(project_copy: Project, tmp_path: Path) -> tuple[Project, Path, list[str]]:
    link = tmp_path / "elsewhere" / "to-records"
    link.parent.mkdir()
    link.symlink_to(project_copy.records)
    where = ["--records", str(project_copy.records), "--build-dir", str(tmp_path / "build")]
    return project_copy, link, where


def refused(args: list[str], records: Path, root: Path) -> None:
    before, entries = snapshot(records), sorted(map(str, root.rglob("*")))
    result = CliRunner().invoke(main, args)
    one_line_error(result)
    assert snapshot(records) == before
    assert sorted(map(str, root.rglob("*"))) == entries, "the refused command left something"


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_file_outputs_refuse_every_spelling_of_a_record(spot, tmp_path: Path, command: str):
    """Attack: `-o` (or `--view`) naming a record, a new file in the records folder, through
    `..`, `.`, doubled slashes or a symlink to the folder. Expected: one line each, exit 1,
    no build started, the records byte-identical and no file or folder added anywhere."""
    project, link, where = spot
    for path in file_spellings(project.records, link):
        args = [a.format(path) for a in FILE_COMMANDS[command]] + where
        refused(args, project.records, tmp_path)


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_folder_outputs_refuse_the_records_inside_and_above(spot, tmp_path: Path, command: str):
    """Attack: `dta-kg site -o records` deleted 33 record files, and `site --records R -o
    parent-of-R` the records it was given. Expected: every folder output (and the build
    folder) that is the records folder, lies in it or holds it, by any spelling, is refused
    with one line; the records are byte-identical and nothing is added."""
    project, link, where = spot
    for path in folder_spellings(project.records, link):
        args = [a.format(path) for a in FOLDER_COMMANDS[command]]
        args += where if command != "build --build-dir" else where[:2]
        refused(args, project.records, tmp_path)


def test_outputs_refuse_the_build_stores(built_project: Project, tmp_path: Path):
    """Attack: outputs over the build's stores (a graph file, the Oxigraph folder, the stamp)
    or over the build folder, which commands read while another writes. Expected: refused;
    the stores' files keep their bytes and times."""
    build = built_project.build
    where = ["--records", str(built_project.records), "--build-dir", str(build)]
    stamp = {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in build.rglob("*")}
    cases = [["export", "--format", "ttl", "-o", str(build / "dta-kg.ttl")],
             ["export", "--format", "nt", "-o", f"{build}/oxigraph/../dta-kg.nt"],
             ["export", "--format", "graphml", "-o", str(build / "stores.json")],
             ["view", "-o", str(build / "oxigraph" / "x.html")],
             ["export", "--format", "neo4j-csv", "-o", str(build / "ladybug")],
             ["site", "-o", str(build)], ["docs", "--no-examples", "-o", str(build / "oxigraph")],
             ["release", "--version", "1.0.0", "-o", f"{build}/"]]
    for args in cases:
        one_line_error(CliRunner().invoke(main, [*args, *where]), "build's stores")
    assert {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in build.rglob("*")} == stamp


def test_bench_generate_and_init_refuse_the_records_in_use(project_copy: Project, tmp_path: Path):
    """Attack: `bench generate -o` and `init` aimed into or at the records in use
    (DTA_KG_RECORDS) or, for init, the records it copies. Expected: one line, nothing changed."""
    env = {"DTA_KG_RECORDS": str(project_copy.records)}
    before = snapshot(project_copy.records)
    for target in (project_copy.records, project_copy.records / "studies", project_copy.studies / ".."):
        result = CliRunner().invoke(main, ["bench", "generate", "--studies", "2", "-o",
                                           str(target)], env=env)
        one_line_error(result)
    assert snapshot(project_copy.records) == before
    for target in (project_copy.records / "copy", project_copy.studies / "new"):  # in use
        one_line_error(CliRunner().invoke(main, ["init", str(target)], env=env), "records folder")
    assert snapshot(project_copy.records) == before
    shipped = snapshot(RECORDS_DIR)
    for target in (RECORDS_DIR / "new", RECORDS_DIR / "studies" / "copy", RECORDS_DIR):
        one_line_error(CliRunner().invoke(main, ["init", str(target)]))
    assert snapshot(RECORDS_DIR) == shipped


def test_a_command_that_fails_leaves_no_trace(tmp_path: Path):
    """A mistyped --records, a missing parent of -o, an output refused: the command leaves
    no folder (not even the per-user build folder of the mistyped records) and no file."""
    data = tmp_path / "data"
    env = {"XDG_DATA_HOME": str(data), "DTA_KG_RECORDS": "", "DTA_KG_BUILD": ""}
    runs = [["studies", "--records", str(tmp_path / "typo")],
            ["export", "--format", "ttl", "-o", str(tmp_path / "nonexistent" / "dir" / "x.ttl")],
            ["site", "-o", str(tmp_path / "no" / "site")],
            ["init", str(tmp_path / "missing" / "records")],
            ["bench", "generate", "--studies", "2", "-o", str(tmp_path / "a" / "b")],
            ["build", "--records", str(tmp_path / "typo"), "--build-dir", str(tmp_path / "b")]]
    for args in runs:
        one_line_error(CliRunner().invoke(main, args, env=env))
        assert sorted(os.listdir(tmp_path)) == [], args
