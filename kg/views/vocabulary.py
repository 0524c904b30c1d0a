"""The controlled vocabulary as an HTML page beside the ontology documentation.

pyLODE's OntPub documents classes and properties, not the SKOS concepts that are the valid
values (components, instruments and subscales, factor themes, designs, intervention types):
this page lists each scheme's concepts with their IRI, synonyms, definition, what a measure
measures and the review's words for it, one worked example per main class (when given), and
the namespace table with every prefix the data uses (dtar: for instances). Everything is
escaped; the page runs no script and loads nothing.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from rdflib import RDF, RDFS, SKOS, URIRef

from dta_kg.core.iris import DTA, PREFIXES

from .model_diagram import model_svg
from .page import csp

PAGE = "vocabulary.html"
# (class, heading, what the section says); the order of the page
SECTIONS = (
    ("DTAComponent", "DTA components", "The components of the digital therapeutic alliance."),
    ("Instrument", "Instruments", "Scales that measure the alliance or engagement."),
    ("Subscale", "Subscales", "Parts of an instrument, each measuring one component."),
    ("EngagementMetric", "Engagement metrics", "Usage measures of user engagement."),
    ("GoalSettingFramework", "Goal-setting frameworks", "Frameworks for setting goals."),
    ("FactorTheme", "Factor themes", "Themes grouping the facilitators and barriers."),
    ("Polarity", "Polarities", "Whether a factor facilitates or hinders."),
    ("StudyDesign", "Study designs", "Designs of the included studies."),
    ("InterventionType", "Intervention types", "The review's intervention themes."),
    ("ResultKind", "Result kinds", "Kinds of quantity a finding's value expresses."),
    ("ClaimKind", "Claim kinds", "Kinds of figure the review states."),
)
NAMESPACE_NOTES = {"dta": "the ontology: classes, properties and the controlled vocabulary",
                   "dtar": "instances: studies, facts, evidence, agents, venues"}
STYLE = """body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;
color:#222}table{border-collapse:collapse;width:100%;margin-bottom:2rem}th,td{border:1px solid
#ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}th{background:#f3f3f3}code{font-size:
.9em}.quote{color:#555;font-style:italic}nav a{margin-right:1rem}"""


def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def concepts(graph, cls: str) -> list[dict]:
    """The individuals of dta:`cls` with what the page shows of them, sorted by label."""
    def label(node) -> str:
        return str(graph.value(node, SKOS.prefLabel) or graph.value(node, RDFS.label)
                   or _curie(str(node)))

    def d(name: str) -> URIRef:
        return URIRef(DTA + name)

    rows = []
    for node in set(graph.subjects(RDF.type, d(cls))):
        rows.append({
            "iri": _curie(str(node)), "anchor": str(node).removeprefix(DTA), "label": label(node),
            "synonyms": sorted(str(a) for a in graph.objects(node, SKOS.altLabel)),
            "definition": str(graph.value(node, SKOS.definition) or ""),
            "measures": sorted(label(c) for c in graph.objects(node, d("measuresComponent"))),
            "part_of": [label(p) for p in graph.objects(node, d("subscaleOf"))],
            "subscales": sorted(label(s) for s in graph.objects(node, d("hasSubscale"))),
            "quote": str(graph.value(node, d("evidenceQuote")) or ""),
            "section": str(graph.value(node, d("evidenceSection")) or ""),
        })
    return sorted(rows, key=lambda r: r["label"].casefold())


def _row(c: dict) -> str:
    extra = []
    if c["part_of"]:
        extra.append("subscale of " + ", ".join(map(escape, c["part_of"])))
    if c["subscales"]:
        extra.append("subscales: " + ", ".join(map(escape, c["subscales"])))
    if c["measures"]:
        extra.append("measures " + ", ".join(map(escape, c["measures"])))
    said = (f'<div class="quote">“{escape(c["quote"])}” ({escape(c["section"])})</div>'
            if c["quote"] else "")
    return (f'<tr id="{escape(c["anchor"])}"><td><strong>{escape(c["label"])}</strong><br>'
            f'<code>{escape(c["iri"])}</code></td><td>{escape("; ".join(c["synonyms"]))}</td>'
            f'<td>{escape(c["definition"])}{"<br>" if extra else ""}{"; ".join(extra)}{said}</td></tr>')


def vocabulary_html(graph, examples: dict[str, str] | None = None) -> str:
    parts = ["<h1>The dta-kg controlled vocabulary</h1>",
             '<nav><a href="index.html">Classes and properties</a>'
             + "".join(f'<a href="#{cls}">{escape(title)}</a>' for cls, title, _ in SECTIONS)
             + '<a href="#model">Model</a><a href="#examples">Examples</a>'
             '<a href="#namespaces">Namespaces</a></nav>',
             "<p>The valid values of the records and of <code>dta-kg</code> options. Any label "
             "or synonym, in any case, names a term; <code>dta-kg vocab</code> lists them in "
             "the terminal.</p>"]
    diagram = model_svg()
    if diagram:
        parts += ['<h2 id="model">The model</h2>', f'<figure>{diagram}</figure>']
    for cls, title, note in SECTIONS:
        rows = concepts(graph, cls)
        if not rows:
            continue
        parts += [f'<h2 id="{cls}">{escape(title)} <small>(<code>dta:{cls}</code>, '
                  f"{len(rows)})</small></h2>", f"<p>{escape(note)}</p>",
                  "<table><tr><th>term</th><th>synonyms</th><th>definition</th></tr>",
                  *map(_row, rows), "</table>"]
    if examples:
        parts += ['<h2 id="examples">Worked examples</h2>', "<p>One instance of each main class, "
                  "from the built graph, as the exported Turtle writes it.</p>"]
        for cls, turtle in examples.items():
            parts += [f'<h3 id="example-{escape(cls.replace(":", "-"))}">{escape(cls)}</h3>',
                      f"<pre><code>{escape(turtle)}</code></pre>"]
    parts += ['<h2 id="namespaces">Namespaces</h2>', "<table><tr><th>prefix</th>"
              "<th>namespace</th><th></th></tr>",
              *(f"<tr><td><code>{p}:</code></td><td><code>{escape(ns)}</code></td>"
                f"<td>{escape(NAMESPACE_NOTES.get(p, ''))}</td></tr>" for p, ns in PREFIXES.items()),
              "</table>"]
    body = "\n".join(parts)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{csp()}">\n'
            f"<title>dta-kg vocabulary</title><style>{STYLE}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")


def write_vocabulary(directory: str | Path, graph, examples: dict[str, str] | None = None) -> Path:
    out = Path(directory) / PAGE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(vocabulary_html(graph, examples), encoding="utf-8")
    return out
