"""HTML documentation of the ontology: pyLODE's OntPub page, made inert and offline.

pyLODE renders every literal as Markdown, which passes raw HTML through, and writes the
ontology's schema.org JSON-LD into a <script> unescaped. Here literals are HTML-escaped before
Markdown sees them, the JSON-LD is written script-safe, and the page gets a Content-Security-
Policy that runs no script and loads nothing but its inline styles and data: images. pyLODE
already inlines its CSS and links no outside script or stylesheet.
"""

import logging
import re
import sys
import types
from contextlib import contextmanager
from html import escape
from importlib.metadata import version
from pathlib import Path

import markdown
from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from dta_kg.core.files import write_atomic
from dta_kg.core.iris import DTA, PREFIXES
from dta_kg.core.paths import ONTOLOGY

from .page import csp, script_safe
from .vocabulary import PAGE as VOCABULARY
from .vocabulary import write_vocabulary

PAGE = "index.html"


def write_docs(directory: str | Path, ontology: str | Path = ONTOLOGY,
               examples: dict[str, str] | None = None) -> Path:
    """Write the documentation of the Turtle `ontology` to `directory`/index.html, with the
    controlled vocabulary in `directory`/vocabulary.html (linked from it); return index.html."""
    graph = Graph().parse(ontology, format="turtle")
    write_vocabulary(directory, graph, examples)  # before pyLODE drops the schemes below
    # pyLODE takes any skos:ConceptScheme for the ontology itself (title, metadata, namespace);
    # the vocabulary's schemes are individuals, which OntPub does not document anyway
    graph.remove((None, RDF.type, SKOS.ConceptScheme))
    for prefix, namespace in PREFIXES.items():  # the project's prefixes, not ns1: ...
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("dtakg", "https://w3id.org/dta-kg/", override=True, replace=True)
    ontpub = _ontpub_class()
    with _escaped_markdown():
        html = ontpub(graph).make_html()
    policy = f'<meta http-equiv="Content-Security-Policy" content="{csp()}">'
    html = html.replace("<head>", f"<head>\n    {policy}", 1)
    link = (f'<p id="vocabulary-link"><a href="{VOCABULARY}">The controlled vocabulary</a>: '
            "components, instruments and subscales (WAI-SR, ...), factor themes, designs, "
            "intervention types.</p>")
    html = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + link, html, count=1)
    own = {str(s).removeprefix(DTA) for s in graph.subjects() if str(s).startswith(DTA)}
    html = own_terms_first(html, own)
    out = Path(directory) / PAGE
    write_atomic(out, html.encode("utf-8"))
    return out


_ENTITY = re.compile(r'<div class="property entity" id="([^"]*)">')
_SECTION = re.compile(r'<div class="section" id="[^"]*">')


def own_terms_first(html: str, own: set[str]) -> str:
    """pyLODE lists imported classes and properties (fabio:, prov:, skos:) before the
    project's own; in each section, put the entities whose id is one of `own` first."""
    starts = [m.start() for m in _SECTION.finditer(html)] + [len(html)]
    out, done = [], 0
    for begin, end in zip(starts, starts[1:], strict=False):
        entities = list(_ENTITY.finditer(html, begin, end))
        close = html.rfind("</div>", begin, end)
        if not entities or close < entities[-1].start():
            continue
        cuts = [m.start() for m in entities] + [close]
        chunks = [(m.group(1) in own, html[a:b]) for m, a, b in zip(entities, cuts[:-1], cuts[1:],
                                                                   strict=True)]
        ordered = [c for mine, c in chunks if mine] + [c for mine, c in chunks if not mine]
        out += [html[done:cuts[0]], *ordered]
        done = close
    return "".join(out) + html[done:]


def _ontpub_class():
    """OntPub, imported quietly, with its JSON-LD written script-safe."""
    # pyLODE 3.4.1 reads its version from a pyproject.toml that wheels do not ship (pyLODE
    # issue #260) and sets the root logger to DEBUG on import (its supermodel loader).
    if "pylode.version" not in sys.modules:
        stub = types.ModuleType("pylode.version")
        stub.__version__ = version("pylode")
        sys.modules["pylode.version"] = stub
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    # lazy: pyLODE must come after the pylode.version stub above (and its logging is restored below)
    from pylode import OntPub

    root.setLevel(level)
    root.handlers[:] = handlers

    class _JsonLd:
        def __init__(self, graph):
            self.graph = graph

        def serialize(self, **options) -> str:
            return script_safe(self.graph.serialize(**options))

    class SafeOntPub(OntPub):
        def _make_head(self, schema_org, include_css=True, destination=None):
            super()._make_head(_JsonLd(schema_org), include_css, destination)

    return SafeOntPub


@contextmanager
def _escaped_markdown():
    """While pyLODE renders, give its Markdown HTML-escaped text, so markup shows as text."""
    # lazy: pyLODE must come after the pylode.version stub that `_ontpub_class` sets
    from pylode import utils

    class Escaped:
        @staticmethod
        def markdown(text: str) -> str:
            return markdown.markdown(escape(text, quote=False))

    original, utils.markdown = utils.markdown, Escaped
    try:
        yield
    finally:
        utils.markdown = original
