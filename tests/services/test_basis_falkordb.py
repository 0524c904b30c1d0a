"""The studies question, with what each row stands on, on a real Bolt server (FalkorDB)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.sinks.neo4j import BoltWriter
from dta_kg.views.source import load_projection

pytestmark = pytest.mark.services
HE = "10.1186/s12889-022-13115-x"  # ref 38: its design is the curators' guess (low)


def test_min_confidence_on_a_bolt_server_answers_as_the_embedded_engine(falkordb_server,
                                                                         built_project):
    with BoltWriter(falkordb_server.uri, auth=None, retries=2, backoff=0.2) as bolt:
        bolt.push(load_projection(built_project, include_retracted=True))
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def rows(*args: str) -> list[dict]:
        result = CliRunner().invoke(main, ["studies", "--design", "randomised controlled trial",
                                           *args, "--format", "json"], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    remote = rows("--neo4j-uri", falkordb_server.uri)
    assert remote == rows("--lang", "cypher") and HE in {r["doi"] for r in remote}
    sure = rows("--neo4j-uri", falkordb_server.uri, "--min-confidence", "medium")
    assert sure == rows("--min-confidence", "medium") and HE not in {r["doi"] for r in sure}
