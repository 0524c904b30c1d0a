"""The README's screenshots, made by the project itself: writes the views with `dta-kg view`,
`map` and `docs`, then photographs them in headless Debian Chromium into docs/img/*.png.

    .venv/bin/python docs/make_screenshots.py            # every image
    .venv/bin/python docs/make_screenshots.py site-home  # only the images named

Each image is one window's worth at SCALE device pixels per CSS pixel, under MAX_BYTES.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from dta_kg import cli
from dta_kg.views.chromium import launch

IMG = Path(__file__).resolve().parent / "img"
MAX_BYTES = 300_000
BEATTY = "10.3389/fdgth.2022.847991"
BEATTY_ID = "https://w3id.org/dta-kg/id/study-10-3389-fdgth-2022-847991"
WIDTH = 1160
SCALE = 0.75  # device pixels per CSS pixel: images 870 pixels wide
DRAWN = "body[data-drawn]"


def dta_kg(*args: str) -> None:
    """Run a dta-kg command in this process (it prints the path it writes)."""
    cli.main(list(args), standalone_mode=False)


def select_study(page) -> None:
    """Open Beatty et al's details in the side panel, as a click would."""
    page.evaluate("""(id) => {
      window.kgNetwork.selectNodes([id]);
      window.kgNetwork.emit("click", {nodes: [id], edges: []});
    }""", BEATTY_ID)


def open_cell(page) -> None:
    """Unfold the therapeutic bond × AI-powered chatbot cell."""
    row = page.locator("section.matrix").first.locator("tr", has_text="therapeutic bond")
    row.locator("td").first.locator("summary").click()


def sort_by_year(page) -> None:
    """Show the therapeutic bond rows, sorted by year."""
    page.select_option("#filter-component", label="therapeutic bond")
    page.locator("#compare th button", has_text="year").click()


def search_wysa(page) -> None:
    page.fill("#search", "Wysa")


# image name -> (dta-kg arguments, OUT standing for the output folder; the page to open;
#                a selector present once it is ready; window height; what to do before the shot)
SHOTS = {
    "graph": (["view", "-o", "OUT/graph.html"], "graph.html", DRAWN, 800, select_study),
    "focus": (["view", "-o", "OUT/beatty.html", "--focus", BEATTY], "beatty.html", DRAWN, 640,
              None),
    "gap-map": (["map", "-o", "OUT/gap-map.html"], "gap-map.html", "table", 900, open_cell),
    "docs": (["docs", "-o", "OUT/docs"], "docs/index.html", "#metadata", 640, None),
    "site-home": (["site", "-o", "OUT/site"], "site/index.html", DRAWN, 760, None),
    "site-study": ([], f"site/studies/{BEATTY.replace('/', '-').replace('.', '-')}.html", DRAWN,
                   760, lambda page: page.locator("article#continued-use").scroll_into_view_if_needed()),
    "site-compare": ([], "site/compare.html", DRAWN, 640, sort_by_year),
    "site-search": ([], "site/index.html", DRAWN, 420, search_wysa),
}
SITE_SHOTS = ("site-study", "site-compare", "site-search")  # reuse the site "site-home" writes


def main() -> None:
    IMG.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as out, sync_playwright() as playwright:
        browser = launch(playwright)
        wanted = sys.argv[1:] or list(SHOTS)
        if any(n in SITE_SHOTS for n in wanted) and "site-home" not in wanted:
            wanted.insert(0, "site-home")
        for name, (args, page_file, ready, height, action) in SHOTS.items():
            if name not in wanted:
                continue
            if args:
                dta_kg(*(a.replace("OUT", out) for a in args))
            page = browser.new_page(viewport={"width": WIDTH, "height": height},
                                    device_scale_factor=SCALE)
            page.goto((Path(out) / page_file).as_uri())
            page.wait_for_selector(ready, state="attached", timeout=60_000)
            if action:
                action(page)
            target = IMG / f"{name}.png"
            page.screenshot(path=str(target))
            page.close()
            size = target.stat().st_size
            print(f"{target} {size // 1000} KB")
            if size > MAX_BYTES:
                raise SystemExit(f"{target} is over {MAX_BYTES // 1000} KB")
        browser.close()


if __name__ == "__main__":
    main()
