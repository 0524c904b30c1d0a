"""The README's Mermaid model drawn as SVG without Mermaid."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dta_kg.views.model_diagram import model_svg, parse, wrap

BLOCK = """graph LR
  Review[dta:IntegrativeReview] -- dta:includesStudy --> Study[dta:Study]
  Fact[dta:Finding / dta:FactorReport] -- dta:aboutStudy --> Study
  Fact -- dta:note <b> --> Note["x"]
"""


def test_mermaid_edges_and_labels_are_read():
    labels, edges = parse(BLOCK)
    assert labels["Review"] == "dta:IntegrativeReview" and labels["Study"] == "dta:Study"
    assert ("Fact", "dta:aboutStudy", "Study") in edges and len(edges) == 3


def test_the_svg_is_well_formed_and_escaped():
    from dta_kg.views.model_diagram import svg

    root = ET.fromstring(svg(*parse(BLOCK)))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "dta:includesStudy" in texts and "dta:note <b>" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}rect"))) == 4


def test_long_labels_wrap_at_the_slashes():
    assert wrap("dta:ComponentReport / dta:Finding / dta:FactorReport / dta:DesignReport") == [
        "dta:ComponentReport", "/ dta:Finding / dta:FactorReport", "/ dta:DesignReport"]


def test_the_readme_model_is_drawn():
    drawn = model_svg()
    assert drawn is not None and "dta:reportsComponent" not in drawn
    assert drawn.count("<rect") == 12
