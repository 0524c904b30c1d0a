"""The registry: every list a user chooses from or a generator derives a file from, defined once.

The commands' choices, the export dispatch, the site, the release metadata and the generated
docs read these lists; nothing else spells them. A file format is registered as rdflib registers
its plugins: by name, with its media type, its file suffix and the function that writes it,
named as `module:function` and imported only when that format is written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dta_kg.core.iris import PREFIXES, expand
from dta_kg.core.model import STUDY_FACTS, Claim, Definition, Review, Study
from dta_kg.core.record_schema import EVIDENCE, slots
from dta_kg.core.vocabulary import LISTS as VOCABULARY_LISTS


@dataclass(frozen=True)
class FileFormat:
    """A format dta-kg writes: what it is called, how it is served and saved, who writes it."""

    name: str
    family: str  # "rdf", "property-graph" or "references"
    media_type: str
    suffix: str  # of the file written; "" for a folder of files
    writer: str  # "module:function", imported when used
    help: str

    def load(self) -> Callable[..., Any]:
        """The function that writes the format (its module imported now)."""
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)


FILE_FORMATS: dict[str, FileFormat] = {}


def register(name: str, family: str, media_type: str, suffix: str, writer: str, help: str) -> None:
    """Add a file format; a name registered twice is a programming error."""
    if name in FILE_FORMATS:
        raise ValueError(f"file format {name!r} is registered twice")
    FILE_FORMATS[name] = FileFormat(name, family, media_type, suffix, writer, help)


def formats(family: str) -> tuple[str, ...]:
    """The names of the registered formats of `family`, in registration order."""
    return tuple(f.name for f in FILE_FORMATS.values() if f.family == family)


def media_types() -> dict[str, str]:
    """File suffix -> media type of every registered file format (the first one of a suffix)."""
    found: dict[str, str] = {}
    for fmt in FILE_FORMATS.values():
        if fmt.suffix:
            found.setdefault(fmt.suffix, fmt.media_type)
    return found


_RDF = "dta_kg.sinks.exports:write_rdf_export"
_NETWORK = "dta_kg.sinks.exports:write_network_export"
_REFS = "dta_kg.loaders.reference_files"
register("ttl", "rdf", "text/turtle", ".ttl", _RDF, "the built graph in Turtle")
register("nt", "rdf", "application/n-triples", ".nt", _RDF, "the built graph in N-Triples")
register("jsonld", "rdf", "application/ld+json", ".jsonld", _RDF,
         "the built graph in JSON-LD, compacted with the dta-kg context")
register("jsonld-expanded", "rdf", "application/ld+json", ".jsonld", _RDF,
         "JSON-LD with full IRIs and no context")
register("trig", "rdf", "application/trig", ".trig", _RDF, "the graph as one named graph")
register("graphml", "property-graph", "application/graphml+xml", ".graphml", _NETWORK,
         "the property graph for Gephi, yEd and networkx")
register("gexf", "property-graph", "application/gexf+xml", ".gexf", _NETWORK,
         "the property graph for Gephi")
register("cypher", "property-graph", "application/x-cypher-query", ".cypher",
         "dta_kg.sinks.exports:write_cypher_export",
         "an idempotent MERGE script for cypher-shell")
register("neo4j-csv", "property-graph", "text/csv", "", "dta_kg.sinks.exports:write_neo4j_csv_export",
         "a folder for neo4j-admin database import")
register("bibtex", "references", "application/x-bibtex", ".bib", f"{_REFS}:to_bibtex",
         "BibTeX for JabRef, Zotero and LaTeX")
register("ris", "references", "application/x-research-info-systems", ".ris", f"{_REFS}:to_ris",
         "RIS for EndNote, Zotero and Mendeley")
register("csl-json", "references", "application/vnd.citationstyles.csl+json", ".json",
         f"{_REFS}:to_csl_json", "CSL-JSON for Zotero and pandoc")

# the formats `dta-kg export` writes, and the RDF ones among them
EXPORT_FORMATS = (*formats("rdf"), *formats("property-graph"))
RDF_FORMATS = formats("rdf")
# the reference-manager formats `dta-kg studies` writes
REFERENCE_FORMATS = formats("references")
# how result rows are printed (dta_kg.core.output)
OUTPUT_FORMATS = ("table", "json", "csv", "tsv", "markdown")
REPORT_FORMATS = ("text", "json")  # of a report for people or for scripts (`check`, `study show`)
DIFF_FORMATS = ("table", "json", "markdown")  # of `diff`: its Markdown is a release's changelog
QUERY_LANGUAGES = {"sparql": ".rq", "cypher": ".cypher"}  # the catalogue's languages, by file suffix
CYPHER_DIALECTS = ("auto", "neo4j", "falkordb")  # of a Bolt server; auto asks it

# the sets of studies a `--scope` chooses: the review's own, those added after it, or both
STUDY_SETS = ("review", "living")  # a study's dta:studyScope
SCOPES = (*STUDY_SETS, "all")
CONFIDENCES = ("high", "medium", "low")  # of a curator's inference
BASES = ("stated", "inferred")  # what a fact stands on (dta_kg.core.basis)
# the levels of `--min-confidence`, strongest first: stated, then an inference's confidences
CONFIDENCE_LEVELS = (BASES[0], *CONFIDENCES)
# the DTA components, in the order the review presents them (Results, then pages and tables)
COMPONENTS = ("goal-alignment", "task-agreement", "therapeutic-bond", "user-engagement",
              "facilitators-and-barriers")
# sections of a study's own text, for evidence quoted from it (`source: <its DOI>`)
STUDY_SECTIONS = ("Title", "Abstract", "Introduction", "Methods", "Results", "Discussion",
                  "Conclusions")
# the kinds of fact `dta-kg suggest` proposes, in the order it lists them, and how it prints them
SUGGESTION_KINDS = ("component", "finding", "factor", "design", "population", "intervention")
SUGGESTION_FORMATS = ("table", "json", "yaml")
DEFAULT_PORT = 7878  # of `dta-kg serve`, Oxigraph's own default
# the formats of a database search's export that `dta-kg screen import` reads
SEARCH_EXPORT_FORMATS = ("ris", "bibtex", "csv", "medline")

# every list a command offers as a choice (a test holds each command to one of them)
CHOICES: dict[str, tuple[str, ...]] = {
    "export formats": EXPORT_FORMATS, "output formats": OUTPUT_FORMATS,
    "studies formats": (*OUTPUT_FORMATS, *REFERENCE_FORMATS), "report formats": REPORT_FORMATS,
    "diff formats": DIFF_FORMATS, "query languages": tuple(QUERY_LANGUAGES),
    "cypher dialects": CYPHER_DIALECTS, "scopes": SCOPES, "confidences": CONFIDENCES,
    "confidence levels": CONFIDENCE_LEVELS,
    "vocabulary lists": tuple(VOCABULARY_LISTS), "study sections": STUDY_SECTIONS,
    "suggestion kinds": SUGGESTION_KINDS, "suggestion formats": SUGGESTION_FORMATS,
    "search export formats": SEARCH_EXPORT_FORMATS,
}

# the record classes, review first, and the classes of the graph each becomes
RECORD_CLASSES: tuple[Any, ...] = (Review, Definition, Study, *STUDY_FACTS, Claim)


def model_classes() -> dict[str, str]:
    """CURIE -> IRI of the model's main classes: each record class's, then the evidence's."""
    found = {f"dta:{cls.rdf_class}": PREFIXES["dta"] + cls.rdf_class for cls in RECORD_CLASSES}
    evidence = {s.range for cls in RECORD_CLASSES for s in slots(cls) if s.kind == EVIDENCE and s.range}
    return found | {curie: expand(curie) for curie in sorted(evidence)}
