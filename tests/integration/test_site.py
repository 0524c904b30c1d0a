"""`dta-kg site` on the curated project: the pages, their links, the size and the index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.site import BEATTY_CONTINUED, BEATTY_PAGE, local_links, write_site

MAX_BYTES = 15_000_000


@pytest.fixture(scope="module")
def site(built_project, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    assert "28 studies" in write_site(built_project, out)
    return out


def test_a_page_per_study_and_term_under_15_mb(site):
    assert len(list((site / "studies").glob("*.html"))) == 28
    terms = {p.stem for p in (site / "terms").glob("*.html")}
    assert {"therapeutic-bond", "wai-sr", "wai-sr-bond", "ai-powered-chatbot", "mixed-methods",
            "conversational-design", "app-utilisation"} <= terms
    assert (site / "factors" / "responsiveness.html").is_file()
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert total < MAX_BYTES
    for name in ("index.html", "compare.html", "gap-map.html", "graph.html", "downloads.html",
                 "studies.html", "terms.html", "downloads/dta-kg.ttl"):
        assert (site / name).is_file(), name


def test_one_copy_of_the_shared_assets_and_every_link_resolves(site):
    pages = list(site.rglob("*.html"))
    assert sorted(p.name for p in (site / "assets").iterdir()) == ["search-index.js", "site.css",
                                                                   "site.js"]
    broken = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        if page.name not in ("graph.html", "gap-map.html"):
            assert "<style" not in text and "<script>" not in text, page
        for href in local_links(page):
            target = (page.parent / href.split("#")[0]).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {href}")
    assert broken == []


def test_study_page_quotes_in_context_and_home_counts(site):
    page = (site / BEATTY_PAGE).read_text(encoding="utf-8")
    assert f"<mark>{BEATTY_CONTINUED}</mark>" in page
    assert "Reference 25 of the review" in page and "https://doi.org/10.3389/fdgth.2022.847991" in page
    assert "curator's inference: the review calls Wysa a chatbot" in page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "<td>10</td><td>12</td>" in home  # therapeutic bond: curated 10, stated 12
    assert "<strong>1294</strong> records identified" in home
    assert 'href="prisma.html"' in home
    prisma = (site / "prisma.html").read_text(encoding="utf-8")  # no search run yet: 0 new
    assert 'data-count="previous-included" font-weight="bold">28<' in prisma
    assert 'data-count="total-included" font-weight="bold">28<' in prisma


def test_search_index_is_a_local_script_holding_wysa(site):
    text = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(text.removeprefix("window.DTA_SEARCH = ").rstrip().removesuffix(";"))
    wysa = [e for e in entries if "wysa" in (e["title"] + e["text"]).lower()]
    assert {e["title"] for e in wysa} == {"Beatty et al 2022"}
    assert any(e["kind"] == "factor" for e in entries) and any(e["kind"] == "component" for e in entries)


def test_site_with_a_release_offers_its_files_and_changelog(built_project, tmp_path):
    from click.testing import CliRunner

    from dta_kg.cli import main

    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    release = tmp_path / "1.0.0"
    result = CliRunner().invoke(main, ["release", "--version", "1.0.0", "-o", str(release)], env=env)
    assert result.exit_code == 0, result.output
    out = tmp_path / "site"
    write_site(built_project, out, "--release", str(release))
    assert (out / "downloads" / "ro-crate-metadata.json").is_file()
    downloads = (out / "downloads.html").read_text(encoding="utf-8")
    assert "Release 1.0.0" in downloads and "studies-by-component" in downloads
    assert "dta:reportsComponent" in downloads  # each query's text is on the page
    assert "First release: 28 studies and 301 facts." in (out / "index.html").read_text(encoding="utf-8")


def test_pages_say_what_each_fact_stands_on(site):
    """He 2022 (10.1186/s12889-022-13115-x): its design is a low-confidence guess."""
    he = (site / "studies" / "10-1186-s12889-022-13115-x.html").read_text(encoding="utf-8")
    assert '<span class="basis">inferred (low confidence)</span>' in he
    assert '<span class="basis">inferred (medium confidence)</span>' in he  # its population
    trials = (site / "terms" / "randomised-controlled-trial.html").read_text(encoding="utf-8")
    line = next(li for li in trials.split("<li>") if "He et al 2022" in li)
    assert "(inferred (low confidence))" in line
    compare = (site / "compare.html").read_text(encoding="utf-8")
    assert '<button type="button" data-col="13">basis</button>' in compare
    assert '<button type="button" data-col="14">confidence</button>' in compare
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Stated or inferred" in home and "low when none is given" in home
    assert re.search(r">facilitators and barriers</a></th><td>24</td><td>22</td>", home)  # as check


RUSSO_PAGE = "studies/10-1089-rej-2018-2075.html"  # ref 51, Russo et al 2018
CROSS_PAGE = "studies/10-2196-60589.html"  # ref 46, Cross et al 2024


def article(page: str, fact: str) -> str:
    return page.split(f'<article class="fact" id="{fact}">', 1)[1].split("</article>", 1)[0]


def test_a_references_quote_shows_its_one_entry_rendered(site):
    page = (site / RUSSO_PAGE).read_text(encoding="utf-8")
    context = article(page, "population").split('<blockquote class="context">', 1)[1]
    context = context.split("</blockquote>", 1)[0]
    # entry 51 alone, not the block of references around it, and no raw Markdown
    assert context.startswith("51. Russo A, D&#39;Onofrio G, Gangemi A, et al. <mark>")
    assert "52. " not in context and "50. " not in context and "](" not in context
    assert "<mark>Dialogue systems and conversational agents for patients with dementia</mark>" \
        in context
    assert "<em>Rejuvenation Res.</em>" in context
    assert ('[doi: <a href="https://doi.org/10.1089/rej.2018.2075" rel="noopener noreferrer">'
            "10.1089/rej.2018.2075</a>]") in context


def test_quotes_keep_the_reviews_curly_quotes_italics_and_math_as_text(site):
    cross = article((site / CROSS_PAGE).read_text(encoding="utf-8"), "no-factors-report")
    assert "<mark>this evolution raises critical ethical questions, such as “Should therapy be " \
        "AI-driven?”</mark>" in cross
    hocking = (site / "studies/10-1177-02692155231216615.html").read_text(encoding="utf-8")
    assert ("<mark>Hocking et al [43] emphasized the use of the </mark><em><mark>Specific, "
            "Measurable, Achievable, Relevant, and Time-Bound</mark></em><mark> (SMART) goals "
            "framework for aligning tasks with therapeutic objectives.</mark>"
            ) in article(hocking, "task-smart-goals")
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    liu = pages[site / "studies/10-1016-j-invent-2022-100495.html"]
    assert "with a Cohen d = 0.83.</mark>" in liu
    assert "Cohen d = 0.83" in pages[site / "graph.html"]
    assert [p.name for p, text in pages.items() if "$d=0.83$" in text] == []


def test_study_show_prints_the_math_as_text(built_project):
    from click.testing import CliRunner

    from dta_kg.cli import main

    env = {"DTA_KG_RECORDS": str(built_project.records), "DTA_KG_BUILD": str(built_project.build)}
    shown = CliRunner().invoke(main, ["study", "show", "10.1016/j.invent.2022.100495"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "with a Cohen d = 0.83.\"" in shown.output and "$" not in shown.output
