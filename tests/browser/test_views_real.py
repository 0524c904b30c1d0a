"""The views of the real curated graph, written by the CLI, in a headless Chromium.

Each page loads with no console error and no request leaving the machine; network canvases
are drawn; clicking a study shows its DOI and a quote; and a study whose title is an HTML
payload (and an ontology full of it, for the docs) shows the payload as text and runs nothing.
"""

import shutil

import pytest
from support.project import RECORDS
from support.views import (
    BEATTY,
    BEATTY_ID,
    INJECTED,
    INK,
    PAYLOAD,
    assert_clean,
    click_node,
    payload_ontology,
    runner_for,
    settle,
    written,
)

from dta_kg.core.paths import Project

pytestmark = pytest.mark.services
BEATTY_QUOTE = "as measured by the WAI-SR subscale for the bond"
BEATTY_TITLE = "Evaluating the therapeutic alliance with a free-text CBT conversational agent"


def write_views(project: Project, folder, ontology=None) -> dict:
    """The whole graph, Beatty's focused view, the gap map and the docs, via the CLI."""
    run = runner_for(project)
    folder.mkdir(exist_ok=True)  # dta-kg makes no missing folder above an output
    return {
        "graph": written(run("view", "-o", folder / "graph.html")),
        "focus": written(run("view", "-o", folder / "beatty.html", "--focus", BEATTY)),
        "map": written(run("map", "-o", folder / "gap-map.html")),
        "docs": written(run("docs", "-o", folder / "docs",
                            *(["--ontology", ontology] if ontology else []))),
    }


@pytest.fixture(scope="module")
def views(built_project, tmp_path_factory):
    return write_views(built_project, tmp_path_factory.mktemp("views"))


@pytest.fixture(scope="module")
def evil_views(tmp_path_factory):
    """The views of a copy of the records where Beatty et al's title is the payload."""
    root = tmp_path_factory.mktemp("evil")
    shutil.copytree(RECORDS, root / "records", ignore=shutil.ignore_patterns("source", "README.md"))
    record = root / "records" / "studies" / "ref-25-beatty-2022.yaml"
    text = record.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title:"))
    record.write_text(text.replace(title, f"title: '{PAYLOAD}'"), encoding="utf-8")
    project = Project(records=root / "records", build=root / "build")
    return write_views(project, root / "views", payload_ontology(root / "evil.ttl"))


def show_study(page, node_id: str):
    """Zoom in on a node as a reader would, click it, and return the side panel."""
    page.evaluate("(id) => window.kgNetwork.focus(id, {scale: 1.5, animation: false})", node_id)
    settle(page)  # the focus has been drawn
    spot = click_node(page, node_id)
    return page.locator("#panel"), spot


def test_whole_graph(views, open_page):
    opened = open_page(views["graph"])
    page = opened.page
    assert page.evaluate(INK) > 5000
    panel, spot = show_study(page, BEATTY_ID)
    assert panel.locator("h2").inner_text() == "Beatty et al 2022"
    assert panel.locator("a", has_text=BEATTY).get_attribute("href") == f"https://doi.org/{BEATTY}"
    assert BEATTY_QUOTE in panel.inner_text()
    page.mouse.move(spot["x"] + 1, spot["y"] + 1)
    page.wait_for_selector("#tooltip:not([hidden])")
    tooltip = page.locator("#tooltip").inner_text()
    assert BEATTY_TITLE in tooltip and f"https://doi.org/{BEATTY}" in tooltip
    assert "25. Beatty C, Malik T" in tooltip  # the study's own quote, from the reference list
    page.fill("#query", "beatty")
    assert page.inner_text("#matches") == "1 found"
    assert_clean(opened)


LABELS = """() => { const n = window.kgNetwork, scale = n.getScale();
  return n.body.nodeIndices.map((id) => { const node = n.body.nodes[id], b = n.getBoundingBox(id);
    return {id, px: node.options.font.size * scale, box: [b.left, b.top, b.right, b.bottom]}; }); }"""


