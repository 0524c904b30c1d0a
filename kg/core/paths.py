"""Where the project's files live: records, ontology and build output.

The ontology, the queries, the curated records and the review's text are package data, found
with importlib.resources, so an installed wheel works from any folder. In a checkout (editable
install) they are the checkout's own folders and the build goes to its build/; installed from a
wheel, the build goes to a per-user data folder, never into site-packages.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = Path(str(files("dta_kg.ontology")))
ONTOLOGY = ONTOLOGY_DIR / "dta.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
REASONED = ONTOLOGY_DIR / "reasoned.json"  # OWL RL's answer on dta.ttl, by `make generate`
QC_DIR = ONTOLOGY_DIR / "qc"
RECORDS_DIR = Path(str(files("dta_kg.records")))  # the curated records shipped with dta-kg
REVIEW_TEXT = RECORDS_DIR / "source" / "dta-integrative-review-2025.txt"


def checkout() -> Path | None:
    """The source checkout dta-kg runs from (an editable install), or None when installed."""
    root = PACKAGE_ROOT
    if (root / "pyproject.toml").is_file() and RECORDS_DIR == root / "records":
        return root
    return None


def user_data_dir() -> Path:
    """dta-kg's per-user data folder (XDG_DATA_HOME/dta-kg on Linux)."""
    # lazy: platformdirs (~2-7 ms) serves an installed wheel only; a checkout and --help never use it
    import platformdirs

    return Path(platformdirs.user_data_dir("dta-kg", appauthor=False))


def default_build(records: Path) -> Path:
    """Where the graph of `records` is built unless told: the checkout's build/ for its own
    records; otherwise a folder of the per-user data folder, one per records folder."""
    root = checkout()
    if root is not None and records == root / "records":
        return root / "build"
    if records == RECORDS_DIR:
        return user_data_dir() / "build"
    real = os.path.realpath(records)
    key = hashlib.sha256(real.encode()).hexdigest()[:12]
    return user_data_dir() / "builds" / f"{Path(real).name or 'records'}-{key}"


# what the build writes in its folder: the graph files, the query stores and their stamps
BUILD_STORES = ("dta-kg.nt", "dta-kg.ttl", "dta-kg.jsonld", "manifest.json", "oxigraph", "ladybug",
                "vocabulary.json", "stores.json", "records.json", ".build.lock")


@dataclass(frozen=True)
class Project:
    """A working copy of the graph: its records folder and its build folder."""

    records: Path
    build: Path

    @property
    def studies(self) -> Path:
        return self.records / "studies"

    @property
    def screening(self) -> Path:
        """The living review's screening records (search runs, reasons, decisions)."""
        return self.records / "screening"

    @property
    def review(self) -> Path:
        return self.records / "review.yaml"

    @property
    def instruments(self) -> Path:
        return self.records / "instruments.yaml"

    @property
    def stores(self) -> list[Path]:
        """What the build writes in the build folder, which commands read."""
        return [self.build / name for name in BUILD_STORES]

    @classmethod
    def default(cls) -> Project:
        """The project named by DTA_KG_RECORDS / DTA_KG_BUILD, else the shipped records."""
        return cls.of(os.environ.get("DTA_KG_RECORDS"), os.environ.get("DTA_KG_BUILD"))

    @classmethod
    def of(cls, records: str | Path | None = None, build: str | Path | None = None) -> Project:
        """The project of `records` (default: the shipped records), built into `build`
        (default: see `default_build`)."""
        folder = Path(records) if records else RECORDS_DIR
        return cls(records=folder, build=Path(build) if build else default_build(folder))
