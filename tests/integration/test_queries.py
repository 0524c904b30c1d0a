"""The catalogue of named questions: both languages agree, and each gives the review's answer.

Expected answers are read from the review (records/source/dta-integrative-review-2025.txt):
DOIs from its reference list, figures and names from its text, never from a query's output.
"""

from __future__ import annotations

import shlex

import pyoxigraph
import pytest

from dta_kg.core.registry import QUERY_LANGUAGES as LANGUAGES
from dta_kg.queries.catalogue import catalogue, read_header
from dta_kg.query.cypher_guard import without_comment_lines
from dta_kg.query.session import Session

BEATTY, HE, JEONG = "10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x", "10.1145/3568162.3578625"
MACNEILL, LIU, PLAKUN = "10.2196/50025", "10.1016/j.invent.2022.100495", "10.1097/PRA.0000000000000748"
RUSSO = "10.1089/rej.2018.2075"
# references 60, 61, 52, 54, 53, 59, 51 (the last is Russo)
BROTHDALE, ASHUR = "10.1177/20552076241277712", "10.1016/j.invent.2024.100783"
PRESCOTT, ALFANO = "10.1108/MHSI-02-2023-0020", "10.15167/2421-4248/jpmh2023.64.4.3135"
TA_JOHNSON, KETTLE = "10.2196/38876", "10.1177/00187208231162453"
# "Beatty et al [25] evaluated therapeutic tasks ... Forman-Hoffman et al [42] ... Goldberg et al
# [48] ... Hocking et al [43] ... Martinengo et al [41] ... Liu et al [44] ... Goldberg et al [49]"
TASK_STUDIES = {BEATTY, "10.2196/46473", "10.1037/cou0000382", "10.1177/02692155231216615",
                "10.1016/j.jad.2022.09.028", LIU, "10.1177/10731911211015310"}
COMPONENTS = {"goal alignment", "task agreement", "therapeutic bond", "user engagement",
              "facilitators and barriers"}


def example_params(name: str) -> dict[str, str]:
    """The -p values of a named query's example command."""
    words = shlex.split(catalogue()[name].example)
    return dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "-p")


@pytest.fixture(scope="module")
def session(built_project):
    return Session(built_project)


def run(session, name: str, lang: str = "sparql", **params):
    return session.named(name, {k: str(v) for k, v in params.items()}, lang).rows


def dois(rows) -> set[str]:
    return {r["doi"] for r in rows}


def test_catalogue_has_at_least_twelve_questions_in_both_languages():
    queries = catalogue()
    assert len(queries) >= 12
    for q in queries.values():
        assert set(q.texts) == set(LANGUAGES), q.name
        assert q.description.endswith("?"), q.name
        assert q.example.startswith(("dta-kg query run " + q.name, "dta-kg studies")), q.name


def test_both_languages_use_every_parameter():
    for q in catalogue().values():
        select = q.texts["sparql"].split("SELECT", 1)[1].split("WHERE", 1)[0]
        for p in q.params:
            assert f"?{p.name}" in select.split(), (q.name, p.name)
            assert f"${p.name}" in q.texts["cypher"], (q.name, p.name)


def test_malformed_header_is_refused(tmp_path):
    from dta_kg.queries.catalogue import CatalogueError

    path = tmp_path / "broken.rq"
    for header in ("# name: broken\n# description: x?\n# param: x [text]: nope\n# example: e\n",
                   "# name: broken\n# description: x?\n# param: x (colour): c\n# example: e\n",
                   "# name: other\n# description: x?\n# example: e\n",
                   "# name: broken\n# example: e\n"):
        with pytest.raises(CatalogueError):
            read_header(header, "#", path)


