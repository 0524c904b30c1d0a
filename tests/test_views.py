"""dta_kg.views without a browser: self-contained output, escaping, focus, layout, gap map."""

import json
import re

import pytest

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.views import render_focus_pages, render_gap_map, render_network, resolve_focus
from dta_kg.views.layout import force_layout

ID = "https://w3id.org/dta-kg/id/"
ONT = "https://w3id.org/dta-kg/ontology#"
PAYLOAD = "<img src=x onerror=alert(1)><script>alert(2)</script>"
HREF_PAYLOAD = '<a href="javascript:alert(3)">Evil et al</a> 2023'
BEATTY_DOI = "10.3389/fdgth.2022.847991"
BEATTY_QUOTE = "measured the bond using the WAI-SR"




def sample_graph() -> PropertyGraph:
    """Two studies (one with a script-injection title), facts, vocabulary."""
    nodes = [
        Node(ID + "study-beatty", "Study", {
            "label": "Beatty et al 2022", "shortCitation": "Beatty et al 2022", "doi": BEATTY_DOI,
            "title": "Evaluating the therapeutic alliance with a conversational agent",
            "year": 2022, "quote": "25. Beatty C, Malik T, Meheli S, Sinha C.",
            "section": "References"}),
        Node(ID + "study-evil", "Study", {
            "label": HREF_PAYLOAD, "shortCitation": HREF_PAYLOAD, "doi": "10.1000/evil",
            "title": PAYLOAD, "year": 2023, "quote": PAYLOAD, "section": "References"}),
        Node(ONT + "therapeutic-bond", "DTAComponent", {"label": "Therapeutic bond"}),
        Node(ONT + "user-engagement", "DTAComponent", {"label": "User engagement"}),
        Node(ONT + "wai-sr", "Instrument", {"label": "WAI-SR"}),
        Node(ONT + "wai-sr-bond", "Subscale", {"label": "WAI-SR bond subscale"}),
        Node(ONT + "ai-powered-chatbot", "InterventionType", {"label": "AI-powered chatbots"}),
        Node(ONT + "empathy-and-personalisation", "FactorTheme", {"label": "Empathy"}),
        Node(ID + "fact-beatty-f1", "Finding", {
            "label": "Bond score", "quote": BEATTY_QUOTE, "section": "Results > Therapeutic Bond",
            "resultValue": "3.8"}),
        Node(ID + "fact-beatty-i1", "InterventionReport", {
            "label": "Wysa", "quote": "Wysa, an AI-powered chatbot", "section": "Results",
            "inferred": "named in the abstract"}),
        Node(ID + "fact-evil-c1", "ComponentReport", {
            "label": PAYLOAD, "quote": PAYLOAD, "section": "Results > User Engagement"}),
        Node(ID + "fact-evil-r1", "FactorReport", {
            "label": "Empathic replies", "quote": "empathic replies", "section": "Results"}),
    ]
    edges = [
        Edge(ID + "fact-beatty-f1", ID + "study-beatty", "aboutStudy", {}),
        Edge(ID + "fact-beatty-f1", ONT + "therapeutic-bond", "component", {}),
        Edge(ID + "fact-beatty-f1", ONT + "wai-sr", "usesMeasure", {}),
        Edge(ID + "fact-beatty-i1", ID + "study-beatty", "aboutStudy", {}),
        Edge(ID + "fact-beatty-i1", ONT + "ai-powered-chatbot", "interventionType", {}),
        Edge(ONT + "wai-sr", ONT + "wai-sr-bond", "hasSubscale", {}),
        Edge(ONT + "wai-sr-bond", ONT + "therapeutic-bond", "measuresComponent", {}),
        Edge(ID + "fact-evil-c1", ID + "study-evil", "aboutStudy", {}),
        Edge(ID + "fact-evil-c1", ONT + "user-engagement", "component", {}),
        Edge(ID + "fact-evil-r1", ID + "study-evil", "aboutStudy", {}),
        Edge(ID + "fact-evil-r1", ONT + "empathy-and-personalisation", "theme", {}),
    ]
    return PropertyGraph(nodes, edges)


def sample_studies() -> list[dict]:
    return [
        {"id": ID + "study-beatty", "label": "Beatty et al 2022", "doi": BEATTY_DOI, "year": 2022,
         "components": ["Therapeutic bond"], "intervention_types": ["AI-powered chatbots"],
         "instruments": ["WAI-SR"]},
        {"id": ID + "study-evil", "label": HREF_PAYLOAD, "title": PAYLOAD, "doi": "10.1000/evil",
         "components": ["User engagement", "Therapeutic bond"],
         "intervention_types": ["AI-powered chatbots"], "instruments": []},
    ]


