"""The persistent query stores: written by the build, rebuilt when stale, retraction-aware."""

from __future__ import annotations

import json
import os
import sys

import pytest

from dta_kg.core.paths import Project
from dta_kg.pipeline.manifest import LADYBUG, OXIGRAPH, STAMP, is_fresh
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.query.session import Session
from dta_kg.stores.local import cypher_connection, vocabulary

BEATTY, HE, JEONG = "10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"


def test_build_writes_the_stores_with_the_manifest_hash(built_project):
    build = built_project.build
    assert (build / OXIGRAPH).is_dir() and (build / LADYBUG).is_dir()
    stamp = json.loads((build / STAMP).read_text())
    assert stamp["content_hash"] == json.loads((build / "manifest.json").read_text())["content_hash"]
    assert is_fresh(built_project)


def test_cached_vocabulary_equals_the_ontologys(built_project, vocab):
    assert vocabulary(built_project).terms == vocab.terms


def test_touching_a_record_does_not_make_the_stores_stale(built_project):
    record = next(built_project.studies.glob("*.yaml"))
    before = json.loads((built_project.build / STAMP).read_text())["inputs"]
    stat = record.stat()
    os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert is_fresh(built_project)
        assert json.loads((built_project.build / STAMP).read_text())["inputs"] != before
    finally:
        os.utime(record, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def retract_jeong_bond_finding(project) -> None:
    path = next(project.studies.glob("ref-39-*.yaml"))
    text = path.read_text()
    marker = "  - id: bond-wai-sr\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + '    retracted: {by: tester, at: '
                                 '"2026-01-02T00:00:00Z", reason: "test retraction"}\n'))


@pytest.mark.slow
def test_stale_stores_are_rebuilt_and_retracted_facts_are_left_out(project_copy):
    messages = []
    Session(project_copy, notify=messages.append)  # nothing built yet: builds
    assert len(messages) == 1 and is_fresh(project_copy)
    retract_jeong_bond_finding(project_copy)
    assert not is_fresh(project_copy)
    session = Session(project_copy, notify=messages.append)  # checked while the query runs
    for lang in ("sparql", "cypher"):
        rows = session.named("studies", {"component": "bond", "instrument": "WAI-SR"}, lang).rows
        assert len(messages) == 2 and "stale" in messages[1]
        assert {r["doi"] for r in rows} == {BEATTY, HE}
        rows = session.named("studies", {"component": "bond", "instrument": "WAI-SR",
                                         "include_retracted": "true"}, lang).rows
        assert {r["doi"] for r in rows} == {BEATTY, HE, JEONG}
        shown = session.named("study-evidence", {"study": JEONG}, lang).rows
        every = session.named("study-evidence", {"study": JEONG, "include_retracted": "yes"},
                              lang).rows
        assert [r for r in every if r["retracted"]] == \
            [r for r in every if r["fact"] == "bond-wai-sr"]
        assert len(every) == len(shown) + 1


@pytest.mark.parametrize("records", [28, 10_001], ids=["one checkpoint", "a checkpoint a COPY"])
def test_the_cypher_database_keeps_tricky_values(tmp_path, records):
    from dta_kg.pipeline.manifest import LADYBUG_FILE
    from dta_kg.pipeline.store_writer import ONE_CHECKPOINT_UP_TO, write_database, write_part

    assert (records > ONE_CHECKPOINT_UP_TO) == (records == 10_001)

    tricky = 'a "quoted", comma\nand a new line'
    pgraph = PropertyGraph(
        nodes=[Node("urn:a", "Thing", {"label": tricky, "names": ["x, y", 'z "q"'], "n": 3,
                                      "score": 1.5, "flag": True, "mixed": 1}),
               Node("urn:b", "Thing", {"label": "b", "mixed": "two", "score": 2}),
               Node("urn:c", "Other", {"label": "c"})],
        edges=[Edge("urn:a", "urn:b", "LINKS"), Edge("urn:a", "urn:c", "LINKS")],
    )
    (tmp_path / LADYBUG).mkdir()
    write_database([write_part(pgraph, {}, tmp_path / "graph.part")], tmp_path / LADYBUG / LADYBUG_FILE,
                   records)
    # checkpointed at close at the latest: the build moves the folder, so no write-ahead log is left
    assert [p.name for p in (tmp_path / LADYBUG).iterdir()] == [LADYBUG_FILE]
    conn = cypher_connection(Project(records=tmp_path, build=tmp_path))
    rows = conn.execute("MATCH (t:Thing) RETURN t.iri, t.label, t.names, t.n, t.score, t.flag, "
                        "t.mixed, t.retracted ORDER BY t.iri").get_all()
    assert rows == [["urn:a", tricky, ["x, y", 'z "q"'], 3, 1.5, True, "1", None],
                    ["urn:b", "b", None, None, 2.0, None, "two", None]]
    linked = conn.execute("MATCH (:Thing)-[:LINKS]->(x) RETURN x.iri ORDER BY x.iri").get_all()
    assert linked == [["urn:b"], ["urn:c"]]


@pytest.mark.parametrize("where", ["child process", "thread"])
def test_the_freshness_check_beside_a_query_tells_fresh_from_stale(built_copy, monkeypatch, where):
    """The check runs in a forked child on Linux when this process has no other thread, and on
    a thread otherwise; both answer as `is_fresh` does, and a failing check raises here."""
    import threading

    from dta_kg.core.errors import DtaKgError
    from dta_kg.stores import local

    monkeypatch.setattr(threading, "active_count", lambda: 2 if where == "thread" else 1)
    assert local.FreshnessCheck(built_copy).result() is True
    retract_jeong_bond_finding(built_copy)
    check = local.FreshnessCheck(built_copy)
    forks = where == "child process" and sys.platform.startswith("linux")
    assert (check._pipe is not None) == forks
    assert check.result() is False and check.result() is False

    def broken(project):
        raise DtaKgError("cannot read the stamp")

    monkeypatch.setattr(local, "is_fresh", broken)
    with pytest.raises(DtaKgError, match="cannot read the stamp"):
        local.FreshnessCheck(built_copy).result()
