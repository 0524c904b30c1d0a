"""The curator's workflow through the CLI, on throw-away copies of the records."""

from __future__ import annotations

import difflib
import json
import textwrap

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from dta_kg.cli import main
from dta_kg.core.iris import DTA, PREFIXES, agent_iri, fact_iri, study_iri

PROV = PREFIXES["prov"]
OA = PREFIXES["oa"]
SMITH, LEE = "10.2196/70001", "10.3389/fdgth.2025.1500001"
BEATTY = "10.3389/fdgth.2022.847991"
NEW_STUDIES_BIB = textwrap.dedent("""\
    @article{smith2025,
      author = {Smith, Jane A. and {van der Berg}, Piet},
      title = {A Chatbot for Loneliness: {A} Randomized Trial},
      journal = {JMIR Ment Health},
      year = {2025}, volume = {12}, pages = {e70001},
      doi = {https://doi.org/10.2196/70001}
    }
    @article{lee2025,
      author = {Lee, Min-Ji and Park, S. and others},
      title = {Therapeutic bond with a large language model counsellor},
      journal = {Front Digit Health},
      year = 2025,
      doi = {doi:10.3389/FDGTH.2025.1500001}
    }
    """)
FINDING = ["finding", "add", SMITH, "--component", "bond", "--instrument", "WAI-SR",
           "--subscale", "wai-sr-bond", "--result", "0.62", "--result-kind", "cohens-d",
           "--section", "Results", "--quote", "bond scores rose by d=0.62 over four weeks",
           "--note", "from the abstract"]
BARRIER = ["factor", "add", SMITH, "--barrier", "repetitive replies", "--theme",
           "conversational-design", "--component", "engagement", "--section", "Discussion",
           "--quote", "participants disliked the repetitive replies"]


@pytest.fixture
def run(project_copy):
    """Invoke dta-kg on the copy as curator 'Ada Curator'; returns click's Result."""
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project_copy.records), "DTA_KG_BUILD": str(project_copy.build),
           "DTA_KG_CURATOR": "Ada Curator"}

    def invoke(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], env=env, input=input)

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def dois(output: str) -> set[str]:
    return {row["doi"] for row in json.loads(output)}


@pytest.mark.slow
def test_a_curators_session_end_to_end(project_copy, run, tmp_path):
    bib = tmp_path / "new-studies.bib"
    bib.write_text(NEW_STUDIES_BIB, encoding="utf-8")
    before = sorted(project_copy.studies.iterdir())

    assert "2 added, 0 updated, 0 skipped" in ok(run("study", "import", bib, "--dry-run"))
    assert sorted(project_copy.studies.iterdir()) == before
    out = ok(run("study", "import", bib, "--note", "June search"))
    assert "2 added" in out and "smith-2025.yaml" in out and "lee-2025.yaml" in out

    assert f"{SMITH}#therapeutic-bond-wai-sr" in ok(run(*FINDING))
    assert f"{SMITH}#repetitive-replies" in ok(run(*BARRIER))
    ok(run("retract", f"{SMITH}#repetitive-replies", "--reason", "the quote is about the control arm"))
    assert "studies 30" in ok(run("build"))

    bond = ok(run("studies", "--component", "bond", "--instrument", "WAI-SR", "--format", "json"))
    assert SMITH in dois(bond)
    assert dois(ok(run("studies", "--factor", "repetitive replies", "--format", "json"))) == set()
    assert SMITH in dois(ok(run("studies", "--factor", "repetitive replies",
                                "--include-retracted", "--format", "json")))

    shown = ok(run("study", "show", SMITH))
    retracted = shown[shown.index(f"{SMITH}#repetitive-replies"):]
    assert "RETRACTED by Ada Curator" in retracted
    assert "the quote is about the control arm" in retracted
    assert "added by Ada Curator" in shown and "from the abstract" in shown

    graph = Graph().parse(project_copy.build / "dta-kg.ttl")
    barrier, finding = (URIRef(fact_iri(SMITH, i)) for i in ("repetitive-replies",
                                                              "therapeutic-bond-wai-sr"))
    ada = URIRef(agent_iri("Ada Curator"))
    assert (barrier, URIRef(DTA + "retracted"), Literal(True)) in graph
    assert (barrier, URIRef(DTA + "retractedBy"), ada) in graph
    assert str(graph.value(barrier, URIRef(DTA + "retractionReason"))).startswith("the quote")
    assert graph.value(barrier, URIRef(PROV + "invalidatedAtTime")).datatype == XSD.dateTime
    assert (finding, URIRef(PROV + "wasAttributedTo"), ada) in graph
    assert (ada, RDFS.label, Literal("Ada Curator")) in graph
    assert graph.value(finding, URIRef(PROV + "generatedAtTime")).datatype == XSD.dateTime
    assert str(graph.value(finding, URIRef(DTA + "curatorNote"))) == "from the abstract"
    target = graph.value(graph.value(finding, URIRef(DTA + "evidence")), URIRef(OA + "hasTarget"))
    assert graph.value(target, URIRef(OA + "hasSource")) == URIRef(study_iri(SMITH))