def test_if_blocks_drop_the_text_of_unset_parameters(tmp_path):
    from dta_kg.queries.catalogue import CatalogueError, NamedQuery, Param, check_blocks

    query = catalogue()["studies"]
    assert "?component" not in query.text("sparql", {}).split("WHERE", 1)[1].split("GROUP BY")[0]
    assert "dta:informsComponent ?component" in query.text("sparql", {"component": "x"})
    assert "$instrument" not in query.text("cypher", {"component": "x"})
    union = "UNION\n      { ?fact dta:retracted true"
    by_component = catalogue()["studies-per-component"]
    assert union not in by_component.text("sparql", {"include_retracted": False})
    assert union in by_component.text("sparql", {"include_retracted": True})
    params = (Param("a", "text", "a", optional=True), Param("b", "text", "b"),
              Param("flag", "boolean", "f", default="false"),
              Param("n", "integer", "n", optional=True))
    check_blocks("# if a\nx\n# end\n# if flag\ny\n# end\n", params, tmp_path)
    numbered = NamedQuery("n", "n?", params, "e", {"sparql": "# if n\nkept\n# end\n"})
    assert numbered.text("sparql", {"n": 0}) == "kept\n"
    for text in ("# if b\nx\n# end\n", "# if a\nx\n", "x\n# end\n", "# unless b\nx\n# end\n"):
        with pytest.raises(CatalogueError):
            check_blocks(text, params, tmp_path)


def test_unless_blocks_drop_their_text_when_the_parameter_is_set(tmp_path):
    """With an instrument, `studies` reads the component from the instrument's finding alone:
    the separate component pattern (a second join per study) is left out."""
    from dta_kg.queries.catalogue import NamedQuery, Param, check_blocks

    params = (Param("a", "text", "a", optional=True), Param("b", "text", "b", optional=True))
    text = "# unless a\n# if b\nboth\n# end\n# end\nrest\n"
    check_blocks(text, params, tmp_path)
    query = NamedQuery("n", "n?", params, "e", {"sparql": text})
    assert query.text("sparql", {"b": "y"}) == "both\nrest\n"
    assert query.text("sparql", {"a": "x", "b": "y"}) == "rest\n"
    studies = catalogue()["studies"]
    for lang, pattern in (("sparql", "?c dta:informsComponent ?component"),
                          ("cypher", "(c)-[:INFORMS_COMPONENT]->")):
        assert pattern in studies.text(lang, {"component": "x"})
        assert pattern not in studies.text(lang, {"component": "x", "instrument": "y"})


@pytest.mark.parametrize("name", sorted(catalogue()))
@pytest.mark.parametrize("include_retracted", ["false", "true"])
def test_sparql_and_cypher_return_the_same_rows(session, name, include_retracted):
    params = example_params(name)
    if any(p.name == "include_retracted" for p in catalogue()[name].params):
        params["include_retracted"] = include_retracted
    sparql = session.named(name, params, "sparql")
    cypher = session.named(name, params, "cypher")
    assert sparql.columns == cypher.columns
    assert sparql.rows == cypher.rows
    assert sparql.rows, f"{name} answers nothing on the curated graph"


@pytest.mark.parametrize("filters", [
    {"factor": "anonymity"}, {"polarity": "barrier", "year_from": "2024"},
    {"design": "randomised controlled trial"}, {"intervention_type": "AI-powered chatbots"},
    {"factor": "privacy", "polarity": "barrier"}, {"year_to": "2019"}, {},
])
def test_studies_filters_agree_in_both_languages(session, filters):
    assert session.named("studies", filters, "sparql").rows == \
        session.named("studies", filters, "cypher").rows


# --- expected answers, one per named query, read from the review --------------------------------

def expect_studies(session, lang):
    # "He et al [38] and Jeong et al [39] measured the bond using the WAI-SR"; Beatty et al [25]
    # "as measured by the WAI-SR subscale for the bond"
    rows = run(session, "studies", lang, component="bond", instrument="WAI-SR")
    assert dois(rows) == {BEATTY, HE, JEONG}
    assert {r["short_citation"] for r in rows} == {"Beatty et al 2022", "He et al 2022",
                                                   "Jeong et al 2023"}


