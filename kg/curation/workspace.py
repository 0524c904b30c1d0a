"""`dta-kg init`: a copy of the shipped records that a curator can edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from dta_kg.core.errors import DtaKgError
from dta_kg.core.paths import RECORDS_DIR


class InitError(DtaKgError):
    """The folder to copy the records into cannot be used."""


def init_records(target: Path, source: Path = RECORDS_DIR) -> int:
    """Copy the curated records (review, studies, instruments, the review's text and the
    curators' README) from `source` into `target`, which must be missing or empty; returns the
    number of study records copied."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InitError(f"{target}: is not an empty folder; give a new or empty folder to copy "
                        "the records into")
    try:
        shutil.copytree(source, target, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__init__.py", "__pycache__", ".*"))
    except OSError as exc:
        raise InitError(f"{target}: cannot copy the records there ({exc.strerror or exc}); "
                        "choose a folder you can write to") from exc
    return sum(1 for _ in (target / "studies").glob("*.yaml"))