def test_imported_records_read_like_the_curated_ones(project_copy, run, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text(NEW_STUDIES_BIB, encoding="utf-8")
    ok(run("study", "import", bib))
    text = (project_copy.studies / "lee-2025.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Added after the review: Lee 2025, Front Digit Health\n")
    assert "doi: 10.3389/fdgth.2025.1500001\n" in text
    assert "authors: [Lee MJ, Park S]\nauthors_truncated: true\n" in text
    assert 'title: "Therapeutic bond with a large language model counsellor"' in text
    assert "evidence: {source: 10.3389/fdgth.2025.1500001, section: Title, quote: " in text


def test_import_dedupes_against_the_graph(project_copy, run, tmp_path):
    ris = tmp_path / "export.ris"
    ris.write_text(textwrap.dedent(f"""\
        TY  - JOUR
        AU  - Beatty, Clare
        TI  - Evaluating the therapeutic alliance with a free-text CBT conversational agent
        PY  - 2022
        IS  - 1
        DO  - https://doi.org/{BEATTY.upper()}
        ER  -

        TY  - JOUR
        AU  - He, Linwei
        TI  - Can chatbots help to motivate smoking cessation?
        PY  - 2022
        DO  - 10.1186/s12889-022-13115-x
        ER  -
        """), encoding="utf-8")
    out = ok(run("study", "import", ris, "--dry-run"))
    assert "0 added, 1 updated, 1 skipped" in out and "fill issue" in out
    beatty = project_copy.studies / "ref-25-beatty-2022.yaml"
    old = beatty.read_text(encoding="utf-8")
    ok(run("study", "import", ris))
    new = beatty.read_text(encoding="utf-8")
    assert 'issue: "1"' in new and "updated: {by: Ada Curator" in new
    assert set(old.splitlines()) - set(new.splitlines()) <= {"issue: null"}
    assert "0 added, 0 updated, 2 skipped" in ok(run("study", "import", ris))


def test_csl_json_import_and_study_list(project_copy, run, tmp_path):
    csl = tmp_path / "export.json"
    csl.write_text(json.dumps([{
        "id": "doe2024", "type": "article-journal", "DOI": "10.1016/j.invent.2024.100999",
        "title": "Alliance with an app", "author": [{"family": "Doe", "given": "Jane"}],
        "issued": {"date-parts": [[2024, 5]]}, "container-title-short": "Internet Interv",
        "volume": "38", "page": "100999"}]), encoding="utf-8")
    assert "1 added" in ok(run("study", "import", csl))
    listed = json.loads(ok(run("study", "list", "--format", "json")))
    assert len(listed) == 29
    assert {"doi": "10.1016/j.invent.2024.100999", "ref": None, "study": "Doe 2024"}.items() <= \
        next(r for r in listed if r["doi"].endswith("100999")).items()


def test_study_add_asks_for_each_field_on_a_terminal(project_copy, run, monkeypatch):
    monkeypatch.setattr("dta_kg.commands.study_facts.on_terminal", lambda: True)
    answers = "doi:10.2196/70002\nA new study\n2024\nDoe, Jane\nRoe, R\n\nJMIR Form Res\n\n"
    assert "Added 10.2196/70002" in ok(run("study", "add", "--note", "typed in", input=answers))
    text = (project_copy.studies / "doe-2024.yaml").read_text(encoding="utf-8")
    assert "authors: [Doe J, Roe R]" in text and "venue: JMIR Form Res" in text
    assert 'note: "typed in"' in text


def test_study_add_with_a_reference_number_quotes_the_reference_list(project_copy, run):
    ok(run("study", "add", "--doi", "10.1037/0022-0167.36.2.223", "--title",
           "Development and validation of the Working Alliance Inventory", "--year", "1989",
           "--author", "Horvath, Adam O.", "--author", "Greenberg, L.", "--ref", "15"))
    text = (project_copy.studies / "ref-15-horvath-1989.yaml").read_text(encoding="utf-8")
    assert "ref: 15\n" in text and 'evidence: {section: References, quote: "15. Horvath' in text


def test_editing_keeps_comments_key_order_and_format(project_copy, run):
    record = project_copy.studies / "ref-48-goldberg-2020.yaml"
    old = record.read_text(encoding="utf-8").replace(
        "components:\n", "components:   # the curator's own comment\n") + "# a closing comment\n"
    record.write_text(old, encoding="utf-8")
    ok(run("factor", "add", "10.1037/cou0000382", "--facilitator", "human raters",
           "--theme", "human-support", "--section", "Results > Task Agreement", "--quote",
           "Goldberg et al [48] described task alignment as conducted between humans"))
    new = record.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines()).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}  # every old line kept, in order
    assert "\n\nfactors:\n  - id: human-raters\n" in new


