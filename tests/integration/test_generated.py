"""Every file derived from the schema, the registry and the records is up to date, and
generating it is byte-deterministic (issue 25, item 2): `make generate` writes them all."""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from dta_kg.core import record_schema
from dta_kg.core.model import PopulationReport
from dta_kg.core.paths import PACKAGE_ROOT
from dta_kg.core.record_schema import INTEGER, Slot, slots
from dta_kg.views.generated import SECTIONS, WHOLE, generated, stale, write_generated

DERIVED = sorted({*WHOLE, *(path for path, _, _ in SECTIONS)})


def test_no_generated_file_is_stale(built_project):
    assert stale(PACKAGE_ROOT, built_project) == [], "run `make generate` and commit what it writes"


def test_generating_twice_gives_the_same_bytes(built_project):
    assert generated(PACKAGE_ROOT, built_project) == generated(PACKAGE_ROOT, built_project)


@pytest.fixture
def checkout_copy(tmp_path):
    """The derived files of the checkout, copied into a folder of the same layout."""
    for path in DERIVED:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE_ROOT / path, tmp_path / path)
    return tmp_path


def test_a_new_slot_leaves_the_shapes_stale_until_generated(built_project, checkout_copy,
                                                            monkeypatch):
    """Adding a scalar field is one slot, then `make generate`: the shapes follow from it."""
    sample_size = dataclasses.replace(Slot(INTEGER, predicate="dta:sampleSize", bounds=(1, 10**7),
                                           about="sample size"), name="sample_size", key="sample_size")
    monkeypatch.setitem(record_schema._SLOTS, PopulationReport,
                        (*slots(PopulationReport), sample_size))
    assert stale(checkout_copy, built_project) == ["ontology/shapes.ttl"]
    assert write_generated(checkout_copy, built_project) == ["ontology/shapes.ttl"]
    assert "dta:sampleSize" in (checkout_copy / "ontology/shapes.ttl").read_text(encoding="utf-8")
    assert stale(checkout_copy, built_project) == []


def test_a_hand_edit_of_a_generated_section_is_stale(built_project, checkout_copy):
    readme = checkout_copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| `gexf` |", "| `gexf2` |"),
                      encoding="utf-8")
    assert stale(checkout_copy, built_project) == ["README.md"]
