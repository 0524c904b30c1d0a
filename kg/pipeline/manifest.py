"""What a build was made from, and whether build/ is still fresh.

`dta_kg.pipeline.build.build` calls `install_stores` last: it moves the staged Oxigraph and
ladybug stores into build/ and stamps them with the inputs' content hash. `is_fresh` compares
that stamp with the inputs (a signature of file sizes and modification times saves hashing the
contents on every command); `dta_kg.stores.local.ensure_fresh` rebuilds when they differ.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from dta_kg.core.files import replace_dir, write_atomic
from dta_kg.core.paths import ONTOLOGY, QC_DIR, SHAPES, Project
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.loaders.records import study_names, study_paths
from dta_kg.loaders.review_text import SOURCES

OXIGRAPH = "oxigraph"
LADYBUG = "ladybug"
LADYBUG_FILE = "dta-kg.lbug"
VOCABULARY = "vocabulary.json"
STAMP = "stores.json"


def inputs_signature(project: Project) -> str:
    """A cheap signature of the input files: their names, sizes and modification times."""
    folder = str(project.studies)
    paths = [str(project.review), *(os.path.join(folder, name) for name in study_names(project.studies)),
             *map(str, shared_inputs(project))]
    lines = []
    for path in paths:  # plain text paths: pathlib costs seconds at 100,000 records
        stat = os.stat(path)
        lines.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _write_stamp(project: Project, content_hash: str) -> None:
    stamp = {"content_hash": content_hash, "inputs": inputs_signature(project)}
    write_atomic(project.build / STAMP, json.dumps(stamp, indent=2).encode())


def input_files(project: Project) -> list[Path]:
    """Every file the graph is built from, in a fixed order (for the content hash)."""
    return [project.review, *study_paths(project), *shared_inputs(project)]


def shared_inputs(project: Project) -> list[Path]:
    """The input files besides the review and the study records."""
    inputs = [ONTOLOGY, SHAPES, *sorted(QC_DIR.glob("*.rq"))]
    if project.instruments.exists():
        inputs.append(project.instruments)
    inputs += sorted((project.records / SOURCES).glob("*.txt"))  # registered quoted texts
    return inputs


def content_hash(project: Project) -> str:
    digest = hashlib.sha256()
    for path in input_files(project):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()



def install_stores(project: Project, staged_oxigraph: Path, staged_ladybug: Path,
                   vocab: Vocabulary, content_hash: str) -> list[str]:
    """Move the staged Oxigraph and ladybug stores into build/ and cache the vocabulary
    (ontology and curator-added terms), then stamp the stores as fresh."""
    for name, staged in ((OXIGRAPH, staged_oxigraph), (LADYBUG, staged_ladybug)):
        def move_in(folder: Path, staged: Path = staged) -> None:
            folder.rmdir()
            os.replace(staged, folder)

        replace_dir(project.build / name, move_in)
    terms = [asdict(t) for t in vocab.terms.values()]
    write_atomic(project.build / VOCABULARY, json.dumps(terms, indent=1).encode())
    _write_stamp(project, content_hash)
    return [str(project.build / name) for name in (OXIGRAPH, LADYBUG, VOCABULARY)]


def stores_present(project: Project) -> bool:
    """True when the stamp and every store exist (fresh or not)."""
    return all((project.build / name).exists() for name in (STAMP, OXIGRAPH, LADYBUG, VOCABULARY))


def is_fresh(project: Project) -> bool:
    """True when every store exists and was written from the current inputs."""
    try:
        stamp = json.loads((project.build / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not stores_present(project):
        return False
    if stamp.get("inputs") == inputs_signature(project):
        return True
    if stamp.get("content_hash") == content_hash(project):
        _write_stamp(project, stamp["content_hash"])  # touched, not changed
        return True
    return False