def expect_studies_by_component(session, lang):
    # "A total of 8 studies provided insight on this key concept", seven of them named
    rows = run(session, "studies-by-component", lang, component="task agreement")
    assert TASK_STUDIES <= dois(rows) and len(rows) <= 8


def expect_studies_by_instrument(session, lang):
    # "Beatty et al [25], He et al [38], and Jeong et al [39] ... using the WAI-SR subscale"
    rows = run(session, "studies-by-instrument", lang, instrument="WAI-SR")
    assert dois(rows) == {BEATTY, HE, JEONG}
    assert {"WAI-SR goal subscale", "WAI-SR bond subscale"} <= {r["subscale"] for r in rows}


def expect_studies_by_factor(session, lang):
    # "Beatty et al [25] reported that anonymity and flexibility raised user autonomy";
    # after [60] and [61]: "Mobile app accessibility decreased stigma and offered anonymity".
    # No other study names anonymity: the theme "accessibility and anonymity" is not matched.
    rows = run(session, "studies-by-factor", lang, factor="anonymity", polarity="facilitator")
    assert dois(rows) == {BEATTY, BROTHDALE, ASHUR}
    assert {r["factor_concept"] for r in rows} == {"anonymity", "reduced stigma"}
    # Plakun [50] "noted ... privacy concerns as major hindrances"
    rows = run(session, "studies-by-factor", lang, factor="privacy", polarity="barrier")
    assert PLAKUN in dois(rows) and {r["factor_polarity"] for r in rows} == {"barrier"}
    # narrower factors count: Prescott and Hanley's [52] "speech recognition challenges" are
    # technical errors, as are those Chan et al [62] and Goonesekera and Donkin [57] name
    rows = run(session, "studies-by-factor", lang, factor="technical errors")
    assert PRESCOTT in dois(rows) and "speech recognition challenges" in {
        r["factor_label"] for r in rows}
    # a synonym: Ta-Johnson et al [53] "safe space", Alfano et al [54] "nonjudgmental interactions"
    assert dois(run(session, "studies-by-factor", lang, factor="safe space")) == {TA_JOHNSON,
                                                                                 ALFANO}


def expect_studies_by_theme(session, lang):
    # the accessibility-and-anonymity reports of Beatty [25], Russo [51], Ta-Johnson [53],
    # Alfano [54], Kettle and Lee [59], Brothdale [60] and Ashur [61]; Doukani's [47] "good
    # system usability" and Prescott and Hanley's [52] "cognitive impairments" are not in it
    rows = run(session, "studies-by-theme", lang, theme="accessibility and anonymity")
    assert dois(rows) == {BEATTY, RUSSO, TA_JOHNSON, ALFANO, KETTLE, BROTHDALE, ASHUR}
    assert {r["factor_polarity"] for r in rows} == {"facilitator"}
    labels = {r["factor_label"] for r in rows}
    assert "cognitive impairments" not in labels and "good system usability" not in labels


def expect_studies_by_intervention_type(session, lang):
    # "AI-powered chatbots (n=12)"; Beatty et al [25]: "the Wysa chatbot"
    rows = run(session, "studies-by-intervention-type", lang,
               intervention_type="AI-powered chatbots")
    assert len(rows) == 12 and BEATTY in dois(rows)


def expect_studies_by_design(session, lang):
    # reference titles: "a randomized trial of effectiveness" [44], "randomized controlled trial" [20]
    rows = run(session, "studies-by-design", lang, design="randomised controlled trial")
    assert {LIU, MACNEILL} <= dois(rows)


def expect_studies_by_year(session, lang):
    # the reference list dates only Russo et al [51] before 2020
    assert dois(run(session, "studies-by-year", lang, year_to=2019)) == {RUSSO}


