"""Scale: the synthetic corpus builds, its query store answers as the Turtle does, chunked
projection equals the whole-graph projection, and `dta-kg --help` stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
from naive_path import naive_named
from rdflib import Graph

from dta_kg.loaders.yaml_io import read_yaml
from dta_kg.pipeline import build as build_module
from dta_kg.pipeline import chunks as stream
from dta_kg.pipeline.build import build
from dta_kg.pipeline.checks import qc_queries
from dta_kg.pipeline.jsonld import write_turtle_and_jsonld
from dta_kg.pipeline.projection import project
from dta_kg.pipeline.synthetic import SYNTHETIC, generate
from dta_kg.query.session import Session

HEAVY = ("rdflib", "pyshacl", "owlrl", "networkx", "pyvis", "neo4j", "pyoxigraph", "ladybug")
QUESTIONS = [("studies-by-component", {"component": "bond"}),
             ("studies-by-instrument", {"instrument": "WAI-SR"}),
             ("studies-per-component", {}),
             ("studies", {"component": "engagement", "design": "mixed methods"})]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """120 synthetic studies built through worker processes, in chunks of 40, and checked as a
    large corpus is: SHACL on a sample of 30, Turtle and JSON-LD written in parts."""
    target = tmp_path_factory.mktemp("synthetic")
    project = generate(target, 120, seed=7)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(stream, "CHUNK", 40)
        mp.setattr(stream, "IN_PROCESS", 0)
        mp.setattr(build_module, "IN_PROCESS", 0)  # Turtle and JSON-LD in parts too
        mp.setattr(build_module, "SHACL_ALL_UP_TO", 100)
        mp.setattr(build_module, "SHACL_SAMPLE", 30)
        summary = build(project, jobs=2)
    return project, summary


def test_generator_writes_records_shaped_like_the_curated_ones(synthetic, corpus):
    project, summary = synthetic
    records = [read_yaml(p) for p in sorted(project.studies.glob("*.yaml"))]
    assert len(records) == summary.studies == 120
    assert all(r["evidence"]["inferred"] == SYNTHETIC for r in records)
    assert all(r["doi"].startswith("10.5555/") for r in records)
    curated = sum(len(s.factors) for s in corpus.studies) / len(corpus.studies)
    synthetic_mean = sum(len(r.get("factors", [])) for r in records) / len(records)
    assert abs(synthetic_mean - curated) < 1.0


def test_a_large_build_says_which_checks_ran_on_the_sample_and_which_on_the_whole_graph(synthetic):
    _, summary = synthetic
    sample, graph = summary.validation.split("; ")
    assert "random sample of 30 of 120 records" in sample and graph.endswith("on the whole graph")
    for q in qc_queries():
        assert (q.name in sample) != (q.name in graph), q.name
        assert q.name in (sample if q.scope == "sample" else graph), q.name


def test_query_store_and_turtle_give_the_same_answers(synthetic):
    project, _ = synthetic
    turtle = Graph().parse(project.build / "dta-kg.ttl", format="turtle")
    session = Session(project)
    for name, params in QUESTIONS:
        stored = session.named(name, params)
        assert stored.rows, name
        expected = naive_named(turtle, name, params).rows
        assert sorted(map(repr, stored.rows)) == sorted(map(repr, expected)), name


def test_turtle_and_jsonld_written_in_parts_are_the_one_pass_bytes(synthetic, tmp_path):
    """A large build writes them from the sorted N-Triples in one part per worker."""
    project, _ = synthetic
    write_turtle_and_jsonld(project.build / "dta-kg.nt", tmp_path / "one.ttl",
                            tmp_path / "one.jsonld")
    for ext in ("ttl", "jsonld"):
        assert (project.build / f"dta-kg.{ext}").read_bytes() == (tmp_path / f"one.{ext}").read_bytes()
    assert not [p.name for p in project.build.iterdir() if p.name.startswith(".")]


def test_chunked_projection_equals_whole_graph_projection(synthetic):
    project, _ = synthetic
    whole = project_rows(project_graph(project))
    session = Session(project)
    chunked = session.cypher("MATCH (n) RETURN count(n) AS n").rows[0]["n"]
    edges = session.cypher("MATCH ()-[r]->() RETURN count(r) AS n").rows[0]["n"]
    assert (chunked, edges) == whole


def project_graph(project):
    return Graph().parse(project.build / "dta-kg.nt", format="nt")


def project_rows(graph):
    pg = project(graph)
    return len(pg.nodes), len(pg.edges)


def test_help_imports_no_heavy_module():
    code = ("import sys\nfrom dta_kg.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


WORKERS_AFTER_LADYBUG = '''
import gc, sys
from pathlib import Path
import ladybug
from dta_kg.pipeline import build as build_module
from dta_kg.pipeline import chunks as stream
from dta_kg.pipeline.build import build
from dta_kg.pipeline.synthetic import generate

original = stream.chunks


def chunks_beside_ladybug_garbage(*args, **kwargs):
    """Leave ladybug objects in a reference cycle that a forked child would collect."""
    gc.disable()
    db = ladybug.Database(sys.argv[1] + "/ladybug")
    conn = ladybug.Connection(db)
    conn.execute("CREATE NODE TABLE N(id STRING, PRIMARY KEY(id))")
    cycle = [db, conn]
    cycle.append(cycle)
    del db, conn, cycle
    gc.enable()
    return original(*args, **kwargs)


if __name__ == "__main__":
    project = generate(Path(sys.argv[1]) / "corpus", 60, seed=3)
    stream.chunks = chunks_beside_ladybug_garbage
    stream.CHUNK, stream.IN_PROCESS = 10, 0
    print(build(project, jobs=2).studies)
'''


def test_workers_start_clean_while_ladybug_threads_run(tmp_path):
    """Workers forked from a process with ladybug's threads deadlocked in CI; they must not."""
    script = tmp_path / "build_beside_ladybug.py"
    script.write_text(WORKERS_AFTER_LADYBUG)
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["60"]