def island(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def assert_self_contained(html: str) -> None:
    assert not re.search(r"<script[^>]*\ssrc=", html, re.I)
    assert not re.search(r"<link[^>]*\shref=", html, re.I)
    assert not re.search(r"""\s(?:src|href)=["']?(?:https?:)?//(?!doi\.org/)""", html, re.I)
    assert 'http-equiv="Content-Security-Policy"' in html


def test_network_page_is_self_contained_and_escaped(tmp_path):
    html = render_network(sample_graph(), tmp_path / "g.html", title="All <b>").read_text()
    assert_self_contained(html)
    assert "vis-network" in html and "<title>All &lt;b&gt;</title>" in html
    for raw in ("<img", "<script>alert", 'href="javascript'):
        assert raw not in html
    data = island(html)
    assert all("title" not in n for n in data["nodes"])  # vis never gets an HTML tooltip
    evil = next(n for n in data["nodes"] if n["id"].endswith("study-evil"))
    assert evil["props"]["title"] == PAYLOAD
    assert {c["name"] for c in data["components"]} == {"Therapeutic bond", "User engagement"}
    beatty = next(n for n in data["nodes"] if n["id"].endswith("study-beatty"))
    assert beatty["components"] == [ONT + "therapeutic-bond"]
    assert evil["label"].endswith("…") and len(evil["label"]) == 40
    assert 'id="legend"' in html
    bare = render_network(sample_graph(), tmp_path / "bare.html", title="B", legend=False)
    assert 'id="legend"' not in bare.read_text()


def test_focus_keeps_the_ego_graph(tmp_path):
    graph = sample_graph()
    assert resolve_focus(graph, BEATTY_DOI.upper()) == ID + "study-beatty"
    assert resolve_focus(graph, "wai-sr") == ONT + "wai-sr"
    with pytest.raises(KeyError):
        resolve_focus(graph, "no-such-node")
    html = render_network(graph, tmp_path / "f.html", title="F", focus=BEATTY_DOI, depth=1)
    data = island(html.read_text())
    assert data["focus"] == [ID + "study-beatty"]
    assert {n["id"].rsplit("/", 1)[1] for n in data["nodes"]} == {
        "study-beatty", "fact-beatty-f1", "fact-beatty-i1"}
    assert len(data["edges"]) == 2


def test_focus_pages_are_named_by_local_name(tmp_path):
    pages = render_focus_pages(sample_graph(), tmp_path / "focus", [ID + "study-beatty"])
    assert pages == {ID + "study-beatty": tmp_path / "focus" / "study-beatty.html"}
    assert "<title>Beatty et al 2022</title>" in pages[ID + "study-beatty"].read_text()


def test_large_graph_is_laid_out_in_python(tmp_path):
    nodes = [Node(f"{ID}n{i}", "Study" if i % 5 else "Finding", {}) for i in range(1200)]
    edges = [Edge(f"{ID}n{i}", f"{ID}n{i // 5 * 5}", "aboutStudy", {}) for i in range(1200)]
    data = island(render_network(PropertyGraph(nodes, edges), tmp_path / "l.html",
                                 title="L").read_text())
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["edges"]["smooth"]["enabled"] is False
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])


def test_force_layout_spreads_nodes_deterministically():
    edges = [(i, (i + 1) % 50) for i in range(50)]
    pos = force_layout(range(50), edges, spacing=10)
    assert pos == force_layout(range(50), edges, spacing=10)
    assert len(set(pos.values())) == 50
    assert force_layout([], []) == {}


def test_gap_map_counts_gaps_stated_and_links(tmp_path):
    focus = tmp_path / "focus" / "study-beatty.html"
    out = render_gap_map(
        sample_studies(),
        tmp_path / "map.html",
        components=["Goal alignment", "Therapeutic bond", "User engagement"],
        intervention_types=["AI-powered chatbots", "Digital psychotherapy"],
        stated_counts={"Therapeutic bond": 3, ("Therapeutic bond", "AI-powered chatbots"): 2},
        study_links={ID + "study-beatty": focus},
    )
    html = out.read_text()
    assert_self_contained(html)
    assert "<script" not in html
    assert PAYLOAD not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="focus/study-beatty.html"' in html
    assert 'href="#study-1"' in html  # the study without a focused view links to its entry
    assert 'href="https://doi.org/10.3389/fdgth.2022.847991"' in html
    # 2 matrices x 3 components; 2 intervention types and 1 instrument column
    assert html.count('class="gap"') == 6 - 2 + 3 - 1
    assert '<span class="bubble">2</span>' in html
    assert 'review: 3</span>' in html and 'class="stated differs"' in html
    assert 'class="stated"' in html.replace('class="stated differs"', "")
