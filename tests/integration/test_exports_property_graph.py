"""The property graph as its users' tools read it: typed years and datetimes in the Cypher
store, the neo4j-admin CSVs, the Cypher script and the Neo4j push; human captions on facts;
GraphML and GEXF without machine columns."""

from __future__ import annotations

import csv
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from rdflib import Graph

from dta_kg.cli import main
from dta_kg.pipeline.projection import project as projection
from dta_kg.query.session import Session
from dta_kg.sinks.neo4j import write_statements

BEATTY = "https://w3id.org/dta-kg/id/study-10-3389-fdgth-2022-847991"


@pytest.fixture(scope="module")
def pg(built_project):
    return projection(Graph().parse(built_project.build / "dta-kg.nt", format="nt"))


@pytest.fixture(scope="module")
def export(built_project, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pg-exports")
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def run(fmt: str, name: str):
        out = folder / name
        result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        return out

    return run


def test_year_is_a_number_in_the_cypher_store(built_project):
    session = Session(built_project)
    rows = session.cypher("MATCH (s:Study) WHERE s.year >= 2024 RETURN s.shortCitation AS c, "
                          "s.year AS y ORDER BY c").rows
    assert rows and all(isinstance(r["y"], int) and r["y"] >= 2024 for r in rows)
    assert "Ashur et al 2024" in [r["c"] for r in rows]
    beatty = session.cypher("MATCH (s:Study {iri: $iri}) RETURN s.year AS y, "
                            "s.generatedAtTime AS t", {"iri": BEATTY}).rows
    assert beatty[0]["y"] == 2022 and isinstance(beatty[0]["t"], dt.datetime)


def test_neo4j_csv_headers_type_years_and_datetimes(export):
    folder = export("neo4j-csv", "neo4j-import")
    with (folder / "nodes-Study.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert "year:int" in header and "generatedAtTime:datetime" in header
    beatty = next(r for r in rows if r[0] == BEATTY)
    assert beatty[header.index("year:int")] == "2022"
    assert dt.datetime.fromisoformat(beatty[header.index("generatedAtTime:datetime")]).tzinfo


def test_cypher_script_writes_datetimes_and_numeric_years(export):
    text = export("cypher", "dta-kg.cypher").read_text(encoding="utf-8")
    assert "`generatedAtTime`: datetime('2026-" in text
    assert "`year`: 2022" in text and "`year`: '2022'" not in text


def test_neo4j_push_sends_datetimes_and_falkordb_gets_text(pg):
    def first_study(datetimes: bool) -> dict:
        for stmt in write_statements(pg, datetimes=datetimes):
            for row in stmt.params.get("rows", []):
                if row.get("iri") == BEATTY:
                    return row["props"]
        raise AssertionError("no Beatty row")

    assert isinstance(first_study(True)["generatedAtTime"], dt.datetime)
    assert first_study(True)["year"] == 2022
    assert isinstance(first_study(False)["generatedAtTime"], str)


def test_facts_and_claims_have_captions_a_person_can_read(pg):
    captions = {n.label: [] for n in pg.nodes}
    for n in pg.nodes:
        captions[n.label].append(n.props["label"])
    for label in ("Finding", "ComponentReport", "ReviewClaim", "DesignReport", "Definition"):
        assert not [c for c in captions[label] if c.startswith(("fact-", "review-"))], label
    assert "Beatty et al 2022: therapeutic bond" in captions["ComponentReport"]
    assert "Liu et al 2022: therapeutic alliance score (therapeutic bond), Cohen's d 0.83" \
        in captions["Finding"]
    assert "studies per component (goal alignment): 16" in captions["ReviewClaim"]


def test_graphml_edges_have_no_id_data_key(export):
    root = ET.parse(export("graphml", "g.graphml")).getroot()
    ns = root.tag[1:].split("}")[0]
    keys = {k.get("attr.name") for k in root.iter(f"{{{ns}}}key") if k.get("for") == "edge"}
    assert "id" not in keys and "label" in keys
    edge = next(root.iter(f"{{{ns}}}edge"))
    assert edge.get("id", "").startswith("e")


def test_gexf_has_no_networkx_key_and_captions_as_labels(export):
    path = export("gexf", "g.gexf")
    assert "networkx_key" not in path.read_text(encoding="utf-8")
    import networkx as nx

    g = nx.read_gexf(path)
    assert g.nodes[BEATTY]["label"] == "Beatty et al 2022"
    assert g.number_of_edges() > 0


def test_cypher_schema_lists_labels_types_and_typed_properties(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    result = CliRunner().invoke(main, ["cypher", "--schema", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    import json

    rows = {(r["kind"], r["name"]): r for r in json.loads(result.output)}
    study = rows["node", "Study"]["properties"]
    assert "year: INT64" in study and "generatedAtTime: TIMESTAMP" in study
    assert "(Finding)->(Study)" in rows["relationship", "ABOUT_STUDY"]["connects"]
    documented = (built_project.records.parent / "docs" / "property-graph.md").read_text(
        encoding="utf-8")
    for kind, name in rows:
        assert f"| {kind} | {name} |" in documented, f"docs/property-graph.md lacks {name}"


def test_evidence_carries_its_source_doi_and_section(pg):
    bond = next(n for n in pg.nodes if n.props["label"] == "Beatty et al 2022: therapeutic bond")
    assert bond.props["sourceDoi"] == "10.2196/69294"
    assert bond.props["section"].startswith("Results")


def test_exports_ship_a_neo4j_browser_style(export):
    folder = export("neo4j-csv", "styled")
    style = (folder / "dta-kg.grass").read_text(encoding="utf-8")
    assert "node.Study {" in style and "caption: '{label}';" in style
    assert "caption: '<type>';" in style
    script = export("cypher", "styled.cypher")
    assert "node.Finding {" in script.with_suffix(".grass").read_text(encoding="utf-8")