def expect_measures_by_component(session, lang):
    # User Engagement: "User Engagement Scale", "Rehabilitation Therapy Engagement Scale",
    # "eHealth Therapeutic Alliance Inventory"
    rows = run(session, "measures-by-component", lang, component="user engagement")
    assert {"User Engagement Scale", "Rehabilitation Therapy Engagement Scale",
            "eHealth Therapeutic Alliance Inventory"} <= {r["measure"] for r in rows}
    # Therapeutic Bond: "evaluated the bond using the therapeutic alliance score"
    rows = run(session, "measures-by-component", lang, component="therapeutic bond")
    assert "therapeutic alliance score" in {r["measure"] for r in rows}


def expect_unmeasured_components(session, lang):
    # the review names instruments for goals, tasks, bond and engagement, none for the factors
    assert [r["component"] for r in run(session, "unmeasured-components", lang)] == \
        ["facilitators and barriers"]


def expect_factors_by_component(session, lang):
    # Liu et al [44]: "an empathic tone ... facilitated engagement but ... rule-based systems
    # limited the bond"; "22 studies reported either a facilitator, a barrier, or ... both"
    rows = {r["component"]: r for r in run(session, "factors-by-component", lang)}
    assert set(rows) == COMPONENTS
    for component in ("therapeutic bond", "facilitators and barriers"):
        assert rows[component]["facilitators"] >= 1 and rows[component]["barriers"] >= 1
    assert rows["facilitators and barriers"]["studies"] >= 1


def expect_studies_per_component(session, lang):
    # "A total of 16 studies ...", "A total of 8 studies ...", "In total, 12 studies ...",
    # "reported in 22 studies", "In total, 22 studies ..."
    rows = {r["component"]: r for r in run(session, "studies-per-component", lang)}
    assert {c: r["stated"] for c, r in rows.items()} == {
        "goal alignment": 16, "task agreement": 8, "therapeutic bond": 12,
        "user engagement": 22, "facilitators and barriers": 22}
    assert all(0 < r["curated"] <= 28 for r in rows.values())


def expect_studies_per_intervention_theme(session, lang):
    # "AI-powered chatbots (n=12), digital psychotherapy (n=7), exploratory or review studies
    # (n=3), general AI health care tools (n=2), personalized therapy (n=2), and behavioral
    # change tools (n=2)"
    rows = run(session, "studies-per-intervention-theme", lang)
    assert sorted(r["stated"] for r in rows) == [2, 2, 2, 3, 7, 12]
    assert rows[0]["theme"] == "AI-powered chatbot"


def expect_study_evidence(session, lang):
    rows = run(session, "study-evidence", lang, study=BEATTY)
    assert all(r["section"] and r["quote"] for r in rows)
    assert {"Results > Therapeutic Bond"} <= {r["section"] for r in rows}
    assert any("as measured by the WAI-SR subscale for the bond" in r["quote"] for r in rows)


def expect_dta_definition(session, lang):
    rows = run(session, "dta-definition", lang)
    assert len(rows) == 1  # the definition once, its components in one cell
    assert rows[0]["components"].split("; ") == sorted(COMPONENTS)
    assert rows[0]["definition"].startswith("The Digital Therapeutic Alliance (DTA) refers to the "
                                            "collaborative relationship and emotional connection")
    assert rows[0]["section"] == "Results > Definition of the DTA"


def expect_component_co_occurrence(session, lang):
    # goal alignment and the bond both measured with the WAI-SR by [25], [38] and [39]
    rows = {(r["component_a"], r["component_b"]): r["studies"]
            for r in run(session, "component-co-occurrence", lang)}
    assert rows[("goal alignment", "therapeutic bond")] >= 3


def expect_prisma_flow(session, lang):
    # "identified 1294 articles. Of these, 203 duplicates ... remaining 1091 ... 806 articles were
    # excluded ... (307 ... and 499 ...) ... 28 articles were fully retained ... 285 articles"
    rows = run(session, "prisma-flow", lang)
    # in the order of the flow, each reason for exclusion after the exclusion it explains
    assert [(r["step"], r["value"]) for r in rows] == [
        ("PRISMA records identified", 1294), ("PRISMA duplicates removed", 203),
        ("PRISMA records screened", 1091), ("PRISMA excluded at screening", 806),
        ("PRISMA excluded for population", 307), ("PRISMA excluded for no intervention", 499),
        ("PRISMA full texts assessed", 285), ("PRISMA included", 28)]