def test_retracting_a_study_retracts_all_its_facts(project_copy, run):
    ok(run("retract", BEATTY, "--reason", "duplicate publication"))
    assert BEATTY not in dois(ok(run("study", "list", "--format", "json")))
    assert BEATTY in dois(ok(run("study", "list", "--include-retracted", "--format", "json")))
    shown = ok(run("study", "show", BEATTY))
    facts = shown.count(f"{BEATTY}#")
    assert facts > 10 and shown.count("RETRACTED by Ada Curator") == facts + 1


def test_retract_by_fact_iri(project_copy, run):
    iri = fact_iri(BEATTY, "bond-wai-sr")
    assert "bond-wai-sr" in ok(run("retract", iri, "--reason", "checking"))
    assert "RETRACTED" in ok(run("study", "show", BEATTY))


@pytest.mark.slow
def test_a_new_instrument_joins_the_vocabulary_and_the_graph(project_copy, run, tmp_path):
    bib = tmp_path / "new.bib"
    bib.write_text(NEW_STUDIES_BIB, encoding="utf-8")
    ok(run("study", "import", bib))
    out = ok(run("instrument", "add", "Chatbot Alliance Scale", "--alt-label", "CAS",
                 "--subscale", "cas-bond:bond", "--subscale", "cas-goal:goal alignment",
                 "--definition", "A scale of the alliance between users and chatbots.",
                 "--source", SMITH, "--section", "Methods", "--quote", "the Chatbot Alliance Scale"))
    assert "cas, cas-bond, cas-goal" in out
    written = project_copy.instruments.read_text(encoding="utf-8")  # the file `init` ships
    assert written.startswith("# Instruments added by curators")
    assert "\ninstruments:\n  - id: cas\n" in written  # a block list, not the shipped []
    ok(run("finding", "add", SMITH, "--component", "bond", "--instrument", "cas", "--subscale",
           "cas-bond", "--section", "Results", "--quote", "bond on the CAS was high"))
    ok(run("build"))
    graph = Graph().parse(project_copy.build / "dta-kg.ttl")
    cas, bond = URIRef(DTA + "cas"), URIRef(DTA + "therapeutic-bond")
    assert (cas, RDF.type, URIRef(DTA + "Instrument")) in graph
    assert (URIRef(DTA + "cas-bond"), URIRef(DTA + "measuresComponent"), bond) in graph
    assert (cas, URIRef(PROV + "wasAttributedTo"), URIRef(agent_iri("Ada Curator"))) in graph
    bond_cas = ok(run("studies", "--component", "bond", "--instrument", "CAS", "--format", "json"))
    assert dois(bond_cas) == {SMITH}


def test_the_curator_comes_from_git_when_the_variable_is_unset(monkeypatch, tmp_path):
    from dta_kg.core.errors import DtaKgError
    from dta_kg.curation.curate import curator

    monkeypatch.delenv("DTA_KG_CURATOR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    config = tmp_path / "gitconfig"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    with pytest.raises(DtaKgError, match="DTA_KG_CURATOR"):
        curator()
    config.write_text("[user]\n\tname = Grace Git\n", encoding="utf-8")
    assert curator() == "Grace Git"
    monkeypatch.setenv("DTA_KG_CURATOR", "Ada Curator")
    assert curator() == "Ada Curator"



@pytest.mark.slow
def test_a_query_naming_a_term_added_since_the_build_rebuilds_first(project_copy, run, tmp_path):
    """The stores exist but are stale: the new term is unknown to them until the rebuild,
    which the query waits for instead of refusing the term."""
    ok(run("build"))
    bib = tmp_path / "new.bib"
    bib.write_text(NEW_STUDIES_BIB, encoding="utf-8")
    ok(run("study", "import", bib))
    ok(run("instrument", "add", "Chatbot Alliance Scale", "--alt-label", "CAS", "--measures", "bond",
           "--definition", "A scale of the alliance between users and chatbots.",
           "--source", SMITH, "--section", "Methods", "--quote", "the Chatbot Alliance Scale"))
    ok(run("finding", "add", SMITH, "--component", "bond", "--instrument", "cas",
           "--section", "Results", "--quote", "bond on the CAS was high"))
    found = run("studies", "--component", "bond", "--instrument", "CAS", "--format", "json")
    ok(found)
    assert "stale" in found.stderr and dois(found.stdout) == {SMITH}
    found = run("studies", "--component", "bond", "--instrument", "CAS", "--lang", "cypher",
                "--format", "json")
    assert not ok(found).startswith("dta-kg:") and dois(found.stdout) == {SMITH}
