"""A build is stamped with the bytes it read: a write during the build leaves it stale
(issue 13, defect 4)."""

from __future__ import annotations

import json

from dta_kg.pipeline.build import build
from dta_kg.pipeline.manifest import STAMP, content_hash, is_fresh


def test_a_record_written_during_the_build_leaves_the_stores_stale(project_copy):
    record = project_copy.studies / "ref-25-beatty-2022.yaml"
    original = record.read_bytes()
    written: list[str] = []

    def curator_writes_after_the_records_were_read(line: str) -> None:
        if "records" in line and not written:
            record.write_bytes(original + b"# edited while the build ran\n")
            written.append(line)

    build(project_copy, log=curator_writes_after_the_records_were_read)
    assert written, "the build never reported reading the records"
    assert not is_fresh(project_copy)
    stamp = json.loads((project_copy.build / STAMP).read_text(encoding="utf-8"))
    assert stamp["content_hash"] != content_hash(project_copy)
    record.write_bytes(original)  # the bytes the build read: fresh again
    assert is_fresh(project_copy)


def test_an_untouched_build_is_fresh(project_copy):
    build(project_copy)
    assert is_fresh(project_copy)
    manifest = json.loads((project_copy.build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["content_hash"] == content_hash(project_copy)
