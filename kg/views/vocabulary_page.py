"""The controlled vocabulary as an HTML page beside the ontology documentation.

The ontology page (docs.py) documents classes and properties, not the SKOS concepts that are
the valid values (components, instruments and subscales, factor themes, designs, intervention
types):
this page lists each scheme's concepts with their IRI, synonyms, definition, what a measure
measures and the review's words for it, one worked example per main class (when given), and
the namespace table with every prefix the data uses (dtar: for instances). Everything is
escaped; the page runs no script and loads nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from dta_kg.core.iris import DTA, PREFIXES

from .model_diagram import model_svg
from .page import csp, write_page

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
def _curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def concepts(graph: Graph, cls: str) -> list[dict[str, Any]]:
    """The individuals of dta:`cls` with what the page shows of them, sorted by label."""
    def label(node: Node) -> str:
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


def vocabulary_context(graph: Graph, examples: dict[str, str] | None = None) -> dict[str, object]:
    """What the vocabulary template shows: each section's concepts, the model diagram, the
    worked examples and the namespaces."""
    diagram = model_svg()
    return {
        "csp": csp(),
        "sections": [(cls, title, note, rows) for cls, title, note in SECTIONS
                     if (rows := concepts(graph, cls))],
        "diagram": Markup(diagram) if diagram else None,  # drawn by model_diagram, escaped there
        "examples": [(cls, cls.replace(":", "-"), turtle) for cls, turtle in (examples or {}).items()],
        "namespaces": [(p, ns, NAMESPACE_NOTES.get(p, "")) for p, ns in PREFIXES.items()],
    }


def write_vocabulary(directory: str | Path, graph: Graph,
                     examples: dict[str, str] | None = None) -> Path:
    """Write the vocabulary page of `graph` to `directory`/vocabulary.html and return its path."""
    return write_page("vocabulary.html", Path(directory) / PAGE,
                      **vocabulary_context(graph, examples))
