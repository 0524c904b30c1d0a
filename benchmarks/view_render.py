"""Benchmark: render a synthetic 5,000-node graph and time it until drawn in headless Chromium.

    .venv/bin/python benchmarks/view_render.py [--nodes 5000] [--runs 5] [--screenshot PNG]

Prints the Python render time and the median time from navigation start to the first drawn
frame (the page sets body[data-drawn] on vis-network's first afterDrawing). Needs Debian's
chromium; it is not a test.
"""

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from dta_kg.pipeline.projection import Edge, Node, PropertyGraph
from dta_kg.views import render_network
from dta_kg.views.chromium import launch

VOCAB = {"DTAComponent": 5, "InterventionType": 6, "Instrument": 10, "Subscale": 3,
         "EngagementMetric": 5, "FactorTheme": 10, "StudyDesign": 17}
FACTS = ["Finding", "ComponentReport", "FactorReport", "InterventionReport", "DesignReport"]




def synthetic(n: int, seed: int = 7) -> PropertyGraph:
    """Vocabulary hubs, about n/7 studies, and facts each tied to a study and one or two hubs."""
    rng = random.Random(seed)
    nodes, edges = [], []
    vocab = [f"urn:v:{t}-{i}" for t, k in VOCAB.items() for i in range(k)]
    nodes += [Node(v, v.split(":")[2].rsplit("-", 1)[0], {"label": v[6:]}) for v in vocab]
    studies = [f"urn:s:{i}" for i in range(n // 7)]
    nodes += [Node(s, "Study", {"label": f"Author{i} et al {2015 + i % 10}", "doi": f"10.1/{i}",
                                "title": f"Study number {i}", "year": 2015 + i % 10})
              for i, s in enumerate(studies)]
    while len(nodes) < n:
        fact = f"urn:f:{len(nodes)}"
        nodes.append(Node(fact, rng.choice(FACTS), {
            "label": f"fact {len(nodes)}", "quote": "a verbatim span of the review text",
            "section": "Results > Therapeutic Bond"}))
        edges.append(Edge(fact, rng.choice(studies), "ABOUT_STUDY", {}))
        edges += [Edge(fact, v, "COMPONENT", {}) for v in rng.sample(vocab, rng.randint(1, 2))]
    return PropertyGraph(nodes, edges)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    graph = synthetic(args.nodes)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        page_path = render_network(graph, Path(tmp) / "big.html", title="Synthetic graph")
        render_s = time.perf_counter() - start
        print(f"{len(graph.nodes)} nodes, {len(graph.edges)} edges; "
              f"Python render {render_s:.2f} s, page {page_path.stat().st_size / 1e6:.1f} MB")
        drawn = []
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for _ in range(args.runs):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(page_path.as_uri())
                page.wait_for_selector("body[data-drawn]", state="attached", timeout=120_000)
                drawn.append(float(page.evaluate("document.body.dataset.drawn")) / 1000)
                if args.screenshot:
                    page.screenshot(path=str(args.screenshot))
                page.close()
            browser.close()
    print("time to drawn (s): " + ", ".join(f"{t:.2f}" for t in drawn))
    print(f"median time to drawn: {statistics.median(drawn):.2f} s")


if __name__ == "__main__":
    main()
