"""One rule types a property in every typed target: the embedded Cypher store's columns (full
build and in-place writes alike) and the neo4j-admin CSV headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dta_kg.pipeline.store_writer import column_type
from dta_kg.sinks.neo4j_csv import csv_type

WHEN = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("key", "values", "column", "header"), [
    ("retracted", [True, False], "BOOLEAN", "boolean"),
    ("year", [2022, 2024], "INT64", "int"),
    ("big", [2**40], "INT64", "long"),
    ("resultValue", [1, 2.5], "DOUBLE", "double"),
    ("generatedAtTime", ["2026-12-01T12:00:00Z"], "TIMESTAMP", "datetime"),
    ("invalidatedAtTime", [WHEN], "TIMESTAMP", "datetime"),
    ("altLabels", [["empathy", "warmth"]], "STRING[]", "string[]"),
    ("label", ["x", 1], "STRING", "string"),
    ("flagOrCount", [True, 1], "STRING", "string"),  # a bool is not a count
    ("quote", ["2026-12-01T12:00:00Z"], "STRING", "string"),  # ISO text elsewhere stays text
])
def test_each_target_types_a_property_by_the_same_rule(key, values, column, header):
    assert column_type(key, {type(v) for v in values}) == column
    assert csv_type(values, key) == header

