"""Sample graphs, payloads and page checks shared by the view tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from dta_kg.cli import main
from dta_kg.core.iris import DTA
from dta_kg.core.paths import ONTOLOGY
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph

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

BEATTY = BEATTY_DOI
BEATTY_ID = ID + "study-10-3389-fdgth-2022-847991"


INK = """() => {
  const c = document.querySelector("#network canvas");
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 0 && (d[i] < 230 || d[i + 1] < 230 || d[i + 2] < 230)) ink++;
  }
  return ink;
}"""

NODE_AT = """(id) => {
  const net = window.kgNetwork;
  const p = net.canvasToDOM(net.getPosition(id));
  const box = document.getElementById("network").getBoundingClientRect();
  return {x: box.left + p.x, y: box.top + p.y};
}"""

INJECTED = """() => ({
  imgs: document.images.length,
  scripts: document.scripts.length,
  anchors: [...document.links].filter((a) => a.protocol === "javascript:").length,
})"""


def assert_clean(opened):
    assert opened.errors == []
    assert opened.blocked == []
    assert opened.dialogs == []
    assert all(url.startswith(("file://", "data:", "about:")) for url in opened.requests)


def settle(page) -> None:
    """Wait until the page has nothing left to load and has drawn two more frames: whatever an
    injected element would run (an image's onerror, a script) has had its turn by then."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def click_node(page, node_id):
    spot = page.evaluate(NODE_AT, node_id)
    page.mouse.click(spot["x"], spot["y"])
    return spot


def runner_for(project, **env):
    runner = CliRunner()
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build), **env}
    return lambda *args: runner.invoke(main, [str(a) for a in args], env=env)


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def written(result) -> Path:
    """The path a command printed on its last line; it exists."""
    path = Path(ok(result).strip().splitlines()[-1])
    assert path.is_file()
    return path


def payload_ontology(path: Path) -> Path:
    """The ontology with the payload as its title and description, a class's label and
    definition, and a property's comment."""
    graph = Graph().parse(ONTOLOGY)
    ontology = next(graph.subjects(RDF.type, OWL.Ontology))
    for subject, predicate in ((ontology, DCTERMS.title), (ontology, DCTERMS.description),
                               (URIRef(DTA + "Study"), RDFS.label), (URIRef(DTA + "Study"), SKOS.definition),
                               (URIRef(DTA + "aboutStudy"), RDFS.comment)):
        graph.set((subject, predicate, Literal(PAYLOAD)))
    graph.serialize(path, format="turtle")
    return path