def expect_screening_flow(session, lang):
    # the shipped records hold no search run yet: no record is identified, no later step is
    # shown (a project with screening records is checked against the PRISMA counts in
    # test_screening.py)
    assert run(session, "screening-flow", lang) == [
        {"position": 1, "step": "records identified", "value": 0}]


EXPECTED = {name.removeprefix("expect_").replace("_", "-"): check
            for name, check in globals().items() if name.startswith("expect_")}


def test_every_named_query_has_an_expected_answer():
    assert set(EXPECTED) == set(catalogue())


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_named_query_gives_the_reviews_answer(session, name, lang):
    EXPECTED[name](session, lang)


# --- safety: values are bound, never pasted ------------------------------------------------------

HOSTILE = ['" } UNION { ?study ?p ?o } #', "' OR 1=1 //", "x\" OR 1=1 --", "} UNION {",
           "{}", "bond' }) RETURN s //"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_cannot_change_a_query(session, value):
    import pyoxigraph

    q = catalogue()["studies"]
    hidden = tuple(p.name for p in q.params)
    for name in ("component", "instrument", "factor", "design"):
        bindings = {name: pyoxigraph.Literal(value), "include_retracted": pyoxigraph.Literal(False)}
        rows = session.sparql(q.text("sparql", {name: value}), bindings, hidden).rows
        assert rows == [], (name, value)
        params = {p.name: None for p in q.params} | {name: value, "include_retracted": False}
        text = without_comment_lines(q.text("cypher", params))  # as the named path runs it
        assert session.cypher(text, params).rows == [], (name, value)


def test_hostile_filter_text_is_an_unknown_value_not_a_wider_answer(session):
    from dta_kg.core.errors import UnknownTerm

    for key in ("component", "factor", "design"):
        with pytest.raises(UnknownTerm):
            session.named("studies", {key: '" OR 1=1 } UNION { ?s ?p ?o'})
    with pytest.raises(UnknownTerm):
        session.named("study-evidence", {"study": '10.1/x" } UNION { ?s ?p ?o'})


@pytest.mark.parametrize("text", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DELETE WHERE { ?s ?p ?o }", "LOAD <http://x/y>",
    "CLEAR ALL", "DROP GRAPH <urn:g>", "PREFIX ex: <http://ex/>\nWITH <urn:g> DELETE { ?s ?p ?o } "
    "WHERE { ?s ?p ?o }", "create silent graph <urn:g>",
])
def test_updates_are_recognised(text):
    from dta_kg.query.sparql_guard import is_update

    assert is_update(text)


@pytest.mark.parametrize("text", [
    "SELECT ?insert WHERE { ?insert ?p ?o }", "PREFIX del: <http://ex/delete#> SELECT * "
    "WHERE { ?s del:load ?o }", 'SELECT * WHERE { ?s ?p "DROP ALL" } # clear', "ASK { ?s ?p ?o }",
])
def test_queries_are_not_mistaken_for_updates(text):
    from dta_kg.query.sparql_guard import is_update

    assert not is_update(text)


# --- retracted facts: summary edges and the include_retracted branch --------------------------

