"""A curator's write at scale: the changed record is checked alone and the stores are updated
in place, to exactly what a full build gives (issue 13, curation at scale)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core.paths import Project
from dta_kg.pipeline.build import build
from dta_kg.pipeline.manifest import STAMP, files_fresh, is_fresh

BEATTY = "10.3389/fdgth.2022.847991"
QUOTE = ["--section", "Results > Therapeutic Bond", "--quote",
         "Beatty et al [25] reported that users expressed strong emotional connections"]
NEW_BIB = """@article{good2025,
  author = {Good, Ann}, title = {A good study}, journal = {A New Journal}, year = 2025,
  doi = {10.2196/80001}
}
"""


def store_triples(project: Project) -> tuple[set[str], int]:
    """The store's triples without blank nodes (the ontology's, labelled anew by each build),
    and how many have blank nodes."""
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(project.build / "oxigraph"))
    quads = [str(q) for q in store.quads_for_pattern(None, None, None)]
    return {q for q in quads if "_:" not in q}, sum(1 for q in quads if "_:" in q)


def cypher_counts(project: Project) -> dict[str, int]:
    from dta_kg.stores.local import cypher_connection

    conn = cypher_connection(project)
    counts = {}
    for query in ("MATCH (n) RETURN label(n) AS l, count(n) AS c",
                  "MATCH ()-[r]->() RETURN label(r) AS l, count(r) AS c"):
        result = conn.execute(query)
        while result.has_next():
            label, count = result.get_next()
            counts[label] = count
    conn.close()
    return counts


def cypher_columns(project: Project) -> dict[str, dict[str, str]]:
    """Each table's columns and their types (in any order: a write appends what it adds)."""
    from dta_kg.stores.local import cypher_connection

    conn = cypher_connection(project)
    tables = [row[0] for row in conn.execute("CALL show_tables() RETURN name").get_all()]
    columns = {t: dict(conn.execute(f"CALL table_info('{t}') RETURN name, type").get_all())
               for t in tables}
    conn.close()
    return columns


@pytest.fixture
def built(built_copy, monkeypatch):
    monkeypatch.setenv("DTA_KG_RECORDS", str(built_copy.records))
    monkeypatch.setenv("DTA_KG_BUILD", str(built_copy.build))
    monkeypatch.setenv("DTA_KG_CURATOR", "Ada Curator")
    return built_copy


def rebuilt(project: Project, tmp_path) -> Project:
    fresh = Project(records=project.records, build=tmp_path / "full-build")
    build(fresh)
    return fresh


def full_build_calls(monkeypatch) -> list:
    calls: list = []
    import dta_kg.pipeline.build as pipeline_build

    real = pipeline_build.build
    monkeypatch.setattr(pipeline_build, "build", lambda *a, **k: calls.append(a) or real(*a, **k))
    monkeypatch.setattr(pipeline_build, "validate_graph", lambda *a, **k: calls.append(a) or 1 / 0)
    return calls


@pytest.mark.parametrize("args", [
    ["finding", "add", BEATTY, "--component", "bond", "--instrument", "WAI-SR", *QUOTE],
    ["factor", "add", BEATTY, "--barrier", "slow replies", "--theme", "technical-reliability", *QUOTE],
    ["retract", f"{BEATTY}#bond", "--reason", "a test"],
    ["retract", BEATTY, "--reason", "a test of a whole study"],
])
def test_a_write_updates_the_stores_in_place_to_what_a_full_build_gives(built, args, tmp_path,
                                                                          monkeypatch):
    calls = full_build_calls(monkeypatch)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert calls == [], "the write validated or built the whole project"
    assert is_fresh(built) and not files_fresh(built)
    monkeypatch.undo()
    full = rebuilt(built, tmp_path)
    assert store_triples(built) == store_triples(full)
    assert cypher_counts(built) == cypher_counts(full)
    # a column a write adds (a first retracted finding's invalidatedAtTime) has the type a
    # full build gives it: a TIMESTAMP, not text
    assert cypher_columns(built) == cypher_columns(full)


def test_a_new_study_with_a_new_venue_is_added_in_place(built, tmp_path, monkeypatch):
    bib = tmp_path / "new.bib"
    bib.write_text(NEW_BIB, encoding="utf-8")
    calls = full_build_calls(monkeypatch)
    result = CliRunner().invoke(main, ["study", "import", str(bib)])
    assert result.exit_code == 0, result.output
    assert calls == [] and is_fresh(built)
    monkeypatch.undo()
    assert store_triples(built) == store_triples(rebuilt(built, tmp_path))


