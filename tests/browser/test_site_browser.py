"""The site in a real headless Chromium: every page offline and clean, search, quotes, sorting."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.site import BEATTY_CONTINUED, BEATTY_PAGE, write_site

pytestmark = pytest.mark.services

BOND_STUDIES = 10  # studies the curated records hold for the therapeutic bond (dta-kg check)


@pytest.fixture(scope="module")
def site(built_project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    write_site(built_project, out)
    return out


def ready(path: Path) -> str:
    """What shows a page has run its script: the gap map and the PRISMA diagram have none."""
    return "body" if path.name in ("gap-map.html", "prisma.html") else "body[data-drawn]"


@pytest.mark.slow
def test_every_page_loads_offline_without_console_errors(site, visit):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 28 + 50
    problems = {}
    for path in pages:
        opened = visit(path, wait_for=ready(path))
        if opened.errors or opened.blocked or opened.dialogs:
            problems[str(path.relative_to(site))] = (opened.errors, opened.blocked, opened.dialogs)
    assert problems == {}


def test_search_finds_wysa_and_goes_to_the_study(site, open_page):
    opened = open_page(site / "index.html")
    page = opened.page
    page.fill("#search", "Wysa")
    results = page.locator("#search-results a")
    assert results.all_inner_texts() == ["Beatty et al 2022"]
    page.press("#search", "Enter")
    page.wait_for_url("**/" + BEATTY_PAGE)
    assert page.locator("h1").inner_text() == "Beatty et al 2022"
    page.fill("#search", "empathy")
    assert "empathy and personalisation" in page.locator("#search-results").inner_text()
    assert opened.blocked == [] and opened.errors == []


def test_study_page_highlights_its_quote_in_context(site, open_page):
    page = open_page(site / BEATTY_PAGE).page
    fact = page.locator("article#continued-use")
    assert fact.locator("mark").inner_text() == BEATTY_CONTINUED
    context = fact.locator("blockquote").inner_text()
    assert len(context) > len(BEATTY_CONTINUED) + 40  # the paragraph around the span
    assert "Results > User Engagement" in fact.inner_text()
    assert fact.locator(".badge").inner_text() == "verbatim"
    background = fact.locator("mark").evaluate("m => getComputedStyle(m).backgroundColor")
    assert background == "rgb(255, 224, 102)"
    graph = page.locator("svg.focus-graph")
    assert "Beatty et al 2022" in graph.get_attribute("aria-label")
    assert graph.locator("a").count() >= 10


def test_comparison_table_sorts_filters_and_exports(site, open_page):
    page = open_page(site / "compare.html").page
    years = "() => Array.from(document.querySelectorAll('#compare tbody tr:not([hidden])'))" \
            ".map(r => Number(r.cells[1].textContent))"
    header = page.locator("#compare th", has_text="year")
    header.locator("button").click()
    up = page.evaluate(years)
    assert up == sorted(up) and up[0] < up[-1]
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert page.evaluate(years) == sorted(up, reverse=True)
    page.select_option("#filter-component", label="therapeutic bond")
    assert page.inner_text("#compare-count") == f"{BOND_STUDIES} rows"
    page.fill("#filter-text", "Cohen")
    assert page.inner_text("#compare-count") == "1 rows"
    csv = page.evaluate("window.dtaCompareCsv()").splitlines()
    assert csv[0].startswith("study,year,set,component,instrument,subscale,result")
    assert csv[1].startswith("Liu et al 2022,2022,review,therapeutic bond,therapeutic alliance score,,0.83,")
    assert "bibliotherapy" in csv[1]


def test_keyboard_reaches_the_skip_link_and_search(site, open_page):
    page = open_page(site / "index.html").page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.focus("#search")
    page.keyboard.type("bond")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('#search-results') !== null")
    assert page.evaluate("Array.from(document.images).every(i => i.alt)")


def test_comparison_table_fits_1400_pixels_and_keeps_its_study_column_in_view(site, open_page):
    page = open_page(site / "compare.html").page
    page.set_viewport_size({"width": 1400, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400  # the page: no overflow
    wrap = page.locator(".table-wrap.compare")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")  # the table scrolls in its box
    first = page.locator("#compare tbody tr").first.locator("td").first
    before = first.bounding_box()
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; w.scrollTop = 200; }")
    page.wait_for_timeout(100)
    after = first.bounding_box()
    box = wrap.bounding_box()
    assert abs(after["x"] - before["x"]) < 2 and after["x"] >= box["x"] - 1  # sticky study column
    header = page.locator("#compare thead th").first.bounding_box()
    assert abs(header["y"] - box["y"]) < 3  # and the header row stays on top


RUSSO_PAGE = "studies/10-1089-rej-2018-2075.html"  # ref 51, Russo et al 2018
RUSSO_DOI = "https://doi.org/10.1089/rej.2018.2075"


def test_references_evidence_shows_one_entry_whose_links_work(site, open_page):
    opened = open_page(site / RUSSO_PAGE)
    page = opened.page
    entry = page.locator("article#population blockquote.context")
    text = entry.inner_text()
    assert text.startswith("51. Russo A, D'Onofrio G, Gangemi A, et al. Dialogue systems")
    assert text.endswith("[doi: 10.1089/rej.2018.2075] [Medline: 30033861]")
    assert "52." not in text and "](" not in text and "*" not in text  # one entry, rendered
    assert entry.locator("mark").inner_text() == ("Dialogue systems and conversational agents "
                                                  "for patients with dementia")
    italic = entry.locator("em")
    assert italic.inner_text() == "Rejuvenation Res."
    assert italic.evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    links = entry.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        RUSSO_DOI, "https://pubmed.ncbi.nlm.nih.gov/30033861/"]
    assert opened.errors == [] and opened.blocked == []
    with page.expect_request(RUSSO_DOI) as leaving:  # the router stops it at the machine's edge
        links.first.click()
    assert leaving.value.url == RUSSO_DOI and RUSSO_DOI in opened.blocked


def test_quotes_are_highlighted_as_the_review_prints_them(site, open_page):
    cross = open_page(site / "studies/10-2196-60589.html").page  # ref 46, Cross et al 2024
    mark = cross.locator("article#no-factors-report blockquote mark")
    assert mark.inner_text() == ("this evolution raises critical ethical questions, such as "
                                 "“Should therapy be AI-driven?”")
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") == "rgb(255, 224, 102)"
    hocking = open_page(site / "studies/10-1177-02692155231216615.html").page  # ref 43
    quote = hocking.locator("article#task-smart-goals blockquote")
    assert "".join(quote.locator("mark").all_inner_texts()) == (
        "Hocking et al [43] emphasized the use of the Specific, Measurable, Achievable, Relevant, "
        "and Time-Bound (SMART) goals framework for aligning tasks with therapeutic objectives.")
    italic = quote.locator("em mark")
    assert italic.inner_text() == "Specific, Measurable, Achievable, Relevant, and Time-Bound"
    assert italic.evaluate("m => getComputedStyle(m).fontStyle") == "italic"
    liu = open_page(site / "studies/10-1016-j-invent-2022-100495.html").page  # ref 44
    assert liu.locator("article#bond-alliance-score-d blockquote mark").inner_text().endswith(
        "compared to bibliotherapy with a Cohen d = 0.83.")


def test_each_visit_in_one_tab_records_its_own_page(tmp_path, visit):
    broken, clean = tmp_path / "broken.html", tmp_path / "clean.html"
    broken.write_text('<body data-drawn><img src="https://example.org/x.png">'
                      '<script>console.error("boom"); undefinedCall()</script></body>')
    clean.write_text("<body data-drawn><p>fine</p></body>")
    first = visit(broken)
    assert {"boom", "undefinedCall is not defined"} <= set(first.errors)
    assert first.blocked == ["https://example.org/x.png"]
    second = visit(clean)
    assert second.errors == [] and second.blocked == [] and second.dialogs == []