def test_a_retracted_study_leaves_the_component_queries_unless_asked_for(project_copy):
    from dta_kg.curation.curate import retract
    from dta_kg.pipeline.build import build

    retract(project_copy, BEATTY, "a test of retraction", "Test Curator")
    build(project_copy)
    session = Session(project_copy)
    for lang in LANGUAGES:
        for component in ("task agreement", "bond"):
            active = dois(run(session, "studies-by-component", lang, component=component))
            every = dois(run(session, "studies-by-component", lang, component=component,
                             include_retracted="true"))
            assert BEATTY not in active and every == active | {BEATTY}, (lang, component)
        for name, params in (("studies-by-instrument", {"instrument": "WAI-SR"}),
                             ("studies-by-factor", {"factor": "anonymity"})):
            active = dois(run(session, name, lang, **params))
            every = dois(run(session, name, lang, include_retracted="true", **params))
            assert BEATTY not in active and BEATTY in every, (lang, name)
        counts = {r["component"]: r["curated"] for r in run(session, "studies-per-component", lang)}
        with_retracted = {r["component"]: r["curated"] for r in run(
            session, "studies-per-component", lang, include_retracted="true")}
        assert with_retracted["task agreement"] == counts["task agreement"] + 1
        assert with_retracted["therapeutic bond"] == counts["therapeutic bond"] + 1
    for name in ("studies-by-component", "studies-by-instrument", "studies-by-factor",
                 "studies-per-component", "component-co-occurrence"):
        for flag in ("false", "true"):
            params = {**example_params(name), "include_retracted": flag}
            assert session.named(name, params, "sparql").rows == \
                session.named(name, params, "cypher").rows, (name, flag)
    pairs = {(r["component_a"], r["component_b"]): r["studies"]
             for r in run(session, "component-co-occurrence", "sparql")}
    more = {(r["component_a"], r["component_b"]): r["studies"]
            for r in run(session, "component-co-occurrence", "sparql", include_retracted="true")}
    assert more[("task agreement", "therapeutic bond")] == \
        pairs.get(("task agreement", "therapeutic bond"), 0) + 1


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_rows_come_sorted_as_a_reader_expects(session, name):
    """The final ORDER BY of a query is applied to the rows by dta-kg, text ignoring case and
    accents: the rows are Oxigraph's own, and their sort keys never go backwards."""
    from dta_kg.core.basis import with_basis
    from dta_kg.core.output import value_key
    from dta_kg.core.rdfterms import python_value
    from dta_kg.query.session import sparql_bindings
    from dta_kg.query.sparql_text import split_order

    query = catalogue()[name]
    values = session.bind(query, example_params(name))
    text = query.text("sparql", values)
    order = split_order(text)[1]
    assert order, f"{name} has no plain ORDER BY"
    subs = {pyoxigraph.Variable(k): v for k, v in sparql_bindings(query, values).items()}
    got = session.named(name, example_params(name), "sparql")
    answer = session.evaluate(text, subs)
    hidden = {p.name for p in query.params}
    columns = [v.value for v in answer.variables if v.value not in hidden]
    engine = list(with_basis(columns, [{c: python_value(row[c]) for c in columns}
                                       for row in answer])[1])
    assert sorted(map(repr, got.rows)) == sorted(map(repr, engine))
    for lang in ("sparql", "cypher"):
        rows = session.named(name, example_params(name), lang).rows
        for before, after in zip(rows, rows[1:], strict=False):
            for var, descending in order:
                if var not in before:
                    break
                a, b = value_key(before[var]), value_key(after[var])
                if a != b:
                    assert (a > b) if descending else (a < b), (name, lang, before, after)
                    break


def test_text_sorts_without_regard_to_case(session):
    rows = run(session, "measures-by-component", "sparql", component="user engagement")
    instruments = [r["measure"] for r in rows if r["kind"] == "Instrument"]
    assert instruments == ["eHealth Therapeutic Alliance Inventory",
                           "Rehabilitation Therapy Engagement Scale", "User Engagement Scale"]
    assert run(session, "measures-by-component", "cypher", component="user engagement") == rows


def test_client_order_follows_sparql_across_kinds_of_term(session):
    text = """SELECT ?x WHERE { VALUES ?x { 10 "b" <urn:b> 2.5 UNDEF "a" <urn:a> 3 } }
              ORDER BY DESC(?x)"""
    engine = [r["x"] for r in session.sparql(text + " LIMIT 100").rows]  # LIMIT: Oxigraph sorts
    assert session.sparql(text).rows == [{"x": x} for x in engine]
    assert engine[-1] is None and engine[:2] == ["b", "a"]
