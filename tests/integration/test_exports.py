"""Exports of the built curated graph: RDF round trips, GraphML/GEXF, the Cypher script and
the neo4j-admin CSVs (headers checked against Neo4j's documented import header format)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from dta_kg.cli import main
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.pipeline.projection import project as projection
from dta_kg.sinks.exports import cypher_literal, cypher_script, inline, network

G = "https://w3id.org/dta-kg/graph"
# neo4j-admin database import, "Property data types": these types, each optionally with []
NEO4J_TYPES = ("int", "long", "float", "double", "boolean", "byte", "short", "char", "string",
               "point", "date", "localtime", "time", "localdatetime", "datetime", "duration")
PROPERTY_FIELD = re.compile(rf"^[A-Za-z_][A-Za-z0-9_]*:({'|'.join(NEO4J_TYPES)})(\[\])?$")


@pytest.fixture(scope="module")
def built(built_project):
    return Graph().parse(built_project.build / "dta-kg.nt", format="nt")


@pytest.fixture(scope="module")
def pg(built):
    return projection(built)


@pytest.fixture(scope="module")
def export(built_project, tmp_path_factory):
    """Run `dta-kg export --format FMT -o PATH` on the built project; returns PATH."""
    folder = tmp_path_factory.mktemp("exports")
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def run(fmt: str, name: str | None = None):
        out = folder / (name or f"dta-kg.{fmt}")
        result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        assert str(out) in result.output
        return out

    return run


@pytest.mark.parametrize("fmt,parser", [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")])
def test_rdf_exports_are_isomorphic_to_the_build(export, built, fmt, parser):
    exported = Graph().parse(export(fmt), format=parser)
    assert len(exported) == len(built)
    assert isomorphic(exported, built)


def test_trig_holds_the_build_as_one_named_graph(export, built):
    dataset = Dataset()
    dataset.parse(export("trig"), format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == {G}
    assert isomorphic(dataset.graph(URIRef(G)), built)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_exports_keep_the_projection(export, pg, fmt):
    import networkx as nx

    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    g = read(export(fmt))
    assert g.number_of_nodes() == len(pg.nodes)
    assert g.number_of_edges() == len(pg.edges)
    beatty = g.nodes["https://w3id.org/dta-kg/id/study-10-3389-fdgth-2022-847991"]
    assert beatty["type"] == "Study" and beatty["label"] == "Beatty et al 2022"
    assert json.loads(beatty["authors"])[0] == "Beatty C"
    assert isinstance(beatty["referenceNumber"], int)
    want = {(e.source, e.target, e.type) for e in pg.edges}
    assert {(u, v, d["label"]) for u, v, d in g.edges(data=True)} == want


def test_network_attributes_are_scalar_and_of_one_type():
    pg = PropertyGraph([Node("urn:a", "Study", {"v": 1, "l": ["x", "y"], "m": "t"}),
                        Node("urn:b", "Study", {"v": 2.5, "m": 3, "flag": True})],
                       [Edge("urn:a", "urn:b", "CITES", {"w": 1}), Edge("urn:b", "urn:a", "CITES")])
    g = network(pg)
    assert g.nodes["urn:a"]["v"] == 1.0 and isinstance(g.nodes["urn:a"]["v"], float)
    assert g.nodes["urn:a"]["l"] == '["x", "y"]'
    assert (g.nodes["urn:a"]["m"], g.nodes["urn:b"]["m"]) == ("t", "3")
    assert sorted(d["label"] for _, _, d in g.edges(data=True)) == ["CITES", "CITES"]
    assert len({k for _, _, k in g.edges(keys=True)}) == 2  # unique edge ids


def _header(path):
    with path.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f))


def test_neo4j_csv_headers_follow_the_import_format(export, pg):
    folder = export("neo4j-csv", "neo4j")
    node_files = sorted(folder.glob("nodes-*.csv"))
    rel_files = sorted(folder.glob("relationships-*.csv"))
    assert len(node_files) == len({n.label for n in pg.nodes})
    assert len(rel_files) == len({e.type for e in pg.edges})
    ids, nodes = set(), 0
    for path in node_files:
        head = _header(path)
        assert head[:2] == ["iri:ID", ":LABEL"]
        assert all(PROPERTY_FIELD.match(field) for field in head[2:]), head
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        nodes += len(rows)
        ids |= {r["iri:ID"] for r in rows}
        assert {r[":LABEL"] for r in rows} == {path.stem.removeprefix("nodes-")}
        for r in rows:  # booleans are exactly true/false, which is what the importer reads
            assert all(r[k] in ("", "true", "false") for k in r if k.endswith(":boolean"))
    assert nodes == len(ids) == len(pg.nodes)
    rels = 0
    for path in rel_files:
        head = _header(path)
        assert head[:3] == [":START_ID", ":END_ID", ":TYPE"]
        assert all(PROPERTY_FIELD.match(field) for field in head[3:]), head
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        rels += len(rows)
        assert all(r[":START_ID"] in ids and r[":END_ID"] in ids for r in rows)
    assert rels == len(pg.edges)

    study = next(r for r in csv.DictReader((folder / "nodes-Study.csv").open(encoding="utf-8"))
                 if r["iri:ID"].endswith("fdgth-2022-847991"))
    assert study["authors:string[]"].split(";") == ["Beatty C", "Malik T", "Meheli S", "Sinha C"]
    assert study["referenceNumber:int"] == "25" and study["dta_kg_graph:string"] == G
    script = (folder / "import.sh").read_text()
    assert "neo4j-admin\" database import full" in script and "--array-delimiter=';'" in script
    assert all(f"={p.name}" in script for p in node_files + rel_files)


def test_neo4j_csv_picks_an_array_delimiter_no_value_contains(tmp_path):
    from dta_kg.sinks.exports import write_neo4j_csv

    pg = PropertyGraph([Node("urn:a", "Term", {"alt": ["a;b", "c"], "n": 2**40})], [])
    write_neo4j_csv(pg, tmp_path, G)
    head = _header(tmp_path / "nodes-Term.csv")
    assert head == ["iri:ID", ":LABEL", "alt:string[]", "n:long", "dta_kg_graph:string"]
    assert "urn:a,Term,a;b|c," in (tmp_path / "nodes-Term.csv").read_text()
    assert "--array-delimiter='|'" in (tmp_path / "import.sh").read_text()


def test_cypher_literals_escape_what_cypher_needs():
    assert cypher_literal("it's a \\ \n \x01 é") == "'it\\'s a \\\\ \\n \\u0001 é'"
    assert cypher_literal({"a b": [1, 2.5, True, None]}) == "{`a b`: [1, 2.5, true, null]}"
    assert inline("MERGE (n {iri: $iri}) SET n.x = $x", {"iri": "urn:a", "x": [1]}) == (
        "MERGE (n {iri: 'urn:a'}) SET n.x = [1]")
    with pytest.raises(Exception, match=r"\$y has no value"):
        inline("RETURN $y", {})


def test_cypher_script_is_constraints_then_merges(export, pg):
    text = export("cypher").read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.startswith("//"))
    statements = [s.strip() for s in code.split(";\n") if s.strip()]
    constraints = [s for s in statements if s.startswith("CREATE CONSTRAINT")]
    merges = [s for s in statements if s.startswith("UNWIND [")]
    assert statements == constraints + merges  # constraints first, nothing else
    assert len(constraints) == len({n.label for n in pg.nodes})
    assert all("IF NOT EXISTS" in s and "REQUIRE n.iri IS UNIQUE" in s for s in constraints)
    assert all("MERGE (" in s for s in merges) and "CREATE (" not in code
    assert not any(re.search(r"\$(rows|graph|push)\b", s) for s in merges)  # all written out
    assert sum(int(m) for m in re.findall(r"// nodes: (\d+) row", text)) == len(pg.nodes)
    assert sum(int(m) for m in re.findall(r"// relationships: (\d+) row", text)) == len(pg.edges)


def test_cypher_script_batches_follow_the_batch_size(pg):
    text = cypher_script(pg, graph_iri=G, batch_size=7)
    rows = [int(m) for m in re.findall(r"// (?:nodes|relationships): (\d+) row", text)]
    assert max(rows) == 7 and sum(rows) == len(pg.nodes) + len(pg.edges)
