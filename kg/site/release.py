"""`dta-kg release`: a citable, versioned bundle of the built graph in one folder.

The graph in Turtle, N-Triples and JSON-LD (with a context), the neo4j-admin CSV and GraphML;
the ontology with its owl:versionIRI set to the release; VoID and DCAT; CITATION.cff;
CHANGELOG.md, the Markdown diff from the previous release; and ro-crate-metadata.json, checked
last: a release whose crate does not parse or names a missing file is not left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import cast

from pyoxigraph import QuerySolutions

from dta_kg.core.files import check_folder, write_folder
from dta_kg.core.iris import DEFAULT_GRAPH_IRI, ONTOLOGY_IRI
from dta_kg.core.limits import RELEASE_FILE_BYTES, read_text_input
from dta_kg.core.paths import ONTOLOGY, Project
from dta_kg.pipeline.jsonld import CONTEXT_FILE
from dta_kg.sinks.exports import built_projection, write_neo4j_csv, write_network
from dta_kg.stores.local import sparql_store

from .diff import diff, markdown
from .metadata import RO_CRATE, ReleaseError, check_release, citation_cff, ro_crate, void_turtle
from .snapshot import GRAPH_FILE, Snapshot, read_path, read_project, review_authors

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
Notify = Callable[[str], None] | None


def parse_version(text: str) -> tuple[int, int, int]:
    match = VERSION.match(text)
    if not match:
        raise ReleaseError(f"version '{text}' is not X.Y.Z; give three numbers, e.g. 1.0.0")
    return int(match[1]), int(match[2]), int(match[3])


def previous_release(out: Path, version: str) -> Path | None:
    """The highest X.Y.Z folder beside `out` below `version` that holds a graph, if any."""
    mine = parse_version(version)
    found = []
    if out.parent.is_dir():
        for folder in out.parent.iterdir():
            if VERSION.match(folder.name) and (folder / GRAPH_FILE).is_file() \
                    and parse_version(folder.name) < mine and folder.resolve() != out.resolve():
                found.append((parse_version(folder.name), folder))
    return max(found)[1] if found else None


def release(project: Project, version: str, out: Path, *, previous: Path | None = None,
            created: str | None = None, notify: Notify = None) -> str:
    """Write release `version` of the project's build to `out`; say what was written."""
    parse_version(version)
    check_folder(out)
    previous = previous or previous_release(out, version)
    if previous is not None and not (previous / GRAPH_FILE).is_file():
        raise ReleaseError(f"{previous}: no {GRAPH_FILE}; --previous must name an earlier release")
    snap = read_project(project, notify)
    created = created or dt.datetime.now(dt.UTC).date().isoformat()
    old = read_path(previous) if previous is not None else None

    def fill(folder: Path) -> None:
        _graph_files(project, folder)
        _ontology(folder / "ontology" / "dta.ttl", version)
        classes = _class_count(project)
        (folder / "CHANGELOG.md").write_text(changelog(snap, version, created, old, previous),
                                              encoding="utf-8")
        cff = citation_cff(snap, version, created, review_authors(project))
        (folder / "CITATION.cff").write_text(cff, encoding="utf-8")
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        (folder / "void.ttl").write_text(void_turtle(snap, version, created, files, classes),
                                          encoding="utf-8")
        crate = ro_crate(folder, snap, version, created)
        (folder / RO_CRATE).write_text(json.dumps(crate, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
        problems = check_release(folder)
        if problems:
            raise ReleaseError(f"release {version} does not validate: {problems[0]}")

    write_folder(out, fill)
    since = f" (changes since {previous.name})" if previous is not None else ""
    return (f"release {version}: {len(snap.studies)} studies, {len(snap.facts)} facts, "
            f"{snap.triples} triples in {out}{since}")


def _graph_files(project: Project, folder: Path) -> None:
    for ext in ("ttl", "nt", "jsonld"):
        shutil.copyfile(project.build / f"dta-kg.{ext}", folder / f"dta-kg.{ext}")
    shutil.copyfile(CONTEXT_FILE, folder / "context.jsonld")  # the context dta-kg.jsonld uses
    pg = built_projection(project)
    write_network(pg, folder / "dta-kg.graphml", "graphml")
    write_neo4j_csv(pg, folder / "neo4j-csv", DEFAULT_GRAPH_IRI)


def _ontology(path: Path, version: str) -> None:
    """The ontology with owl:versionIRI and owl:versionInfo of this release, else unchanged."""
    text = ONTOLOGY.read_text(encoding="utf-8")
    text, n = re.subn(r"owl:versionIRI <[^>]*>", f"owl:versionIRI <{ONTOLOGY_IRI}/{version}>", text,
                      count=1)
    text, m = re.subn(r'owl:versionInfo "[^"]*"', f'owl:versionInfo "{version}"', text, count=1)
    if n != 1 or m != 1:
        raise ReleaseError(f"{ONTOLOGY}: no owl:versionIRI and owl:versionInfo to set; add them "
                           "to the owl:Ontology")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _class_count(project: Project) -> int:
    answer = sparql_store(project).query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }")
    rows = list(cast(QuerySolutions, answer))  # a SELECT answers solutions
    return int(rows[0]["n"].value)


def changelog(snap: Snapshot, version: str, created: str, old: Snapshot | None,
              previous: Path | None) -> str:
    """CHANGELOG.md: this release's changes from the previous one, then the previous log."""
    head = ["# Changelog", "", f"# {version} ({created})", ""]
    if old is None or previous is None:
        body = [f"First release: {len(snap.studies)} studies and {len(snap.facts)} facts.", ""]
        return "\n".join(head + body)
    section = markdown(diff(old, snap, previous.name, version)).replace("## ", "### ", 1)
    earlier = previous / "CHANGELOG.md"
    history = read_text_input(earlier, RELEASE_FILE_BYTES, "a changelog", "check the "
                              "previous release").removeprefix("# Changelog\n") \
        if os.path.lexists(earlier) else ""
    return "\n".join(head) + section.replace("\n### ", "\n#### ") + history
