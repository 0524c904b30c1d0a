"""dta_kg.views without a browser: self-contained output, escaping, focus, layout, gap map."""


import pytest
from support.views import (
    BEATTY_DOI,
    ID,
    ONT,
    PAYLOAD,
    assert_self_contained,
    island,
    sample_graph,
    sample_studies,
)

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.views import render_focus_pages, render_gap_map, render_network, resolve_focus
from dta_kg.views.layout import force_layout


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
    assert html.count("<script") == 2  # the data island, and the filters' script by its hash
    assert "script-src 'sha256-" in html
    assert PAYLOAD not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="focus/study-beatty.html"' in html
    assert 'href="#study-1"' in html  # the study without a focused view links to its entry
    assert 'href="https://doi.org/10.3389/fdgth.2022.847991"' in html
    # 2 matrices x 3 components; 2 intervention types and 1 instrument column. The study that
    # reports user engagement names no instrument: that cell is not coded, not a gap, and the
    # filled bond x WAI-SR cell says one study there could not be placed
    assert html.count('<td class="gap"') == 6 - 2 + 3 - 1 - 1
    assert html.count('<td class="uncoded"') == 1
    assert '<span class="also">+1 not coded</span>' in html
    assert '<span class="bubble">2</span>' in html
    assert 'review: 3</span>' in html and 'class="stated differs"' in html
    assert 'class="stated"' in html.replace('class="stated differs"', "")
