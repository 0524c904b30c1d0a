"""A real Bolt server (FalkorDB, in a private network namespace) driven by the neo4j driver."""

from __future__ import annotations

import pytest
from support.samples import (
    BOND_WAI_SR,
    BOND_WAI_SR_CYPHER,
    BOND_WAI_SR_PARAMS,
    ID,
    NOTE,
    sample_property_graph,
)

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.sinks.neo4j import FALKORDB_MAX_BYTES, BoltWriter, write_statements
from dta_kg.stores.bolt import BoltError

pytestmark = pytest.mark.services
G = "https://w3id.org/dta-kg/graph"


def client(fk, **kw) -> BoltWriter:
    return BoltWriter(fk.uri, auth=None, database="dta_kg_test", retries=2, backoff=0.2, **kw)


def expected(pg) -> tuple[int, int]:
    return len({n.id for n in pg.nodes}), len({(e.source, e.type, e.target) for e in pg.edges})


def test_push_query_push_again_same_counts(falkordb_server):
    pg = sample_property_graph()
    with client(falkordb_server) as bolt:
        assert bolt.dialect == "falkordb"
        first = bolt.push(pg, batch_size=3)
        assert (first.nodes, first.relationships) == expected(pg)
        assert bolt.counts() == bolt.counts(G) == expected(pg)
        rows = bolt.query(BOND_WAI_SR_CYPHER, BOND_WAI_SR_PARAMS)
        assert [r["study"] for r in rows] == BOND_WAI_SR

        bolt.push(pg, batch_size=3)
        assert bolt.counts() == expected(pg)
        indexed = {r["label"] for r in bolt.query("CALL db.indexes()")}
        assert indexed == {n.label for n in pg.nodes}
        study = bolt.query("MATCH (s:Study {iri: $iri}) RETURN s.authors AS a, s.year AS y, "
                           "s.note AS note", {"iri": ID + "study-a"})
        assert study == [{"a": ["Beatty, C.", "Malik, T."], "y": 2022, "note": NOTE}]
        # FalkorDB pastes string parameters into its query text: quotes must survive
        same = bolt.query("MATCH (f:Finding {resultUnit: $unit}) RETURN count(f) AS n",
                          {"unit": "Cohen's d"})
        assert same == [{"n": 4}]


def test_batches_stay_under_falkordb_message_limit(falkordb_server):
    pg = sample_property_graph(extra_studies=40, pad=600)
    statements = list(write_statements(pg, batch_size=50, push_id="p" * 32,
                                       max_bytes=FALKORDB_MAX_BYTES))
    assert max(s.rows for s in statements if s.kind == "nodes") < 40  # split by size
    with client(falkordb_server) as bolt:
        result = bolt.push(pg, batch_size=50)
        assert result.batches == len(statements)
        assert bolt.counts() == expected(pg)
        assert falkordb_server.server.proc.poll() is None  # still alive

        huge = PropertyGraph([Node(ID + "study-huge", "Study", {"abstract": "x" * 5000})], [])
        with pytest.raises(BoltError, match="byte limit"):
            bolt.push(huge)
        assert falkordb_server.server.proc.poll() is None


def test_replace_removes_only_what_this_graph_wrote(falkordb_server):
    pg = sample_property_graph()
    with client(falkordb_server) as bolt:
        other = PropertyGraph(
            [Node("urn:other:" + n.id, n.label, n.props) for n in pg.nodes],
            [Edge("urn:other:" + e.source, "urn:other:" + e.target, e.type) for e in pg.edges],
        )
        bolt.push(pg)
        bolt.push(other, graph_id="urn:other-graph")  # another graph's nodes: not ours
        bolt.run("CREATE (:Foreign {iri: 'urn:foreign'})")
        nodes_before, rels_before = bolt.counts()

        smaller = PropertyGraph(
            [n for n in pg.nodes if n.id != ID + "study-e"],
            [e for e in pg.edges if e.target != ID + "study-d" and e.source != ID + "study-d"],
        )
        kept = bolt.push(smaller)  # without replace nothing is removed
        assert bolt.counts() == (nodes_before, rels_before)

        result = bolt.push(smaller, replace=True)
        assert (result.deleted_nodes, result.deleted_relationships) == (1, 1)
        assert result.push_id != kept.push_id
        assert bolt.counts(G) == expected(smaller)
        assert bolt.counts("urn:other-graph") == expected(other)
        assert bolt.query("MATCH (f:Foreign) RETURN f.iri AS iri") == [{"iri": "urn:foreign"}]


def test_outage_mid_push_then_second_push_completes(falkordb_server):
    fk = falkordb_server
    pg = sample_property_graph(extra_studies=6)
    seen: list[int] = []

    def stop_halfway(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 5:
            fk.stop()  # clean stop: FalkorDB saves what was written so far

    with client(fk) as bolt:
        outage = r"unreachable after 2 attempt\(s\) at batch 6 of 22 .*push again to complete"
        with pytest.raises(BoltError, match=outage):
            bolt.push(pg, batch_size=2, progress=stop_halfway)
        fk.start()
        assert 0 < bolt.counts()[0] < expected(pg)[0]  # partly written

        result = bolt.push(pg, batch_size=2)
        assert bolt.counts() == expected(pg)
        assert (result.nodes, result.relationships) == expected(pg)
        rows = bolt.query(BOND_WAI_SR_CYPHER, BOND_WAI_SR_PARAMS)
        assert [r["study"] for r in rows] == BOND_WAI_SR


def test_unknown_relationship_end_is_refused_before_writing(falkordb_server):
    pg = PropertyGraph([Node("urn:a", "Study")], [Edge("urn:a", "urn:missing", "CITES")])
    with client(falkordb_server) as bolt:
        with pytest.raises(BoltError, match="urn:missing, which is not a node"):
            bolt.push(pg)
        assert bolt.counts() == (0, 0)
