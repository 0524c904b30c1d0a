"""Tests of the ontology (ontology/dta.ttl), its SHACL shapes and its QC queries.

(a) dta.ttl parses, matches the model spec, and its OWL RL closure is consistent;
(b) every dta: term has a label and a definition (through the QC queries);
(c) every SHACL shape and every qc/*-violation.rq query bites on a failing fixture
    and passes on a valid one (fixtures under tests/fixtures/ontology/);
(d) every dta:evidenceQuote occurs verbatim in the review section it names.

QC queries run on Oxigraph through `dta_kg.pipeline.checks.qc_rows`, as the build runs them.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import owlrl
import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from dta_kg.pipeline.checks import QcQuery, qc_rows

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "dta.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
QC_QUERIES = sorted((ROOT / "ontology" / "qc").glob("*-violation.rq"))
REVIEW_TEXT = ROOT / "records" / "source" / "dta-integrative-review-2025.txt"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "ontology"
VALID_GRAPH = FIXTURES / "valid-graph.ttl"
SHACL_FIXTURES = sorted((FIXTURES / "shacl").glob("*-invalid.ttl"))

DTA = Namespace("https://w3id.org/dta-kg/ontology#")
DTAR = Namespace("https://w3id.org/dta-kg/id/")
PREFIXES = {"dta:": str(DTA), "dtar:": str(DTAR), "ex:": "https://example.org/test#"}
# owlrl records inconsistencies as `[] a err:ErrorMessage ; err:error "..."`
# (owlrl.Closure.Core.closure) and types unsatisfiable members as owl:Nothing.
OWLRL_ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


# --- helpers ---------------------------------------------------------------------


@cache
def parsed(path: Path) -> Graph:
    """Parse a Turtle file once; callers must not modify the result."""
    return Graph().parse(path, format="turtle")


def merged(*paths: Path) -> Graph:
    graph = Graph()
    for path in paths:
        graph += parsed(path)
    return graph


def expand(curie: str) -> URIRef:
    for prefix, namespace in PREFIXES.items():
        if curie.startswith(prefix):
            return URIRef(namespace + curie[len(prefix) :])
    raise ValueError(f"unknown prefix in {curie!r}")


def run_qc(query: Path, graph: Graph) -> list[tuple[URIRef, str]]:
    """Run a QC query as the build runs it, on an Oxigraph store; each row is (focus, message)."""
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return [(URIRef(focus), message) for focus, message in qc_rows(store, QcQuery.read(query))]


def shacl_results(graph: Graph) -> set[tuple[URIRef, str]]:
    """Top-level (focus node, message) pairs of a SHACL validation (no sh:detail)."""
    _, report, _ = pyshacl.validate(graph, shacl_graph=parsed(SHAPES))
    return {
        (report.value(result, SH.focusNode), str(report.value(result, SH.resultMessage)))
        for rep in report.subjects(RDF.type, SH.ValidationReport)
        for result in report.objects(rep, SH.result)
    }


def owl_rl_errors(graph: Graph) -> list[str]:
    """Inconsistencies found by the OWL RL closure of a copy of graph."""
    closure = Graph() + graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    errors = [
        str(closure.value(message, OWLRL_ERR.error))
        for message in closure.subjects(RDF.type, OWLRL_ERR.ErrorMessage)
    ]
    errors += [f"{node} is owl:Nothing" for node in closure.subjects(RDF.type, OWL.Nothing)]
    return errors


def normalise(text: str) -> str:
    return " ".join(text.replace("*", "").split())


# (section name, heading line); None marks a part heading that only ends a section
HEADINGS = [
    ("Abstract", "Abstract"), ("Introduction", "Introduction"), (None, "Methods"),
    ("Methods > Search Strategies", "Search Strategies"),
    ("Methods > Study Eligibility", "Study Eligibility"),
    ("Methods > Data Extraction", "Data Extraction"),
    ("Methods > Data Analysis", "Data Analysis"),
    ("Methods > Quality Assessment", "Quality Assessment"), (None, "Results"),
    ("Results > Description of Studies", "Description of Studies"),
    ("Results > Goal Alignment", "Goal Alignment"),
    ("Results > Task Agreement", "Task Agreement"),
    ("Results > Therapeutic Bond", "Therapeutic Bond"),
    ("Results > User Engagement", "User Engagement"),
    ("Results > Facilitators and Barriers", "Facilitators and Barriers"),
    ("Results > Quality Assessment of the Identified Studies",
     "Quality Assessment of the Identified Studies"),
    ("Results > Definition of the DTA", "Definition of the DTA"), (None, "Discussion"),
    ("Discussion > Principal Results", "Principal Results"),
    ("Discussion > Comparison With Prior Work", "Comparison With Prior Work"),
    ("Discussion > Limitations", "Limitations"),
    ("Discussion > Conclusions", "Conclusions"), (None, "Acknowledgments"),
    ("References", "References"), (None, "Abbreviations"),
]  # fmt: skip


@cache
def review_sections() -> dict[str, str]:
    """Normalised text of each section, found by its heading line, in order."""
    lines = REVIEW_TEXT.read_text(encoding="utf-8").splitlines()
    starts, index = [], 0
    for name, heading in HEADINGS:
        index = next(i for i in range(index, len(lines)) if lines[i].strip() == heading)
        starts.append((name, index))
        index += 1
    return {
        name: normalise("\n".join(lines[start + 1 : end]))
        for (name, start), (_, end) in zip(starts, starts[1:], strict=False)
        if name
    }


def expectations(path: Path, key: str) -> list[str]:
    """Values of the `# key: value` header comments of a fixture."""
    pattern = re.compile(rf"#\s*{key}:\s*(.*?)\s*$")
    return [m[1] for line in path.read_text().splitlines() if (m := pattern.match(line))]


# --- (a) the ontology parses and is consistent ----------------------------------


def test_ontology_header():
    graph = parsed(ONTOLOGY)
    onto = URIRef("https://w3id.org/dta-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in graph
    assert graph.value(onto, OWL.versionIRI) == URIRef("https://w3id.org/dta-kg/ontology/0.1.0")
    assert graph.value(onto, OWL.versionInfo)
    assert graph.value(onto, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.creator):
        assert graph.value(onto, prop), prop
    source = graph.value(onto, DCTERMS.source)
    assert "10.2196/69294" in str(source)
    assert "Integrative Review" in str(graph.value(source, DCTERMS.bibliographicCitation))
    comment = str(graph.value(onto, RDFS.comment))
    for author in ("Malouin-Lachance A", "Capolupo J", "Laplante C", "Hudon A"):
        assert author in comment


def test_owl_rl_closure_of_ontology_is_consistent():
    assert owl_rl_errors(parsed(ONTOLOGY)) == []


def test_owl_rl_reports_disjoint_misuse():
    errors = owl_rl_errors(merged(ONTOLOGY, FIXTURES / "owl-rl-inconsistent.ttl"))
    assert any(str(DTAR["study-and-finding"]) in error for error in errors), errors
    assert any(str(DTA.facilitator) in error for error in errors), errors


def test_owl_rl_adds_no_wrong_types_to_valid_graph():
    """Domains and ranges agree with the instance data: every inferred type of a
    dta:/dtar: node follows from its asserted types by rdfs:subClassOf."""
    ontology = parsed(ONTOLOGY)
    graph = merged(ONTOLOGY, VALID_GRAPH)
    asserted = {}
    for node, cls in graph.subject_objects(RDF.type):
        asserted.setdefault(node, set()).add(cls)
    closure = Graph() + graph
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    assert not list(closure.subjects(RDF.type, OWLRL_ERR.ErrorMessage))
    for node in set(closure.subjects(RDF.type, None)):
        if not str(node).startswith("https://w3id.org/dta-kg/"):
            continue
        allowed = {OWL.Thing, OWL.NamedIndividual, RDFS.Resource}
        for cls in asserted.get(node, ()):
            allowed |= set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert set(closure.objects(node, RDF.type)) <= allowed, node


# --- (a) the ontology declares what the model spec uses ---------------------------

SPEC_CLASSES = """Study IntegrativeReview Definition EvidencedFact ComponentReport Finding
    FactorReport DesignReport PopulationReport InterventionReport CuratorNote ReviewClaim
    DTAComponent Measure Instrument Subscale EngagementMetric GoalSettingFramework ResultKind
    Polarity FactorTheme InterventionType StudyDesign BibliographicDatabase ReportingGuideline
    ReviewMethod AnalyticFramework AppraisalTool NOSDomain RiskOfBiasDomain RiskOfBiasJudgement
    QualityLevel ClaimKind""".split()
SPEC_OBJECT_PROPERTIES = """includesStudy searchedDatabase followsGuideline followsMethod
    usesFramework usedAppraisalTool proposesDefinition defines evidence aboutStudy aboutReview
    component usesMeasure usesSubscale resultKind polarity theme affectsComponent design
    interventionType claimKind claimAbout retractedBy hasComponent measuresComponent
    hasSubscale subscaleOf correspondsToRiskOfBias""".split()
SPEC_DATATYPE_PROPERTIES = """referenceNumber citedInTextAs shortCitation searchEndDate
    resultValue resultUnit comparator populationDescription interventionName claimedValue
    section retracted retractionReason minStars maxStars""".split()
SPEC_ANNOTATION_PROPERTIES = "evidenceSection evidenceQuote curatorInference".split()
SPEC_SUPERCLASSES = {
    DTA.Study: URIRef("http://purl.org/spar/fabio/ResearchPaper"),
    DTA.IntegrativeReview: URIRef("http://purl.org/spar/fabio/ReviewArticle"),
    DTA.EvidencedFact: URIRef("http://www.w3.org/ns/prov#Entity"),
}
SPEC_INDIVIDUALS = {
    "DTAComponent": "goal-alignment task-agreement therapeutic-bond user-engagement "
    "facilitators-and-barriers",
    "Instrument": "wai-sr dwai ehtai ues rtes therapeutic-alliance-score",
    "Subscale": "wai-sr-goal wai-sr-task wai-sr-bond",
    "EngagementMetric": "messages-sent messages-exchanged characters-sent active-session-days "
    "app-utilisation "
    "continued-use",
    "GoalSettingFramework": "smart-goals behaviour-change-theories",
    "ResultKind": "cohens-d percentage mean-count",
    "Polarity": "facilitator barrier",
    "FactorTheme": "conversational-design empathy-and-personalisation "
    "anthropomorphism-and-social-presence accessibility-and-anonymity flexibility-and-autonomy "
    "technical-reliability privacy-and-ethics human-support therapeutic-content user-motivation",
    "InterventionType": "ai-powered-chatbot digital-psychotherapy exploratory-or-review-study "
    "general-ai-health-care-tool personalised-therapy behavioural-change-tool",
    "StudyDesign": "randomised-controlled-trial secondary-analysis single-arm-study pilot-study "
    "feasibility-study single-case-design mixed-methods qualitative-study observational-study "
    "survey systematic-review scoping-review review content-analysis thematic-analysis "
    "validation-study real-world-data-study",
    "BibliographicDatabase": "medline web-of-science psycnet google-scholar",
    "ReportingGuideline": "prisma-scr",
    "ReviewMethod": "souza-integrative-review-method",
    "AnalyticFramework": "horvath-luborsky-framework",
    "AppraisalTool": "newcastle-ottawa-scale cochrane-risk-of-bias-tool",
    "NOSDomain": "nos-selection nos-comparability nos-outcome-or-exposure",
    "RiskOfBiasDomain": "rob-random-sequence-generation rob-allocation-concealment "
    "rob-blinding-participants-personnel rob-blinding-outcome-assessment "
    "rob-incomplete-outcome-data rob-selective-reporting rob-other-bias",
    "RiskOfBiasJudgement": "rob-low rob-high rob-unclear",
    "QualityLevel": "quality-low quality-moderate quality-high",
    "ClaimKind": "studies-per-component studies-per-intervention-theme studies-included "
    "studies-fully-analysed prisma-records-identified prisma-duplicates-removed "
    "prisma-records-screened prisma-excluded-at-screening prisma-excluded-population "
    "prisma-excluded-no-intervention prisma-full-text-assessed prisma-included overall-quality",
}
SPEC_MEASURES = {
    "wai-sr-goal": {"goal-alignment"},
    "wai-sr-task": {"task-agreement"},
    "wai-sr-bond": {"therapeutic-bond"},
    "dwai": {"goal-alignment", "task-agreement"},
    "ehtai": {"user-engagement"},
    "ues": {"user-engagement"},
    "rtes": {"user-engagement"},
    "therapeutic-alliance-score": {"goal-alignment", "task-agreement", "therapeutic-bond"},
    "messages-sent": {"user-engagement"},
    "messages-exchanged": {"user-engagement"},
    "characters-sent": {"user-engagement"},
    "active-session-days": {"user-engagement"},
    "app-utilisation": {"user-engagement"},
    "continued-use": {"user-engagement"},
    "smart-goals": {"task-agreement", "goal-alignment"},
    "behaviour-change-theories": {"goal-alignment"},
}


def test_spec_classes_and_properties_are_declared():
    graph = parsed(ONTOLOGY)
    for kind, names in (
        (OWL.Class, SPEC_CLASSES),
        (OWL.ObjectProperty, SPEC_OBJECT_PROPERTIES),
        (OWL.DatatypeProperty, SPEC_DATATYPE_PROPERTIES),
        (OWL.AnnotationProperty, SPEC_ANNOTATION_PROPERTIES),
    ):
        for name in names:
            assert (DTA[name], RDF.type, kind) in graph, f"dta:{name} is not a {kind}"
    for cls, superclass in SPEC_SUPERCLASSES.items():
        assert (cls, RDFS.subClassOf, superclass) in graph
        assert (superclass, RDF.type, OWL.Class) in graph
    cites_as_data_source = URIRef("http://purl.org/spar/cito/citesAsDataSource")
    assert (DTA.includesStudy, RDFS.subPropertyOf, cites_as_data_source) in graph
    assert (cites_as_data_source, RDF.type, OWL.ObjectProperty) in graph


@pytest.mark.parametrize("class_name", sorted(SPEC_INDIVIDUALS))
def test_spec_vocabulary_individuals(class_name):
    graph = parsed(ONTOLOGY)
    expected = {DTA[name] for name in SPEC_INDIVIDUALS[class_name].split()}
    assert set(graph.subjects(RDF.type, DTA[class_name])) == expected
    for individual in expected:
        assert (individual, RDF.type, SKOS.Concept) in graph
        scheme = graph.value(individual, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in graph, individual
        assert graph.value(individual, SKOS.prefLabel) == graph.value(individual, RDFS.label)


def test_dta_concept_components_and_horvath_grouping():
    graph = parsed(ONTOLOGY)
    components = set(graph.objects(DTA["digital-therapeutic-alliance"], DTA.hasComponent))
    assert components == {DTA[n] for n in SPEC_INDIVIDUALS["DTAComponent"].split()}
    horvath = set(graph.subjects(SKOS.broader, DTA["horvath-alliance-components"]))
    assert horvath == {DTA["goal-alignment"], DTA["task-agreement"], DTA["therapeutic-bond"]}
    assert str(graph.value(DTA["horvath-alliance-components"], SKOS.prefLabel)) == (
        "Horvath's working alliance components"
    )


def test_measures_link_to_spec_components():
    graph = parsed(ONTOLOGY)
    found = {}
    for measure, component in graph.subject_objects(DTA.measuresComponent):
        found.setdefault(measure, set()).add(component)
    expected = {
        DTA[measure]: {DTA[c] for c in components} for measure, components in SPEC_MEASURES.items()
    }
    assert found == expected
    subscales = set(graph.objects(DTA["wai-sr"], DTA.hasSubscale))
    assert subscales == {DTA["wai-sr-goal"], DTA["wai-sr-task"], DTA["wai-sr-bond"]}
    assert all((s, DTA.subscaleOf, DTA["wai-sr"]) in graph for s in subscales)


def test_quality_levels_map_stars_and_risk_of_bias():
    graph = parsed(ONTOLOGY)
    expected = {"quality-low": (1, 3, "rob-high"), "quality-moderate": (4, 6, None),
                "quality-high": (7, 9, "rob-low")}  # fmt: skip
    for level, (low, high, rob) in expected.items():
        assert graph.value(DTA[level], DTA.minStars) == Literal(low)
        assert graph.value(DTA[level], DTA.maxStars) == Literal(high)
        assert graph.value(DTA[level], DTA.correspondsToRiskOfBias) == (rob and DTA[rob])


# --- (b) every dta: term has a label and a definition ------------------------------


@pytest.mark.parametrize("name", ["missing-label", "missing-definition"])
def test_every_dta_term_has_label_and_definition(name):
    query = ROOT / "ontology" / "qc" / f"{name}-violation.rq"
    assert run_qc(query, parsed(ONTOLOGY)) == []


# --- (c) QC queries ---------------------------------------------------------------------


def test_qc_queries_exist():
    names = {query.name for query in QC_QUERIES}
    for required in ("missing-label", "missing-definition", "undeclared-term",
                     "fact-without-evidence", "factor-report-without-polarity",
                     "duplicate-doi", "label-clash"):  # fmt: skip
        assert f"{required}-violation.rq" in names


@pytest.mark.parametrize("query", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_header_and_columns(query):
    text = query.read_text()
    for key in ("name", "description", "rule"):
        assert re.search(rf"^# {key}: \S", text, re.MULTILINE), f"no '# {key}:' line"
    assert re.search(r"SELECT\s+(DISTINCT\s+)?\?focus\s+\?message\b", text)


@pytest.mark.parametrize("query", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_passes_on_ontology_and_valid_graph(query):
    assert run_qc(query, merged(ONTOLOGY, VALID_GRAPH)) == []


@pytest.mark.parametrize("query", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_bites_on_failing_fixture(query):
    fixture = FIXTURES / "qc" / query.name.replace("-violation.rq", "-invalid.ttl")
    rows = run_qc(query, merged(ONTOLOGY, VALID_GRAPH, fixture))
    expected = {expand(curie) for curie in expectations(fixture, "expect-focus")}
    assert expected, f"{fixture.name} declares no expect-focus"
    assert {focus for focus, _ in rows} == expected
    assert all(message for _, message in rows)


@pytest.mark.parametrize("query", QC_QUERIES, ids=lambda p: p.stem)
def test_qc_query_passes_on_valid_fixture(query):
    fixture = FIXTURES / "qc" / query.name.replace("-violation.rq", "-valid.ttl")
    assert run_qc(query, merged(ONTOLOGY, VALID_GRAPH, fixture)) == []


# --- (c) SHACL shapes ---------------------------------------------------------------------


def test_valid_graph_conforms_to_shapes():
    assert shacl_results(merged(ONTOLOGY, VALID_GRAPH)) == set()


@pytest.mark.parametrize("fixture", SHACL_FIXTURES, ids=lambda p: p.stem)
def test_shape_bites_on_failing_fixture(fixture):
    expected = set()
    for line in expectations(fixture, "expect"):
        focus, message = (part.strip() for part in line.split("|", 1))
        expected.add((expand(focus), message))
    assert expected, f"{fixture.name} declares no expectations"
    assert shacl_results(merged(ONTOLOGY, VALID_GRAPH, fixture)) == expected


def _targeted_shapes(shapes: Graph):
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetNode, SH.targetObjectsOf)
    return sorted({shape for target in targets for shape in shapes.subjects(target, None)})


def test_every_shape_has_label_and_message():
    shapes = parsed(SHAPES)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.objects(None, SH.property)
    ):
        assert shapes.value(shape, RDFS.label), shape
        assert shapes.value(shape, SH.message), shape
    for shape in _targeted_shapes(shapes):
        assert (shape, RDF.type, SH.NodeShape) in shapes


def test_every_shape_is_exercised_by_a_failing_fixture():
    """Each message a targeted node shape can report (its property shapes, its
    SPARQL constraints and its own node-level constraints) is expected somewhere."""
    shapes = parsed(SHAPES)
    expected = {
        line.split("|", 1)[1].strip()
        for fixture in SHACL_FIXTURES
        for line in expectations(fixture, "expect")
    }
    node_level = (SH["or"], SH["and"], SH["not"], SH.xone, SH.closed, SH["class"])
    for shape in _targeted_shapes(shapes):
        parts = list(shapes.objects(shape, SH.property)) + list(shapes.objects(shape, SH.sparql))
        if any(shapes.value(shape, p) is not None for p in node_level):
            parts.append(shape)
        for part in parts:
            message = str(shapes.value(part, SH.message))
            assert message in expected, f"no failing fixture expects: {message}"


# --- (d) evidence quotes are verbatim --------------------------------------------------------


def _evidenced_terms():
    graph = parsed(ONTOLOGY)
    return sorted(set(graph.subjects(DTA.evidenceQuote, None)))


@pytest.mark.parametrize("term", _evidenced_terms(), ids=lambda t: t.split("#")[-1])
def test_evidence_quotes_occur_in_named_section(term):
    graph = parsed(ONTOLOGY)
    sections = review_sections()
    named = [str(s) for s in graph.objects(term, DTA.evidenceSection)]
    quotes = [normalise(str(q)) for q in graph.objects(term, DTA.evidenceQuote)]
    assert named, "dta:evidenceQuote without dta:evidenceSection"
    for section in named:
        assert section in sections, f"unknown section {section!r}"
        assert any(q in sections[section] for q in quotes), f"no quote is in {section!r}"
    for quote in quotes:
        assert 1 <= len(quote.split()) <= 30, f"quote of {len(quote.split())} words"
        assert any(quote in sections[s] for s in named), f"not verbatim in {named}: {quote!r}"


def test_review_sections_are_found():
    sections = review_sections()
    assert len(sections) == len([name for name, _ in HEADINGS if name])
    assert all(sections.values())


def test_definitions_follow_review_wording():
    graph = parsed(ONTOLOGY)
    sections = review_sections()
    definition = str(graph.value(DTA["digital-therapeutic-alliance"], SKOS.definition))
    assert definition.startswith("The Digital Therapeutic Alliance (DTA) refers to ")
    assert normalise(definition) in sections["Results > Definition of the DTA"]
    for component, section in (
        ("goal-alignment", "Results > Goal Alignment"),
        ("task-agreement", "Results > Task Agreement"),
        ("therapeutic-bond", "Results > Therapeutic Bond"),
        ("user-engagement", "Results > User Engagement"),
        ("facilitators-and-barriers", "Results > Facilitators and Barriers"),
    ):
        text = normalise(str(graph.value(DTA[component], SKOS.definition)))
        assert text in sections[section], component
