"""The views in a real headless Chromium: offline, drawn, clickable, and inert to injected HTML."""

import pytest
from support.views import (
    BEATTY_DOI,
    BEATTY_QUOTE,
    HREF_PAYLOAD,
    ID,
    INJECTED,
    INK,
    PAYLOAD,
    assert_clean,
    click_node,
    sample_graph,
    sample_studies,
    settle,
)

from dta_kg.views import render_focus_pages, render_gap_map, render_network

pytestmark = pytest.mark.services

def test_whole_graph_is_drawn_and_shows_evidence(tmp_path, open_page):
    opened = open_page(render_network(sample_graph(), tmp_path / "all.html", title="All"))
    page = opened.page
    assert page.evaluate(INK) > 500
    spot = click_node(page, ID + "study-beatty")
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == "Beatty et al 2022"
    link = panel.locator("a", has_text=BEATTY_DOI)
    assert link.get_attribute("href") == f"https://doi.org/{BEATTY_DOI}"
    assert BEATTY_QUOTE in panel.inner_text()
    assert "Results > Therapeutic Bond" in panel.inner_text()
    page.mouse.move(spot["x"] + 1, spot["y"] + 1)
    page.wait_for_selector("#tooltip:not([hidden])")
    assert "Beatty et al 2022" in page.locator("#tooltip").inner_text()
    assert_clean(opened)


def test_focused_view_opens_on_its_node(tmp_path, open_page):
    path = render_network(sample_graph(), tmp_path / "f.html", title="Beatty", focus=BEATTY_DOI)
    opened = open_page(path)
    page = opened.page
    assert page.evaluate(INK) > 200
    assert BEATTY_QUOTE in page.locator("#panel").inner_text()  # panel opens on the focus
    assert page.evaluate("window.kgNetwork.getSelectedNodes()") == [ID + "study-beatty"]
    page.locator("#panel").evaluate("p => p.replaceChildren()")
    click_node(page, ID + "fact-beatty-f1")  # a fact shows its study's citation too
    text = page.locator("#panel").inner_text()
    assert BEATTY_QUOTE in text and f"https://doi.org/{BEATTY_DOI}" in text
    assert_clean(opened)


def test_injected_title_is_text_and_runs_nothing(tmp_path, open_page):
    opened = open_page(render_network(sample_graph(), tmp_path / "x.html", title=PAYLOAD))
    page = opened.page
    spot = click_node(page, ID + "study-evil")
    panel = page.locator("#panel")
    assert panel.locator("h2").inner_text() == HREF_PAYLOAD
    assert PAYLOAD in panel.locator(".citation .title").inner_text()
    page.mouse.move(spot["x"] + 1, spot["y"] + 1)
    page.wait_for_selector("#tooltip:not([hidden])")
    assert PAYLOAD in page.locator("#tooltip").inner_text()
    assert page.title() == PAYLOAD
    settle(page)
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 3, "anchors": 0}
    assert_clean(opened)


def test_search_and_filters(tmp_path, open_page):
    page = open_page(render_network(sample_graph(), tmp_path / "s.html", title="S")).page
    visible = "() => window.kgNetwork.body.data.nodes.getIds().length"
    total = page.evaluate(visible)
    page.fill("#query", "wai-sr")
    assert page.inner_text("#matches") == "2 found"
    page.press("#query", "Enter")
    assert page.locator("#panel h2").inner_text().startswith("WAI-SR")
    page.locator("#legend input[value=Study]").uncheck()
    assert page.evaluate(visible) == total - 2
    page.locator("#legend input[value=Study]").check()
    page.select_option("#component", label="User engagement")
    assert 0 < page.evaluate(visible) < total


def test_gap_map_links_to_focused_views(tmp_path, open_page):
    graph = sample_graph()
    pages = render_focus_pages(graph, tmp_path / "focus", [ID + "study-beatty", ID + "study-evil"])
    path = render_gap_map(
        sample_studies(), tmp_path / "map.html",
        components=["Goal alignment", "Therapeutic bond", "User engagement"],
        stated_counts={"Therapeutic bond": 3},
        study_links=pages,
    )
    opened = open_page(path, wait_for="table")
    page = opened.page
    assert page.locator("td.gap").count() > 0
    filled = page.locator("td.filled").first
    assert filled.evaluate("td => getComputedStyle(td).backgroundColor") not in (
        "rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    assert PAYLOAD in page.inner_text("#studies")
    assert page.evaluate(INJECTED) == {"imgs": 0, "scripts": 2, "anchors": 0}
    assert_clean(opened)

    cell = page.locator("td.filled", has=page.locator(".bubble", has_text="2")).first
    cell.locator("summary").click()
    with page.expect_navigation():
        cell.locator("a", has_text="Beatty et al 2022").click()
    page.wait_for_selector("body[data-drawn]", state="attached")
    assert page.url.endswith("/focus/study-beatty.html")
    assert page.evaluate(INK) > 200
    assert BEATTY_DOI in page.inner_text("#panel")
    assert_clean(opened)