def test_overview_labels_every_node_legibly_at_the_default_zoom_beside_its_legend(views, open_page):
    opened = open_page(views["graph"])  # a 1280 x 800 window
    page = opened.page
    nodes = page.evaluate(LABELS)
    assert 100 < len(nodes) < 200  # studies and concepts, not the 500 facts
    assert min(n["px"] for n in nodes) >= 10, "labels under 10 px at the zoom that fits the graph"
    boxes = sorted(n["box"] for n in nodes)
    for i, a in enumerate(boxes):  # no two nodes overlap
        for b in boxes[i + 1:]:
            if b[0] >= a[2]:
                break
            assert b[1] >= a[3] or a[1] >= b[3], (a, b)
    legend = page.locator("#legend").bounding_box()
    drawing = page.locator("#network").bounding_box()
    assert legend["x"] >= drawing["x"] + drawing["width"] - 1  # beside the drawing, not over it
    assert_clean(opened)


def test_overview_edge_shows_the_facts_it_folds(views, open_page):
    opened = open_page(views["graph"])
    page = opened.page
    edge = page.evaluate("""(ends) => { const n = window.kgNetwork;
      return Object.values(n.body.edges).find((e) => e.fromId === ends[0] && e.toId === ends[1]).id; }""",
                         [BEATTY_ID, "https://w3id.org/dta-kg/ontology#wai-sr"])
    page.evaluate("(id) => window.kgNetwork.emit('click', {nodes: [], edges: [id]})", edge)
    panel = page.inner_text("#panel")
    assert "measured with" in panel and "Working Alliance Inventory-Short Revised" in panel
    assert BEATTY_QUOTE in panel
    assert_clean(opened)


def test_focused_view(views, open_page):
    opened = open_page(views["focus"])
    page = opened.page
    assert page.evaluate(INK) > 2000
    panel = page.locator("#panel")  # opens on the focused study
    assert BEATTY_QUOTE in panel.inner_text() and f"https://doi.org/{BEATTY}" in panel.inner_text()
    assert page.evaluate("window.kgNetwork.getSelectedNodes()") == [BEATTY_ID]
    panel.evaluate("p => p.replaceChildren()")
    panel, _ = show_study(page, BEATTY_ID)
    assert panel.locator("a", has_text=BEATTY).count() == 1
    assert_clean(opened)


def test_gap_map_and_its_study_pages(views, open_page):
    opened = open_page(views["map"], wait_for="table")
    page = opened.page
    assert page.locator("section.matrix").count() == 2
    assert page.locator("td.uncoded").count() > 20 and page.locator("td.filled").count() > 10
    assert "review: 12" in page.inner_text("thead")
    row = page.locator("section.matrix").nth(1).locator("tr", has_text="therapeutic bond")
    cell = row.locator("td").nth(5)  # the WAI-SR column
    assert cell.locator(".bubble").inner_text() == "3"
    cell.locator("summary").click()
    assert "WAI-SR bond subscale" in cell.inner_text()
    assert_clean(opened)
    with page.expect_navigation():
        cell.locator("a", has_text="Beatty et al 2022").click()
    page.wait_for_selector("body[data-drawn]", state="attached")
    assert page.url.endswith("/studies/study-10-3389-fdgth-2022-847991.html")
    assert page.evaluate(INK) > 2000
    assert BEATTY_QUOTE in page.inner_text("#panel")
    assert_clean(opened)


def test_docs(views, open_page):
    opened = open_page(views["docs"], wait_for="#metadata")
    page = opened.page
    assert page.title() == "dta-kg ontology: the digital therapeutic alliance"
    assert page.locator("#classes .entity").count() > 30
    assert "A publication included in the integrative review" in page.inner_text("#Study")
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 1, "anchors": 0}  # JSON-LD only
    assert_clean(opened)


