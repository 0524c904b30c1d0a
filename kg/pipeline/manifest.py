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


def _write_stamp(project: Project, content_hash: str, signature: str | None = None) -> None:
    stamp = {"content_hash": content_hash, "inputs": signature or inputs_signature(project)}
    write_atomic(project.build / STAMP, json.dumps(stamp, indent=2).encode())


def input_files(project: Project) -> list[Path]:
    """Every file the graph is built from, in a fixed order (for the content hash)."""
    return [project.review, *study_paths(project), *shared_inputs(project)]


def shared_inputs(project: Project) -> list[Path]:
    """The input files besides the review and the study records."""
    inputs = [ONTOLOGY, SHAPES, *sorted(QC_DIR.glob("*.rq"))]
    if project.instruments.exists():
        inputs.append(project.instruments)
    return inputs


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content_hash(project: Project, read: dict[str, str] | None = None,
                 files: list[Path] | None = None) -> str:
    """One hash of the input `files` (default: every input now), each by the SHA-256 of its
    bytes: taken from `read` (path -> digest of the bytes a build actually read) where given,
    else from the file as it is now."""
    digest = hashlib.sha256()
    for path in input_files(project) if files is None else files:
        digest.update(path.name.encode())
        known = read.get(str(path)) if read else None
        digest.update((known or file_digest(path)).encode())
    return digest.hexdigest()


def install_stores(project: Project, staged_oxigraph: Path, staged_ladybug: Path,
                   vocab: Vocabulary, content_hash: str, signature: str | None = None) -> list[str]:
    """Move the staged Oxigraph and ladybug stores into build/ and cache the vocabulary
    (ontology and curator-added terms), then stamp the stores as fresh: with `content_hash`
    and the `signature` of the inputs taken before they were read (so a file written during
    the build makes the stamp stale, never the reverse)."""
    for name, staged in ((OXIGRAPH, staged_oxigraph), (LADYBUG, staged_ladybug)):
        def move_in(folder: Path, staged: Path = staged) -> None:
            folder.rmdir()
            os.replace(staged, folder)

        replace_dir(project.build / name, move_in)
    terms = [asdict(t) for t in vocab.terms.values()]
    write_atomic(project.build / VOCABULARY, json.dumps(terms, indent=1).encode())
    _write_stamp(project, content_hash, signature)
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


