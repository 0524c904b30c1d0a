"""`dta-kg release` twice with a factor added in between, and `dta-kg diff` of the two."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL

from dta_kg.cli import main
from dta_kg.site.metadata import RO_CRATE, check_release

JEONG = "10.1145/3568162.3578625"
NEW_FACTOR = ["factor", "add", JEONG, "--barrier", "robot in the home", "--theme",
              "anthropomorphism-and-social-presence", "--section",
              "Results > Facilitators and Barriers", "--quote",
              "struggled to adapt to having a robot in their personal space",
              "--note", "second reading"]


@pytest.mark.slow
def test_two_releases_changelog_and_diff_name_exactly_the_added_factor(project_copy, tmp_path):
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}

    def run(*args):
        result = runner.invoke(main, [str(a) for a in args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    first, second = tmp_path / "releases" / "1.0.0", tmp_path / "releases" / "1.1.0"
    first.parent.mkdir()
    assert "release 1.0.0: 28 studies, 301 facts" in run("release", "--version", "1.0.0", "-o", first)
    run(*NEW_FACTOR)
    out = run("release", "--version", "1.1.0", "-o", second)
    assert "28 studies, 302 facts" in out and "changes since 1.0.0" in out

    for folder in (first, second):
        assert check_release(folder) == []
        for name in ("dta-kg.ttl", "dta-kg.nt", "dta-kg.jsonld", "context.jsonld", "dta-kg.graphml",
                     "neo4j-csv/import.sh", "neo4j-csv/nodes-Study.csv", "void.ttl",
                     "CITATION.cff", "CHANGELOG.md", RO_CRATE, "ontology/dta.ttl"):
            assert (folder / name).is_file(), name
    ontology = Graph().parse(second / "ontology" / "dta.ttl")
    onto = next(ontology.subjects(predicate=OWL.versionIRI))
    assert ontology.value(onto, OWL.versionIRI) == URIRef("https://w3id.org/dta-kg/ontology/1.1.0")
    void = Graph().parse(second / "void.ttl", format="turtle")
    release = URIRef("https://w3id.org/dta-kg/release/1.1.0")
    triples = void.value(release, URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == len(Graph().parse(second / "dta-kg.nt"))
    assert void.value(release, URIRef("http://purl.org/dc/terms/license")) == \
        URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (release, URIRef("http://purl.org/dc/terms/source"),
            URIRef("https://doi.org/10.2196/69294")) in void
    assert void.value(release, OWL.versionInfo) == Literal("1.1.0")
    cff = (second / "CITATION.cff").read_text(encoding="utf-8")
    assert 'version: "1.1.0"' in cff and 'doi: "10.2196/69294"' in cff

    log = (second / "CHANGELOG.md").read_text(encoding="utf-8")
    added = log[log.index("Facts added"):log.index("# 1.0.0")]
    assert added.count("\n- ") == 1 and "robot in the home" in added
    assert "by Ada Curator" in added and "second reading" in added
    assert "struggled to adapt to having a robot in their personal space" in added
    assert "| facts added | 1 |" in log and "facts retracted" not in log
    assert "First release: 28 studies and 301 facts." in log  # the earlier release's entry kept

    changes = json.loads(run("diff", first, second, "--format", "json"))
    assert [(f["change"], f["doi"], f["what"]) for f in changes["facts"]] == [
        ("added", JEONG, "barrier: robot in the home (anthropomorphism and social presence)")]
    assert changes["studies_added"] == []


def test_release_refuses_a_bad_version_and_a_broken_crate(project_copy, tmp_path):
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build)}
    result = runner.invoke(main, ["release", "--version", "1.0", "-o", str(tmp_path / "r")], env=env)
    assert result.exit_code != 0 and "version '1.0' is not X.Y.Z" in result.output
    assert not (tmp_path / "r").exists()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / RO_CRATE).write_text(json.dumps({
        "@context": "https://w3id.org/ro/crate/1.1/context",
        "@graph": [{"@id": RO_CRATE, "about": {"@id": "./"}},
                   {"@id": "./", "@type": "Dataset", "hasPart": [{"@id": "dta-kg.ttl"}]}]}))
    assert check_release(broken) == [f"{broken / RO_CRATE}: names dta-kg.ttl, which is not in the release"]
    (broken / RO_CRATE).write_text("{not json")
    assert "does not parse as JSON" in check_release(broken)[0]
