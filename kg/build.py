"""Build the graph: records -> triples -> checks -> files in build/ (nothing written on failure)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from dta_kg.errors import ValidationFailed
from dta_kg.loaders.records import read_corpus, study_paths
from dta_kg.loaders.vocabulary import load_vocabulary
from dta_kg.paths import ONTOLOGY, QC_DIR, SHAPES, Project
from dta_kg.stores import write_stores
from dta_kg.vocab import DTA, PREFIXES, local_name

GRAPH_NAME = "dta-kg"
FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@dataclass
class BuildSummary:
    studies: int = 0
    reviews: int = 0
    components: int = 0
    instruments: int = 0
    findings: int = 0
    factor_reports: int = 0
    facts: int = 0
    facts_with_evidence: int = 0
    triples: int = 0
    triples_per_class: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def input_files(project: Project) -> list[Path]:
    """Every file the graph is built from, in a fixed order (for the content hash)."""
    inputs = [project.review, *study_paths(project), ONTOLOGY, SHAPES,
              *sorted(QC_DIR.glob("*.rq"))]
    if project.instruments.exists():
        inputs.append(project.instruments)
    return inputs


def content_hash(project: Project) -> str:
    digest = hashlib.sha256()
    for path in input_files(project):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ontology_graph():
    from rdflib import Graph

    return Graph().parse(ONTOLOGY, format="turtle")


def data_graph(project: Project):
    """The instance data of `project` as an rdflib graph (records are validated on load)."""
    from rdflib import Graph

    from dta_kg.loaders.triples import corpus_triples

    corpus = read_corpus(project, load_vocabulary())
    graph = Graph()
    for triple in corpus_triples(corpus):
        graph.add(triple)
    return graph


def bind_prefixes(graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


def summarise(graph) -> BuildSummary:
    from rdflib.namespace import RDF

    def count(cls: str) -> int:
        return sum(1 for _ in graph.subjects(RDF.type, graph.namespace_manager.expand_curie(cls)))

    classes = Counter()
    types = {}
    for s, o in graph.subject_objects(RDF.type):
        if s not in types or (str(o).startswith(DTA) and not str(types[s]).startswith(DTA)):
            types[s] = o
    for s, _, _ in graph:
        if s in types:
            classes[local_name(str(types[s]))] += 1
    fact_classes = ["ComponentReport", "Finding", "FactorReport", "DesignReport",
                    "PopulationReport", "InterventionReport", "CuratorNote", "ReviewClaim"]
    facts = [s for cls in fact_classes for s in graph.subjects(RDF.type, graph.namespace_manager
                                                              .expand_curie(f"dta:{cls}"))]
    evidence = graph.namespace_manager.expand_curie("dta:evidence")
    return BuildSummary(
        studies=count("dta:Study"), reviews=count("dta:IntegrativeReview"),
        components=count("dta:DTAComponent"), instruments=count("dta:Instrument"),
        findings=count("dta:Finding"), factor_reports=count("dta:FactorReport"),
        facts=len(facts), facts_with_evidence=sum(1 for f in facts if (f, evidence, None) in graph),
        triples=len(graph), triples_per_class=dict(sorted(classes.items())),
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check(project: Project):
    """Load and validate; return the merged graph or raise ValidationFailed / RecordError."""
    from dta_kg.validate import validate

    data = data_graph(project)
    ontology = ontology_graph()
    problems = validate(data, ontology)
    if problems:
        raise ValidationFailed(problems)
    merged = data + ontology
    bind_prefixes(merged)
    return merged


def build(project: Project) -> BuildSummary:
    """Validate, then write the graph as Turtle, N-Triples and JSON-LD, a manifest and the
    query stores (see dta_kg.stores)."""
    graph = check(project)
    summary = summarise(graph)
    for ext, fmt in FORMATS.items():
        path = project.build / f"{GRAPH_NAME}.{ext}"
        write_atomic(path, graph.serialize(format=fmt, encoding="utf-8"))
        summary.files.append(str(path))
    manifest = {"content_hash": content_hash(project), "ontology": DTA, **summary.as_dict()}
    write_atomic(project.build / "manifest.json", json.dumps(manifest, indent=2).encode())
    summary.files += write_stores(project, graph, manifest["content_hash"])
    return summary
