"""Identical records give byte-identical outputs (issue 25, item 4): the build's graph files and
manifest, every export format, the release (its date given) and the website. The build prints
a short summary; the triples per class, the same from one build to the next, with -v."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import RECORDS

from dta_kg.cli import main
from dta_kg.core.paths import Project
from dta_kg.core.registry import EXPORT_FORMATS, FILE_FORMATS

pytestmark = pytest.mark.slow


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the query stores' own binary files left out), by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not {"oxigraph", "ladybug"} & set(p.relative_to(folder).parts)}


def built(tmp: Path, *args: str, times: int = 2) -> list[tuple[Project, str]]:
    """`dta-kg build` of the curated records `times` times, each into its own folder."""
    out = []
    for name in ("one", "two")[:times]:
        project = Project(records=RECORDS, build=tmp / name / "build")
        result = CliRunner().invoke(main, ["build", "--records", str(RECORDS), "--build-dir",
                                           str(project.build), *args])
        assert result.exit_code == 0, result.output
        out.append((project, result.output))
    return out


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory) -> list[tuple[Project, str]]:
    return built(tmp_path_factory.mktemp("twice"), "-v")


def test_two_builds_of_the_same_records_write_the_same_bytes(two_builds):
    (one, out_one), (two, out_two) = two_builds
    first, second = files_of(one.build), files_of(two.build)
    assert {"dta-kg.nt", "dta-kg.ttl", "dta-kg.jsonld", "manifest.json"} <= set(first)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"
    assert b"_:cb" in first["dta-kg.nt"]  # the ontology's blank nodes, labelled by content
    table = out_one[out_one.index("Triples per class:"):out_one.index("Wrote ")]
    assert table == out_two[out_two.index("Triples per class:"):out_two.index("Wrote ")]
    assert "  Study " in table and "  Finding " in table


def test_every_export_format_is_byte_identical_from_two_builds(two_builds, tmp_path):
    written: dict[str, list[dict[str, bytes]]] = {}
    for i, (project, _) in enumerate(two_builds):
        for fmt in EXPORT_FORMATS:
            out = tmp_path / str(i) / f"dta-kg-{fmt}{FILE_FORMATS[fmt].suffix}"
            out.parent.mkdir(exist_ok=True)
            result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out),
                                               "--records", str(RECORDS), "--build-dir",
                                               str(project.build)])
            assert result.exit_code == 0, result.output
            got = files_of(out) if out.is_dir() else {out.name: out.read_bytes()}
            written.setdefault(fmt, []).append(got)
    for fmt, (first, second) in written.items():
        assert first == second, f"the {fmt} export differs between two builds"


def test_release_and_site_are_byte_identical_from_two_builds(two_builds, tmp_path):
    from dta_kg.site.release import release

    releases, sites = [], []
    for i, (project, _) in enumerate(two_builds):
        folder = tmp_path / f"release-{i}" / "1.0.0"
        folder.parent.mkdir()  # the writer makes no missing parent
        release(project, "1.0.0", folder, created="2026-01-01")  # the one date a release holds
        releases.append(files_of(folder))
        result = CliRunner().invoke(main, ["site", "-o", str(tmp_path / f"site-{i}"), "--records",
                                           str(RECORDS), "--build-dir", str(project.build)])
        assert result.exit_code == 0, result.output
        sites.append(files_of(tmp_path / f"site-{i}"))
    assert "void.ttl" in releases[0] and "neo4j-csv/import.sh" in releases[0]
    for name in releases[0]:
        assert releases[0][name] == releases[1][name], f"release file {name} differs"
    assert releases[0].keys() == releases[1].keys()
    assert "index.html" in sites[0] and sites[0].keys() == sites[1].keys()
    for name in sites[0]:
        assert sites[0][name] == sites[1][name], f"site file {name} differs"


def test_the_build_summary_is_short_unless_verbose(tmp_path):
    ((_, out),) = built(tmp_path, times=1)
    lines = out.strip().splitlines()
    assert len(lines) <= 5, out
    assert "Triples per class" not in out and "studies 28" in out
    assert lines[-1].startswith("Wrote ") and "-v" in lines[-1]
