"""A curator's in-place write changes only what differs (`store_update.GraphChange`), and the
database it leaves holds what a database written whole from the new graph holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.pipeline.store_update import GraphChange, update_database
from dta_kg.pipeline.store_writer import write_database, write_part

OWNED = [f"urn:own-{i}" for i in range(5)]
SHARED = [Node(f"urn:shared-{i}", "Shared", {"label": f"shared {i}"}) for i in range(3)]
REST = PropertyGraph(SHARED, [Edge(SHARED[0].id, SHARED[1].id, "LINKS")])

props = st.fixed_dictionaries({}, optional={
    "label": st.sampled_from(["a", "b", "a, \"quoted\""]),
    "n": st.integers(-3, 3),
    "names": st.lists(st.sampled_from(["x", "y, z"]), min_size=1, max_size=2),
})


@st.composite
def records(draw: st.DrawFn) -> PropertyGraph:
    """The nodes of the written records (some of OWNED) and their edges, among themselves and
    to the shared nodes."""
    ids = draw(st.lists(st.sampled_from(OWNED), unique=True, max_size=len(OWNED)))
    nodes = [Node(i, draw(st.sampled_from(["Fact", "Report"])), draw(props)) for i in ids]
    ends = [*ids, *(n.id for n in SHARED)]
    edges = set()
    if ids:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ends), st.sampled_from(["ABOUT", "USES"]))
        edges = {Edge(s, t, kind) for s, t, kind in draw(st.lists(pairs, max_size=6))}
    return PropertyGraph(nodes, sorted(edges, key=lambda e: (e.source, e.target, e.type)))


def written(graph: PropertyGraph, folder: Path) -> Path:
    folder.mkdir()
    part = write_part(PropertyGraph([*REST.nodes, *graph.nodes], [*REST.edges, *graph.edges]), {},
                      folder / "graph.part")
    write_database([part], folder / "db.lbug")
    return folder / "db.lbug"


def contents(path: Path) -> tuple[set, set]:
    """Every node with its properties that have values, and every edge."""
    import ladybug

    db = ladybug.Database(str(path), read_only=True)
    conn = ladybug.Connection(db)
    nodes = set()
    for label, row in conn.execute("MATCH (n) RETURN label(n), n").get_all():
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()
                  if not k.startswith("_") and v is not None}
        nodes.add((label, tuple(sorted(values.items()))))
    edges = {tuple(r) for r in conn.execute(
        "MATCH (a)-[r]->(b) RETURN label(r), a.iri, b.iri").get_all()}
    conn.close()
    db.close()
    return nodes, edges


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=records(), after=records())
def test_an_update_in_place_gives_what_a_whole_write_of_the_new_graph_gives(before, after):
    with tempfile.TemporaryDirectory() as tmp:
        path = written(before, Path(tmp, "updated"))
        owned = {n.id for n in [*before.nodes, *after.nodes]}
        labels = {n.id: n.label for n in [*SHARED, *before.nodes, *after.nodes]}
        update_database(path, GraphChange.of(before, after, owned), labels)
        assert contents(path) == contents(written(after, Path(tmp, "whole")))


def test_a_write_that_adds_one_node_touches_nothing_else():
    fact = Node("urn:own-0", "Fact", {"label": "kept"})
    before = PropertyGraph([fact], [Edge(fact.id, SHARED[0].id, "ABOUT")])
    new = Node("urn:own-1", "Fact", {"label": "new"})
    after = PropertyGraph([fact, new], [*before.edges, Edge(new.id, SHARED[0].id, "ABOUT")])
    change = GraphChange.of(before, after, {fact.id, new.id})
    assert (change.deleted, change.updated, change.removed) == ([], [], [])
    assert change.created == [new] and change.added == [Edge(new.id, SHARED[0].id, "ABOUT")]


def test_a_changed_label_replaces_the_node_and_a_cleared_property_is_updated():
    old = Node("urn:own-0", "Fact", {"label": "a", "n": 1})
    moved = Node("urn:own-1", "Fact", {"label": "b"})
    before = PropertyGraph([old, moved], [Edge(moved.id, old.id, "USES")])
    after = PropertyGraph([Node(old.id, "Fact", {"label": "a"}), Node(moved.id, "Report", {"label": "b"})],
                          [Edge(moved.id, old.id, "USES")])
    change = GraphChange.of(before, after, {old.id, moved.id})
    assert change.deleted == [moved] and change.created == [after.nodes[1]]
    assert change.updated == [(after.nodes[0], old.props)]
    assert change.removed == [] and change.added == [Edge(moved.id, old.id, "USES")]
