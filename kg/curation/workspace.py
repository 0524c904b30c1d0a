"""`dta-kg init`: a copy of the shipped records that a curator can edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from dta_kg.core.files import check_folder, guarded, records_guard, write_folder
from dta_kg.core.paths import RECORDS_DIR


def init_records(target: Path, source: Path = RECORDS_DIR) -> int:
    """Copy the curated records (review, studies, instruments, the review's text and the
    curators' README) from `source` into `target`, which must be missing or empty and whose
    parent folder must exist; returns the number of study records copied."""
    def fill(folder: Path) -> None:
        shutil.copytree(source, folder, dirs_exist_ok=True, symlinks=True,
                        ignore=shutil.ignore_patterns("__init__.py", "__pycache__", ".*"))

    with guarded([records_guard(source)]):
        check_folder(target, replace=False)
        write_folder(target, fill, replace=False)
    return sum(1 for _ in (target / "studies").glob("*.yaml"))