@pytest.mark.parametrize("name", ["graph", "focus"])
def test_injected_title_in_network_views_is_text(evil_views, open_page, name):
    opened = open_page(evil_views[name])
    page = opened.page
    panel, spot = show_study(page, BEATTY_ID)
    assert panel.locator(".citation .title").inner_text() == PAYLOAD
    page.mouse.move(spot["x"] + 1, spot["y"] + 1)
    page.wait_for_selector("#tooltip:not([hidden])")
    assert PAYLOAD in page.locator("#tooltip").inner_text()
    settle(page)
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 3, "anchors": 0}
    assert_clean(opened)


def test_injected_title_in_gap_map_is_text(evil_views, open_page):
    opened = open_page(evil_views["map"], wait_for="table")
    page = opened.page
    assert PAYLOAD in page.inner_text("#studies")
    settle(page)
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 2, "anchors": 0}
    assert_clean(opened)


def test_injected_strings_in_docs_are_text(evil_views, open_page):
    opened = open_page(evil_views["docs"], wait_for="#metadata")
    page = opened.page
    assert page.title() == PAYLOAD
    assert PAYLOAD in page.inner_text("#metadata h1")
    assert page.inner_text("#Study").count(PAYLOAD) >= 2  # label and definition
    settle(page)
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 1, "anchors": 0}
    assert_clean(opened)


def test_gap_map_tells_not_coded_from_gaps_filters_and_lists_a_cells_studies(views, open_page):
    opened = open_page(views["map"], wait_for="body[data-drawn]")
    page = opened.page
    legend = page.inner_text("#legend")
    assert "studies found" in legend and "a true gap" in legend and "lack the coding" in legend
    matrix = page.locator("section.matrix").nth(1)  # components x measures
    header = [h.inner_text().split("\n")[0] for h in matrix.locator("thead th").all()]
    bond = matrix.locator("tr", has_text="therapeutic bond")
    # MacNeill et al [20] report the bond ("difficulty establishing a bond due to conversational
    # issues") and name no measure: the bond x UES cell is unknown, not a gap
    ues = bond.locator("td").nth(header.index("UES") - 1)
    assert ues.get_attribute("class") == "uncoded"
    assert ues.evaluate("td => getComputedStyle(td).backgroundColor") != \
        page.locator("td.gap").first.evaluate("td => getComputedStyle(td).backgroundColor")
    assert "not coded: 5" in ues.inner_text()
    ues.locator("summary").click()
    assert "MacNeill et al 2024" in ues.locator("ul.unplaced").inner_text()
    # bond x WAI-SR: Beatty [25], He [38] and Jeong [39]; clicking lists them with links
    wai = bond.locator("td").nth(header.index("WAI-SR") - 1)
    assert wai.get_attribute("class") == "filled" and wai.locator(".bubble").inner_text() == "3"
    wai.locator("summary").click()
    assert wai.locator("ul.found a").count() == 3
    assert wai.locator("ul.found a", has_text="Beatty et al 2022").get_attribute("href") == \
        "studies/study-10-3389-fdgth-2022-847991.html"
    # filters: Beatty's is the mixed-methods one of the three (title: "a mixed-methods study")
    page.select_option("#f-design", label="mixed methods")
    assert wai.locator(".bubble").inner_text() == "1"
    assert wai.locator("ul.found li:not([hidden])").inner_text().startswith("Beatty et al 2022")
    page.select_option("#f-design", label="any")
    page.select_option("#f-year-from", label="2024")  # all three are from 2022 or 2023
    assert wai.get_attribute("class") in ("gap", "uncoded")
    page.select_option("#f-year-from", label="any")
    page.fill("#f-population", "students")  # Liu et al [44]: "university students"
    assert page.inner_text("#shown") == "1 of 28 studies"
    page.fill("#f-population", "")
    page.select_option("#f-scope", value="living")  # no study added after the review
    assert page.inner_text("#shown") == "0 of 28 studies"
    assert page.locator("td.filled").count() == 0 and page.locator("td.uncoded").count() == 0
    page.select_option("#f-scope", value="review")
    assert page.inner_text("#shown") == "28 of 28 studies"
    assert wai.locator(".bubble").inner_text() == "3"
    assert_clean(opened)
