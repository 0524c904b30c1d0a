"""What a build was made from, and whether build/ is still fresh.

`dta_kg.pipeline.build.build` calls `install_stores` last: it moves the staged Oxigraph and
ladybug stores into build/ and stamps them with the inputs' content hash. `is_fresh` compares
that stamp with the inputs (a signature of file sizes and modification times saves hashing the
contents on every command); `dta_kg.stores.local.ensure_fresh` rebuilds when they differ.

Both the hash and the signature are sums (modulo 2**256) of one SHA-256 per file, so a curator's
write that updates the stores in place can update the stamp for the files it changed alone
(`restamp`), without reading the others.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from dta_kg.core.errors import RecordError
from dta_kg.core.files import install_folder, owning, write_atomic
from dta_kg.core.limits import load_json, open_regular
from dta_kg.core.paths import ONTOLOGY, QC_DIR, SHAPES, Project
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.loaders.records import study_names, study_paths
from dta_kg.loaders.review_text import SOURCES
from dta_kg.loaders.screening import screening_files

OXIGRAPH = "oxigraph"
LADYBUG = "ladybug"
LADYBUG_FILE = "dta-kg.lbug"
VOCABULARY = "vocabulary.json"
STAMP = "stores.json"
RECORD_INDEX = "records.json"  # normalised DOI -> study record file name, as of the stamp


MODULUS = 1 << 256


def _term(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def _hex(total: int) -> str:
    return f"{total % MODULUS:064x}"


def stat_term(path: str) -> int:
    """One file's part of the signature: its path, size and modification time."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:  # a record the build read was removed: one line, no traceback
        raise RecordError(path, "", "is missing", "restore it, or give the records folder that "
                          "holds it (--records)") from None
    return _term(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")


def inputs_signature(project: Project) -> str:
    """A cheap signature of the input files: their names, sizes and modification times."""
    paths = [str(project.review), *map(str, shared_inputs(project))]
    return _hex(sum(map(stat_term, paths)) + _studies_signature(str(project.studies)))


def _studies_signature(folder: str) -> int:
    """The sum of `stat_term` over the study records in `folder` (as `study_names` finds them).
    A sum needs no order, so each record is stat'ed as the folder is read, relative to the
    folder (no path walk): a third less time than by path at 100,000 records."""
    if os.scandir not in os.supports_fd or not os.path.isdir(folder):
        # plain text paths: pathlib costs seconds at 100,000 records
        return sum(stat_term(os.path.join(folder, n)) for n in study_names(Path(folder)))
    prefix, total = os.path.join(folder, ""), 0
    fd = os.open(folder, os.O_RDONLY)
    try:
        with os.scandir(fd) as entries:
            for entry in entries:
                name = entry.name
                if name.endswith(".yaml") and not name.startswith("."):
                    stat = entry.stat(follow_symlinks=False)  # a symlink is refused when read
                    total += _term(f"{prefix}{name}\0{stat.st_size}\0{stat.st_mtime_ns}")
    finally:
        os.close(fd)
    return total


def _write_stamp(project: Project, content_hash: str, signature: str | None = None,
                 files_stale: bool = False) -> None:
    stamp: dict[str, str | bool] = {"content_hash": content_hash,
                                     "inputs": signature or inputs_signature(project)}
    if files_stale:
        stamp["files_stale"] = True
    with owning(project.build):
        write_atomic(project.build / STAMP, json.dumps(stamp, indent=2).encode())


def input_files(project: Project) -> list[Path]:
    """Every file the graph is built from, in a fixed order (for the content hash)."""
    return [project.review, *study_paths(project), *shared_inputs(project)]


def shared_inputs(project: Project) -> list[Path]:
    """The input files besides the review and the study records."""
    inputs = [ONTOLOGY, SHAPES, *sorted(QC_DIR.glob("*.rq"))]
    if os.path.lexists(project.instruments):
        inputs.append(project.instruments)
    inputs += sorted((project.records / SOURCES).glob("*.txt"))  # registered quoted texts
    inputs += screening_files(project)
    return inputs


def file_digest(path: Path) -> str:
    with open_regular(path) as stream:  # a FIFO or device among the inputs: refused, no wait
        return hashlib.file_digest(stream, "sha256").hexdigest()


def content_term(name: str, digest: str) -> int:
    """One file's part of the content hash: its name and the SHA-256 of its bytes."""
    return _term(f"{name}\0{digest}")


def content_hash(project: Project, read: dict[str, str] | None = None,
                 files: list[Path] | None = None) -> str:
    """One hash of the input `files` (default: every input now), each by the SHA-256 of its
    bytes: taken from `read` (path -> digest of the bytes a build actually read) where given,
    else from the file as it is now."""
    total = 0
    for path in input_files(project) if files is None else files:
        known = read.get(str(path)) if read else None
        total += content_term(path.name, known or file_digest(path))
    return _hex(total)


def read_stamp(project: Project) -> dict:
    try:
        return load_json((project.build / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def restamp(project: Project, stamp: dict, changes: list[tuple[Path, str | None, int | None,
                                                                 str]]) -> None:
    """Update the stamp of stores just changed in place for the files `changes` lists, each as
    (path, digest of its bytes before or None when new, its signature term before or None, digest
    now); the file dumps (Turtle, N-Triples, JSON-LD) are marked stale."""
    content, signature = int(stamp["content_hash"], 16), int(stamp["inputs"], 16)
    for path, old_digest, old_stat, new_digest in changes:
        if old_digest is not None:
            content -= content_term(path.name, old_digest)
        if old_stat is not None:
            signature -= old_stat
        content += content_term(path.name, new_digest)
        signature += stat_term(str(path))
    _write_stamp(project, _hex(content), _hex(signature), files_stale=True)


def files_fresh(project: Project) -> bool:
    """True when the file dumps in build/ hold what the (fresh) stores hold."""
    return not read_stamp(project).get("files_stale")


def install_stores(project: Project, staged_oxigraph: Path, staged_ladybug: Path,
                   vocab: Vocabulary, content_hash: str, signature: str | None = None,
                   index: dict[str, str] | None = None) -> list[str]:
    """Move the staged Oxigraph and ladybug stores into build/ and cache the vocabulary
    (ontology and curator-added terms), then stamp the stores as fresh: with `content_hash`
    and the `signature` of the inputs taken before they were read (so a file written during
    the build makes the stamp stale, never the reverse)."""
    for name, staged in ((OXIGRAPH, staged_oxigraph), (LADYBUG, staged_ladybug)):
        beside = project.build / f".{name}-staged-{os.getpid()}"
        os.replace(staged, beside)  # the staging folder is in build/ too: a rename
        with owning(project.build):
            install_folder(beside, project.build / name)
    terms = [asdict(t) for t in vocab.terms.values()]
    with owning(project.build):
        write_atomic(project.build / VOCABULARY, json.dumps(terms, indent=1).encode())
    write_record_index(project, index or {})
    _write_stamp(project, content_hash, signature)
    return [str(project.build / name) for name in (OXIGRAPH, LADYBUG, VOCABULARY)]


def write_record_index(project: Project, index: dict[str, str]) -> None:
    with owning(project.build):
        write_atomic(project.build / RECORD_INDEX, json.dumps(index, sort_keys=True).encode())


_VERDICTS: dict[tuple[str, str], bool] = {}


def fresh_for_write(project: Project) -> bool:
    """`is_fresh`, asked once per stamp by a curator's command that holds the records' lock
    (so the records cannot change under it): at 100,000 records each check stats every file."""
    try:
        folders = [os.stat(p).st_mtime_ns for p in (project.records, project.studies)]
        key = (f"{project.build}\0{folders}", (project.build / STAMP).read_text(encoding="utf-8"))
    except OSError:
        return False
    if key not in _VERDICTS:
        _VERDICTS.clear()
        _VERDICTS[key] = is_fresh(project)
    return _VERDICTS[key]


def record_index(project: Project) -> dict[str, str] | None:
    """Normalised DOI -> study record file name, when the stores are fresh (else None): lets a
    curator's command find a study without reading every record."""
    return load_record_index(project) if fresh_for_write(project) else None


def load_record_index(project: Project) -> dict[str, str] | None:
    """The DOI index as the last build or in-place write left it (None when missing)."""
    try:
        index = load_json((project.build / RECORD_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


def stores_present(project: Project) -> bool:
    """True when the stamp and every store exist (fresh or not)."""
    return all((project.build / name).exists() for name in (STAMP, OXIGRAPH, LADYBUG, VOCABULARY))


def is_fresh(project: Project) -> bool:
    """True when every store exists and was written from the current inputs."""
    stamp = read_stamp(project)
    if not stamp or not stores_present(project):
        return False
    if stamp.get("inputs") == inputs_signature(project):
        return True
    if stamp.get("content_hash") == content_hash(project):
        _write_stamp(project, stamp["content_hash"], files_stale=bool(stamp.get("files_stale")))
        return True  # touched, not changed
    return False
