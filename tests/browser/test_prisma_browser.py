"""The PRISMA 2020 flow diagrams in a real headless Chromium: the counts read back from the
rendered page, each in its PRISMA 2020 box, and the boxes laid out as the template lays them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.core.paths import Project

pytestmark = pytest.mark.services

FIXTURES = Path(__file__).parents[1] / "fixtures" / "screening"


def dta_kg(project: Project, *args: str, curator: str = "Alice") -> str:
    depth = 2 if args[0] == "screen" else 1
    result = CliRunner().invoke(main, [*args[:depth], "--records", str(project.records),
                                       "--build-dir", str(project.build), *args[depth:]],
                                env={"DTA_KG_CURATOR": curator})
    assert result.exit_code == 0, result.output
    return result.output


def counts(opened) -> dict[str, tuple[str, str, dict]]:
    """count name -> (the number shown, the text of its box, the box's bounding box)."""
    return opened.page.evaluate(r"""() => Object.fromEntries(
        [...document.querySelectorAll('[data-count]')].map(n => {
            const box = n.closest('g[data-box]');
            const r = box.querySelector('rect').getBoundingClientRect();
            return [n.dataset.count, [n.textContent, box.textContent.replace(/\s+/g, ' '),
                    {x: r.x, y: r.y, right: r.right, bottom: r.bottom}]];
        }))""")


def test_the_review_diagram_shows_the_review_figures_in_prisma_boxes(project_copy, tmp_path,
                                                                      open_page):
    out = tmp_path / "review.html"
    dta_kg(project_copy, "prisma", "--scope", "review", "-o", str(out))
    opened = open_page(out, wait_for="svg g[data-box]")
    assert opened.errors == [] and opened.blocked == []
    found = counts(opened)
    expected = {  # count -> (figure, the PRISMA 2020 box's words)
        "identified": ("1294", "Records identified from databases"),
        "duplicates": ("203", "Duplicate records removed"),
        "screened": ("1091", "Records screened"),
        "excluded-screening": ("806", "Records excluded"),
        "reason:Not targeting the specific population": ("307", "Records excluded"),
        "reason:No psychotherapeutic intervention": ("499", "Records excluded"),
        "assessed": ("285", "Reports assessed for eligibility"),
        "included": ("28", "Studies included in review"),
        "sought": ("not stated", "Reports sought for retrieval"),
    }
    for name, (figure, words) in expected.items():
        shown, box, _ = found[name]
        assert shown == figure and words in box, (name, shown, box)
    assert "Medline" in found["identified"][1] and "PsycNet" in found["identified"][1]
    # the template's layout: the main column runs down, exclusions sit to its right
    main = [found[n][2] for n in ("identified", "screened", "sought", "assessed", "included")]
    assert all(a["bottom"] < b["y"] for a, b in zip(main, main[1:], strict=False))
    for left, right in (("identified", "duplicates"), ("screened", "excluded-screening"),
                        ("assessed", "reason:Not targeting the specific population")):
        if right.startswith("reason"):
            continue
        assert found[left][2]["right"] < found[right][2]["x"]


def test_the_living_and_updated_diagrams_show_the_screening_counts(project_copy, tmp_path,
                                                                    open_page):
    dta_kg(project_copy, "screen", "import", str(FIXTURES / "search.nbib"), "--database",
           "PubMed", "--date", "2025-06-30", "--query", "alliance AND chatbot", "--run", "pm")
    dta_kg(project_copy, "screen", "import", str(FIXTURES / "search.ris"), "--database",
           "Scopus", "--date", "2025-07-01", "--query", "alliance AND chatbot", "--run", "sc")
    rows = tmp_path / "decisions.csv"
    rows.write_text("candidate,decision,stage,reason\npm-1,include,,\npm-2,include,,\n"
                    "pm-13,exclude,,not-ai-driven\npm-1,include,full-text,\n"
                    "pm-2,exclude,full-text,no-alliance-outcome\n", encoding="utf-8")
    dta_kg(project_copy, "screen", "decide", "--file", str(rows))
    living = tmp_path / "living.html"
    dta_kg(project_copy, "prisma", "--scope", "living", "-o", str(living))
    found = counts(open_page(living, wait_for="svg g[data-box]"))
    shown = {name: value[0] for name, value in found.items()}
    assert shown == {"identified": "80", "database:PubMed": "40", "database:Scopus": "40",
                     "duplicates": "45", "screened": "3", "excluded-screening": "1",
                     "reason:Not an AI-driven tool": "1", "sought": "2", "not-retrieved": "0",
                     "assessed": "2", "reason:No therapeutic alliance outcome": "1",
                     "included": "1", "awaiting": "32"}
    updated = tmp_path / "all.html"
    dta_kg(project_copy, "prisma", "--scope", "all", "-o", str(updated))
    found = counts(open_page(updated, wait_for="svg g[data-box]"))
    assert found["previous-included"][0] == "28"
    assert "previous version of review" in found["previous-included"][1]
    assert found["included"][0] == "1" and "New studies included" in found["included"][1]
    assert found["total-included"][0] == "29"
