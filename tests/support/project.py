"""The curated records the tests copy, and a snapshot of a folder's bytes."""

from __future__ import annotations

from pathlib import Path

from dta_kg.core.paths import PACKAGE_ROOT

RECORDS = PACKAGE_ROOT / "records"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, to prove a command changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}