def test_a_query_straight_after_a_write_answers_from_the_updated_stores(built, monkeypatch):
    ok = CliRunner().invoke(main, ["retract", f"{BEATTY}#bond-wai-sr", "--reason", "a test"])
    assert ok.exit_code == 0, ok.output
    calls = full_build_calls(monkeypatch)
    result = CliRunner().invoke(main, ["studies", "--component", "bond", "--instrument", "WAI-SR",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    assert calls == [], "the query rebuilt the stores"
    assert {row["doi"] for row in json.loads(result.stdout)} == {
        "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"}


def test_the_cross_record_rules_are_checked_against_the_store(built, monkeypatch):
    record = built.studies / "ref-25-beatty-2022.yaml"
    copy = built.studies / "zz-copy.yaml"
    from dta_kg.curation.incremental import prepare

    text = record.read_text(encoding="utf-8")
    plan = prepare(built, {copy: text})
    assert plan is not None
    with pytest.raises(Exception, match="duplicate DOI"):
        plan.check()
    other = text.replace(BEATTY, "10.2196/89999")
    plan = prepare(built, {copy: other})
    with pytest.raises(Exception, match="field 'ref'.*reference number 25"):
        plan.check()
    assert not copy.exists()


def test_stale_stores_take_the_full_path(built, monkeypatch):
    (built.build / STAMP).unlink()
    from dta_kg.curation.incremental import prepare

    assert prepare(built, {built.studies / "x.yaml": ""}) is None
    shutil.rmtree(built.build)


def test_an_export_after_a_write_rebuilds_the_graph_files_first(built, tmp_path):
    ok = CliRunner().invoke(main, ["factor", "add", BEATTY, "--barrier", "slow replies",
                                   "--theme", "technical-reliability", *QUOTE])
    assert ok.exit_code == 0, ok.output
    assert not files_fresh(built)
    out = tmp_path / "graph.nt"
    result = CliRunner().invoke(main, ["export", "--format", "nt", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert '"slow replies"' in out.read_text(encoding="utf-8")
    assert files_fresh(built) and is_fresh(built)


def test_writes_to_several_studies_keep_every_study_findable(built):
    first = CliRunner().invoke(main, ["retract", f"{BEATTY}#bond-wai-sr", "--reason", "a test"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["retract", "10.1186/s12889-022-13115-x", "--reason", "a test"])
    assert second.exit_code == 0, second.output
    assert is_fresh(built)
    shown = CliRunner().invoke(main, ["study", "show", "10.1145/3568162.3578625"])
    assert shown.exit_code == 0, shown.output
    index = json.loads((built.build / "records.json").read_text(encoding="utf-8"))
    assert len(index) == 28 and index[BEATTY] == "ref-25-beatty-2022.yaml"


def cypher_contents(project: Project) -> dict[str, list]:
    """Every node table's rows (each node's properties) and every relationship table's pairs,
    sorted: the database's contents, whatever order they were written in."""
    from dta_kg.stores.local import cypher_connection

    conn = cypher_connection(project)
    tables = conn.execute("CALL show_tables() RETURN name, type").get_all()
    contents = {}
    for name, kind in tables:
        if kind == "NODE":
            rows = conn.execute(f"MATCH (n:`{name}`) RETURN n").get_all()
            contents[name] = sorted(repr(sorted((k, v) for k, v in row[0].items()
                                                if not k.startswith("_")))
                                    for row in rows)
        else:
            rows = conn.execute(f"MATCH (a)-[:`{name}`]->(b) RETURN a.iri, b.iri").get_all()
            contents[name] = sorted(map(tuple, rows))
    conn.close()
    return contents


@pytest.mark.slow
def test_a_sequence_of_writes_in_place_gives_the_stores_a_full_build_gives(built, tmp_path,
                                                                           monkeypatch):
    """The build writes the stores whole (`pipeline.store_writer`), a write updates them in
    place with its column types (`pipeline.store_update`): after a sequence of writes of every
    kind the stores hold what a full build of the same records holds, with the same column
    types (issue 25)."""
    bib = tmp_path / "new.bib"
    bib.write_text(NEW_BIB, encoding="utf-8")
    calls = full_build_calls(monkeypatch)
    for args in (["study", "import", str(bib)],
                 ["finding", "add", BEATTY, "--component", "bond", "--instrument", "WAI-SR", *QUOTE],
                 ["factor", "add", BEATTY, "--barrier", "slow replies", "--theme",
                  "technical-reliability", *QUOTE],
                 ["retract", f"{BEATTY}#bond", "--reason", "a test"],
                 ["retract", "10.1186/s12889-022-13115-x", "--reason", "a test of a whole study"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    assert calls == [], "a write validated or built the whole project"
    assert is_fresh(built)
    monkeypatch.undo()
    full = rebuilt(built, tmp_path)
    assert store_triples(built) == store_triples(full)
    assert cypher_columns(built) == cypher_columns(full)
    assert cypher_contents(built) == cypher_contents(full)
