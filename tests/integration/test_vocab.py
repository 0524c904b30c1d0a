"""`dta-kg vocab`: the valid terms of each list, and errors that point to it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dta_kg.cli import main


@pytest.fixture(scope="module")
def cli(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    return lambda *args: CliRunner().invoke(main, [str(a) for a in args], env=env)


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_vocab_lists_the_lists_with_their_sizes(cli):
    rows = {r["list"]: r["terms"] for r in _json(cli("vocab", "--format", "json"))}
    assert rows["components"] == 5 and rows["intervention-types"] == 6
    assert set(rows) >= {"components", "instruments", "themes", "factors", "designs",
                         "intervention-types", "populations"}


def test_components_come_with_labels_and_synonyms(cli):
    rows = {r["id"]: r for r in _json(cli("vocab", "components", "--format", "json"))}
    assert rows["therapeutic-bond"]["label"] == "therapeutic bond"
    assert "bond" in rows["therapeutic-bond"]["synonyms"]
    assert "engagement" in rows["user-engagement"]["synonyms"]


def test_instruments_list_subscales_and_what_they_measure(cli):
    rows = {r["label"]: r for r in _json(cli("vocab", "instruments", "--format", "json"))}
    assert rows["WAI-SR bond subscale"]["subscale_of"] == "Working Alliance Inventory-Short Revised"
    assert rows["WAI-SR bond subscale"]["measures"] == ["therapeutic bond"]
    assert "WAI-SR" in rows["Working Alliance Inventory-Short Revised"]["synonyms"]


def test_factors_and_populations_come_from_the_studies(cli):
    factors = _json(cli("vocab", "factors", "--format", "json"))
    assert any(f["factor"] == "anthropomorphic features" for f in factors)
    assert {f["polarity"] for f in factors} == {"facilitator", "barrier"}
    populations = [p["population"] for p in _json(cli("vocab", "populations", "--format", "json"))]
    assert "university students" in populations


def test_an_unknown_term_points_to_the_list(cli):
    result = cli("studies", "--component", "bnd")
    assert result.exit_code != 0
    assert "closest: therapeutic-bond" in result.output
    assert "dta-kg vocab components" in result.output
