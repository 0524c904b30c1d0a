"""Every answer says what it stands on: stated, or inferred with a confidence; a row resting on
several facts shows the weakest, and --min-confidence keeps what is at least that sure."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core.basis import LEVELS, level_of, weakest, with_basis

HE = "10.1186/s12889-022-13115-x"  # ref 38: its design is the curators' guess (confidence low)
LIU = "10.1016/j.invent.2022.100495"  # ref 44
MACNEILL = "10.2196/50025"  # ref 20
BEATTY = "10.3389/fdgth.2022.847991"  # ref 25


@pytest.fixture(scope="module")
def run(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}

    def invoke(*args: str) -> list[dict]:
        result = CliRunner().invoke(main, [*args, "--format", "json"], env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    return invoke


@pytest.mark.parametrize("lang", ["sparql", "cypher"])
def test_min_confidence_medium_leaves_he_2022_out_of_the_trials(run, lang):
    everything = run("studies", "--design", "randomised controlled trial", "--lang", lang)
    assert {r["doi"] for r in everything} == {HE, LIU, MACNEILL}
    he = next(r for r in everything if r["doi"] == HE)
    assert (he["basis"], he["confidence"]) == ("inferred", "low")
    sure = run("studies", "--design", "randomised controlled trial", "--min-confidence", "medium",
               "--lang", lang)
    assert {r["doi"] for r in sure} == {LIU, MACNEILL}
    assert all(set(r) >= {"basis", "confidence"} for r in sure)
    assert run("studies", "--design", "randomised controlled trial", "--min-confidence",
               "stated", "--lang", lang) == [r for r in sure if r["basis"] == "stated"]


def test_every_row_of_studies_carries_its_basis(run):
    rows = run("studies")
    assert len(rows) == 28
    assert all(r["basis"] in ("stated", "inferred") for r in rows)
    assert all((r["confidence"] is None) == (r["basis"] == "stated") for r in rows)


def test_a_row_shows_the_weakest_of_the_facts_it_rests_on(run):
    # He 2022's bond is stated, its design inferred (low): together, low
    bond = {r["doi"]: r for r in run("studies", "--component", "bond")}
    assert (bond[HE]["basis"], bond[HE]["confidence"]) == ("stated", None)
    both = {r["doi"]: r for r in run("studies", "--component", "bond", "--design", "rct")}
    assert (both[HE]["basis"], both[HE]["confidence"]) == ("inferred", "low")


@pytest.mark.parametrize("name, params", [
    ("studies-by-design", ["design=randomised controlled trial"]),
    ("studies-by-component", ["component=bond"]),
    ("studies-by-instrument", ["instrument=WAI-SR"]),
    ("studies-by-intervention-type", ["intervention_type=AI-powered chatbots"]),
    ("studies-by-theme", ["theme=accessibility and anonymity"]),
    ("studies-by-factor", ["factor=empathy"]),
    ("studies-by-year", ["year_from=2024"]),
    ("study-evidence", [f"study={HE}"]),
])
def test_named_queries_carry_the_basis_and_both_engines_agree(run, name, params):
    args = [a for p in params for a in ("-p", p)]
    sparql = run("query", "run", name, *args)
    assert sparql and all(r["basis"] in ("stated", "inferred") for r in sparql)
    assert run("query", "run", name, *args, "--lang", "cypher") == sparql
    medium = run("query", "run", name, *args, "--min-confidence", "medium")
    assert medium == [r for r in sparql if r["confidence"] not in ("low",)]


def test_study_evidence_marks_he_2022s_guessed_design(run):
    rows = {r["fact"]: r for r in run("query", "run", "study-evidence", "-p", f"study={HE}")}
    assert (rows["design-randomised-controlled-trial"]["basis"],
            rows["design-randomised-controlled-trial"]["confidence"]) == ("inferred", "low")
    assert (rows["bond"]["basis"], rows["bond"]["confidence"]) == ("stated", None)


def test_the_order_of_bases_is_defined_once():
    assert LEVELS == ("stated", "high", "medium", "low")
    assert level_of(None, None) == "stated"
    assert level_of("a guess", None) == "low"  # an inference without a confidence counts as low
    assert level_of("a guess", "medium") == "medium"
    assert weakest(["stated", "high", "medium"]) == "medium" and weakest([]) == "stated"
    columns, rows = with_basis(["doi", "basis_rank"], [{"doi": "a", "basis_rank": 3},
                                                       {"doi": "b", "basis_rank": 0}], "high")
    assert columns == ["doi", "basis", "confidence"]
    assert list(rows) == [{"doi": "a", "basis": "stated", "confidence": None}]


def test_study_show_gives_each_facts_basis_and_confidence(built_project):
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    text = CliRunner().invoke(main, ["study", "show", HE], env=env).output
    design = text.split("#design-randomised-controlled-trial", 1)[1].split("\n\n", 1)[0]
    assert "basis: inferred (low confidence)" in design
    assert "basis: stated" in text.split("#bond:", 1)[1].split("\n  10.", 1)[0]
    data = json.loads(CliRunner().invoke(main, ["study", "show", HE, "--format", "json"],
                                         env=env).output)
    facts = {f["id"]: f for f in data["facts"]}
    assert (facts["population"]["basis"], facts["population"]["confidence"]) == ("inferred",
                                                                                   "medium")
    assert (facts["bond"]["basis"], facts["bond"]["confidence"]) == ("stated", None)


def test_the_gap_map_shades_cells_resting_on_inferences_and_says_so(built_project, tmp_path):
    from dta_kg.views import render_gap_map
    from dta_kg.views.source import gap_map_data

    def cells(html: str, matrix: int) -> list[str]:
        section = html.split('<section class="matrix">')[matrix + 1].split("</section>")[0]
        return re.findall(r'<td class="([^"]+)"', section)

    page = render_gap_map(path=tmp_path / "map.html", **gap_map_data(built_project)).read_text(
        encoding="utf-8")
    assert "every one on a curator's inference" in page  # the legend
    themes, measures = cells(page, 0), cells(page, 1)
    # every intervention theme is a curator's inference: no cell of that matrix is stated
    assert themes and all(c.endswith("inferred") for c in themes if not c.startswith("uncoded"))
    assert "gap inferred" in themes and "coding inferred</span>" in page
    assert "filled" in measures and "filled inferred" in measures  # stated cells and inferred ones
    assert re.search(r'<a href="[^"]+">He et al 2022</a> <span class="basis">stated</span>', page)
    stated = render_gap_map(path=tmp_path / "stated.html", **gap_map_data(
        built_project, min_confidence="stated")).read_text(encoding="utf-8")
    assert not [c for c in cells(stated, 0) if c.startswith("filled")]  # no stated theme
    assert cells(stated, 1).count("filled") == measures.count("filled")


def test_graph_panels_and_exports_carry_the_basis(built_project, tmp_path):
    from dta_kg.views import render_network
    from dta_kg.views.source import load_projection

    page = render_network(load_projection(built_project), tmp_path / "graph.html", title="g").read_text(
        encoding="utf-8")
    assert '"basis":"inferred (low confidence)"' in page and '"basis":"stated"' in page
    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    for fmt, wanted in (("jsonld", '"basisRank": 0'), ("graphml", 'attr.name="basisRank"'),
                        ("ttl", "dta:basis \"inferred\"")):
        out = tmp_path / f"graph.{fmt}"
        result = CliRunner().invoke(main, ["export", "--format", fmt, "-o", str(out)], env=env)
        assert result.exit_code == 0, result.output
        assert wanted in out.read_text(encoding="utf-8"), fmt
