"""Where the project's files live: records, ontology and build output."""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = Path(str(files("dta_kg.ontology")))
ONTOLOGY = ONTOLOGY_DIR / "dta.ttl"
SHAPES = ONTOLOGY_DIR / "shapes.ttl"
QC_DIR = ONTOLOGY_DIR / "qc"


@dataclass(frozen=True)
class Project:
    """A working copy of the graph: its records folder and its build folder."""

    records: Path
    build: Path

    @property
    def studies(self) -> Path:
        return self.records / "studies"

    @property
    def review(self) -> Path:
        return self.records / "review.yaml"

    @property
    def instruments(self) -> Path:
        return self.records / "instruments.yaml"

    @classmethod
    def default(cls) -> Project:
        """The project named by DTA_KG_RECORDS / DTA_KG_BUILD, else this repository's."""
        records = Path(os.environ.get("DTA_KG_RECORDS", PACKAGE_ROOT / "records"))
        build = Path(os.environ.get("DTA_KG_BUILD", PACKAGE_ROOT / "build"))
        return cls(records=records, build=build)
