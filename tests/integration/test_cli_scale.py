"""The scale-out commands without servers: dry runs, clear errors, query rewriting for
remote stores, and the light `dta-kg --help`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from plugins.servers import free_port

from dta_kg.cli import main
from dta_kg.query.remote import cypher_for
from dta_kg.query.sparql_text import bind_values, with_prefixes

G = "https://w3id.org/dta-kg/graph"


@pytest.fixture(scope="module")
def cli(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build),
           "NEO4J_USERNAME": None, "NEO4J_PASSWORD": None, "DTA_KG_SPARQL_USER": None}

    def invoke(*args):
        return CliRunner().invoke(main, list(args), env=env)

    return invoke


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("Error: ")
    return line


def test_dry_run_prints_neo4j_statements(cli):
    result = cli("neo4j", "push", "--dry-run", "--batch-size", "100", "--replace")
    assert result.exit_code == 0, result.output
    out = result.output
    assert ("CREATE CONSTRAINT `dta_kg_iri_Study` IF NOT EXISTS FOR (n:`Study`) "
            "REQUIRE n.iri IS UNIQUE;") in out
    assert "UNWIND $rows AS row\nMERGE (n:`Study` {iri: row.iri})" in out
    assert "MERGE (a)-[r:`ABOUT_STUDY`]->(b)" in out
    assert out.count("// cleanup") == 2 and "// nodes: 28 row(s)" in out


def test_dry_run_in_falkordb_dialect_creates_indexes(cli):
    result = cli("neo4j", "push", "--dry-run", "--dialect", "falkordb")
    assert result.exit_code == 0, result.output
    assert "CREATE INDEX FOR (n:`Study`) ON (n.iri);" in result.output
    assert "CONSTRAINT" not in result.output


def test_push_needs_a_uri(cli):
    result = cli("neo4j", "push")
    assert result.exit_code == 2 and "--uri" in result.output


def test_unreachable_stores_give_one_line_errors(cli):
    port = free_port()
    line = one_line_error(cli("neo4j", "push", "--uri", f"bolt://127.0.0.1:{port}"))
    assert "unreachable after 3 attempt(s)" in line
    line = one_line_error(cli("sparql-store", "push", "--endpoint",
                              f"http://127.0.0.1:{port}/store"))
    assert "store unreachable" in line
    assert "cannot use Bolt URI" in one_line_error(cli("neo4j", "push", "--uri", "http://x"))


def test_help_imports_no_heavy_library():
    code = ("import sys; from click.testing import CliRunner; from dta_kg.cli import main; "
            "r = CliRunner().invoke(main, ['--help']); assert 'sparql-store' in r.output; "
            "r = CliRunner().invoke(main, ['neo4j', 'push', '--help']); assert '--replace' in r.output; "
            "print(sorted(m for m in ('rdflib', 'neo4j', 'networkx', 'pyoxigraph') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --- binding and rewriting for remote stores -------------------------------------------


def test_values_are_bound_in_each_group_that_uses_them():
    true = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    text = ("PREFIX dta: <https://w3id.org/dta-kg/ontology#>\n# ?p in a comment\n"
            "SELECT ?x (COUNT(?y) AS ?n) ?p WHERE { { SELECT DISTINCT ?x ?p WHERE {\n"
            "  ?x dta:q \"?p\" . FILTER(?p || ?pp) MINUS { ?x dta:r ?p } } GROUP BY ?x ?p } }\n"
            "GROUP BY ?x ?p ORDER BY DESC(?n) ?p")
    assert bind_values(text, {"p": true}) == (
        "PREFIX dta: <https://w3id.org/dta-kg/ontology#>\n# ?p in a comment\n"
        f"SELECT ?x (COUNT(?y) AS ?n) ?p WHERE {{ {{ SELECT DISTINCT ?x ?p WHERE {{ VALUES ?p {{ {true} }}\n"
        f"  ?x dta:q \"?p\" . FILTER(?p || ?pp) MINUS {{ VALUES ?p {{ {true} }} ?x dta:r ?p }} }} "
        "GROUP BY ?x ?p } }\nGROUP BY ?x ?p ORDER BY DESC(?n) ?p")
    assert bind_values(text, {}) == text
    assert bind_values("ASK { ?s ?p $o }", {"o": "<urn:a>"}) == "ASK { VALUES ?o { <urn:a> } ?s ?p $o }"


def test_usual_prefixes_are_declared_when_missing():
    out = with_prefixes("PREFIX dta: <urn:x#>\nSELECT ?s WHERE { ?s a dta:Study ; bibo:doi ?d }")
    assert out.startswith("PREFIX bibo: <http://purl.org/ontology/bibo/>\nPREFIX dta: <urn:x#>")
    assert "PREFIX dta: <https" not in out
    assert with_prefixes("ASK { <urn:rdfs:x> ?p ?o }") == "ASK { <urn:rdfs:x> ?p ?o }"


def test_cypher_function_names_are_renamed_for_bolt_servers():
    text = ("MATCH (s:Study)<-[:ABOUT_STUDY]-(f) WHERE f.words CONTAINS $factor\n"
            "RETURN label(f) AS kind, CAST(CAST(s.year AS STRING) AS INT64) AS year, "
            "s.name.label(x) AS keep, upper(s.doi) AS doi")
    out = cypher_for(text, "neo4j")
    assert "WHERE f.words CONTAINS $factor" in out  # the parameter stays a parameter
    assert "labels(f)[0] AS kind" in out and "toInteger(toString(s.year)) AS year" in out
    assert "s.name.label(x)" in out and "toUpper(s.doi)" in out
    assert cypher_for(text, "falkordb") == out
    with pytest.raises(Exception, match="regular expressions"):
        cypher_for("MATCH (f) WHERE f.label =~ $pattern RETURN f", "falkordb")
    with pytest.raises(Exception, match="EXISTS"):
        cypher_for("MATCH (c) WHERE NOT EXISTS { MATCH (c)--() } RETURN c", "falkordb")
    with pytest.raises(Exception, match="regexp_replace"):
        cypher_for("RETURN regexp_replace('a', 'b', 'c')", "neo4j")


def test_factor_words_are_stored_on_the_nodes_they_match(built_project):
    from dta_kg.query.session import Session

    rows = Session(built_project).cypher(
        "MATCH (r:FactorReport) WHERE r.words CONTAINS ' anonymity ' RETURN r.label AS label, "
        "r.words AS words")
    assert rows.rows and all(" anonymity " in r["words"] and "anonymity" in r["label"].lower()
                             for r in rows.rows)
    concept = Session(built_project).cypher(
        "MATCH (m:FactorConcept) WHERE m.words CONTAINS ' anonymity ' RETURN m.words AS words")
    assert concept.rows


def test_regex_rewrite_matches_like_the_words_idiom():
    """The `=~` form accepts exactly the labels whose normalised words contain the phrase."""
    import re

    def words(text):  # the embedded engine's idiom
        return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split()) + " "

    def neo4j_regex(label, factor):  # what the rewritten Cypher asks, in Python's re
        pattern = "(?s)(.*[^a-z0-9])?" + factor.strip().replace(" ", "[^a-z0-9]+") + "([^a-z0-9].*)?"
        return re.fullmatch(pattern, label.lower()) is not None

    labels = ["Perceived empathy", "Empathy-driven replies", "unempathic tone", "user's  empathy!",
              "Empathy", "lack of human empathy", "a human-like empathy"]
    for factor in (" empathy ", " human empathy ", " human like empathy "):
        for label in labels:
            assert (factor in words(label)) == neo4j_regex(label, factor), (label, factor)


def test_progress_bar_shows_on_a_terminal_only(monkeypatch):
    import io

    from dta_kg.commands.export import _Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, shown in ((Terminal(), True), (io.StringIO(), False)):
        monkeypatch.setattr(sys, "stderr", stream)
        progress = _Progress()
        for done in (10, 20, 40):
            progress(done, 40)
        progress.close()
        assert ("pushing" in stream.getvalue()) is shown
        assert ("100%" in stream.getvalue()) is shown
