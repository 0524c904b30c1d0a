"""Build the graph: records -> triples -> checks -> files in build/ (nothing written on failure)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dta_kg.core.errors import ValidationFailed
from dta_kg.core.files import io_problem, make_folder, owning
from dta_kg.core.iris import DTA, PREFIXES, review_iri
from dta_kg.core.model import FACT_CLASSES
from dta_kg.core.paths import ONTOLOGY, Project
from dta_kg.core.rdfterms import Triple, plain_term
from dta_kg.core.vocabulary import Vocabulary
from dta_kg.loaders.ntriples import nt_line
from dta_kg.loaders.records import read_corpus, read_review, read_study, study_paths
from dta_kg.loaders.screening import read_screening
from dta_kg.loaders.screening_triples import screening_triples
from dta_kg.loaders.terms import load_vocabulary, read_instruments
from dta_kg.loaders.triples import (
    corpus_triples,
    curated_term_triples,
    review_triples,
    study_triples,
)
from dta_kg.pipeline.checks import (
    memory_store,
    ontology_problems,
    qc_queries,
    rdflib_graph,
    run_qc_store,
    run_shacl,
    validate,
)
from dta_kg.pipeline.chunks import IN_PROCESS, Context, chunks, class_counts, worker_context
from dta_kg.pipeline.jsonld import write_turtle_and_jsonld
from dta_kg.pipeline.manifest import (
    LADYBUG,
    LADYBUG_FILE,
    content_hash,
    file_digest,
    inputs_signature,
    install_stores,
    shared_inputs,
)
from dta_kg.pipeline.projection import Shared, plain_triples
from dta_kg.pipeline.projection import project as projection
from dta_kg.pipeline.store_writer import (
    Part,
    load_text,
    new_store,
    part_nodes,
    write_database,
    write_part,
)

if TYPE_CHECKING:
    from rdflib import Graph

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
    validation: str = ""
    files: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def ontology_graph() -> Graph:
    # lazy: rdflib loads ~70 ms; only the SHACL/OWL checks and `validate` need it
    from rdflib import Graph

    return Graph().parse(ONTOLOGY, format="turtle")


def ontology_triples(ontology: Graph) -> list:
    """The ontology's triples as plain terms, in N-Triples order, with its blank nodes labelled
    by their content (rdflib's canonical labels of the triples that hold one; canonicalising
    only those takes a tenth of the time): the same ontology gives the same lines."""
    # lazy: rdflib loads ~70 ms; the build parses the ontology with it anyway
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    blank = Graph()
    named = []
    for s, p, o in ontology:
        if isinstance(s, BNode) or isinstance(o, BNode):
            blank.add((s, p, o))
        else:
            named.append((s, p, o))
    triples = [(plain_term(s), str(p), plain_term(o)) for s, p, o in [*named, *to_canonical_graph(blank)]]
    return sorted(triples, key=nt_line)


def data_triples(project: Project) -> list[Triple]:
    """The instance triples of `project` (records are validated on load)."""
    vocab = load_vocabulary()
    corpus = read_corpus(project, vocab)
    return [*corpus_triples(corpus), *screening_head(project, vocab, review_iri(corpus.review.doi))]


def data_graph(project: Project) -> Graph:
    """The instance data of `project` as an rdflib graph (records are validated on load)."""
    # lazy: rdflib loads ~70 ms; only the SHACL/OWL checks and `validate` need it
    from rdflib import Graph

    return Graph().parse(data="".join(map(nt_line, data_triples(project))), format="nt")


def screening_head(project: Project, vocab: Vocabulary, review: str) -> list[Triple]:
    """The triples of the screening records (none when the project has none)."""
    screening = read_screening(project, vocab)
    return [] if screening is None else list(screening_triples(screening, review))


def bind_prefixes(graph: Graph) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)


def summarise(graph: Graph) -> BuildSummary:
    # lazy: rdflib loads ~70 ms; only the SHACL/OWL checks and `validate` need it
    from rdflib.namespace import RDF

    def count(cls: str) -> int:
        return sum(1 for _ in graph.subjects(RDF.type, graph.namespace_manager.expand_curie(cls)))

    classes = class_counts(list(plain_triples(graph)))  # the build's rule: one class a subject
    facts = [s for cls in FACT_CLASSES for s in graph.subjects(RDF.type, graph.namespace_manager
                                                              .expand_curie(f"dta:{cls}"))]
    evidence = graph.namespace_manager.expand_curie("dta:evidence")
    return BuildSummary(
        studies=count("dta:Study"), reviews=count("dta:IntegrativeReview"),
        components=count("dta:DTAComponent"), instruments=count("dta:Instrument"),
        findings=count("dta:Finding"), factor_reports=count("dta:FactorReport"),
        facts=len(facts), facts_with_evidence=sum(1 for f in facts if (f, evidence, None) in graph),
        triples=len(graph), triples_per_class=dict(sorted(classes.items())),
    )


def validate_graph(project: Project) -> Graph:
    """Load and validate; return the merged graph (data + ontology) or raise ValidationFailed /
    RecordError."""
    data = data_triples(project)
    merged = ontology_graph()  # the data parsed into it: no copy of either graph
    merged.parse(data="".join(map(nt_line, data)), format="nt")
    problems = validate(data, merged)
    if problems:
        raise ValidationFailed(problems)
    bind_prefixes(merged)
    return merged


SHACL_ALL_UP_TO = 2000  # records; above this SHACL runs on a sample of records
SHACL_SAMPLE = 200
STAGED_FILES = [f"{GRAPH_NAME}.{ext}" for ext in FORMATS] + ["manifest.json"]


def build(project: Project, jobs: int | None = None,
          log: Callable[[str], None] | None = None, check_only: bool = False) -> BuildSummary:
    """`_build`, with a file that cannot be read or written (no permission, a full disk,
    a read-only file system) reported as a one-line OutputError."""
    try:
        with owning(project.build):  # the build alone writes its stores
            return _build(project, jobs, log, check_only)
    except OSError as exc:
        raise io_problem(project.build, exc, "cannot build the graph") from exc


def _build(project: Project, jobs: int | None = None,
           log: Callable[[str], None] | None = None, check_only: bool = False) -> BuildSummary:
    """Validate, then write the graph (Turtle, N-Triples, JSON-LD), a manifest and the query
    stores. Records stream through worker processes to disk, so large corpora fit in memory;
    everything is staged and moved into place only when every check has passed. `log` is
    told each stage as it ends, with its time. With `check_only` (`dta-kg validate`) the same
    streaming checks run in a temporary folder and nothing is written to build/."""
    started = time.perf_counter()

    def stage(what: str) -> None:
        if log:
            log(f"{time.perf_counter() - started:7.1f} s  {peak_memory_text()}  {what}")

    # the signature is taken before anything is read, and the content hash from the bytes
    # read: a curator's write during the build leaves the stores stale, never falsely fresh
    signature = inputs_signature(project)
    shared = shared_inputs(project)
    read = {str(p): file_digest(p) for p in shared if p != project.instruments}
    base = load_vocabulary()
    instruments = read_instruments(project.instruments, base, read)
    vocab = base.with_terms([c.term for c in instruments])
    review = read_review(project.review, vocab, read)
    ontology = ontology_graph()
    r = review_iri(review.doi)
    head = [*ontology_triples(ontology), *review_triples(review),
            *(t for c in instruments for t in curated_term_triples(c, r)),
            *screening_head(project, vocab, r)]
    head_graph = projection(head)
    beside = Shared.of(head_graph)
    paths = study_paths(project)
    made = not check_only and not os.path.lexists(project.build)  # removed again on failure
    if not check_only:
        make_folder(project.build, parents=True)
    staging = Path(tempfile.mkdtemp(dir=None if check_only else project.build, prefix=".staging-"))
    try:
        nt_path = staging / f"{GRAPH_NAME}.nt"
        (staging / "parts").mkdir()
        context = Context(tuple(vocab.terms.values()), r, str(staging / "parts"), beside.labels,
                          beside.captions, beside.dois)
        parts = [write_part(head_graph, {}, staging / "parts" / "head.part")]
        per_class = class_counts(head)
        index: dict[str, str] = {}
        store = new_store(staging / "oxigraph")
        if len(paths) <= SHACL_ALL_UP_TO:
            sample, shacl_scope = paths, (f"the SHACL shapes and every QC query on the whole "
                                          f"graph ({len(paths)} records)")
        else:
            sample = random.Random(0).sample(paths, SHACL_SAMPLE)
            shacl_scope = qc_scope_text(len(paths))
        # the sample checks (which need no store) run beside the main thread from the start,
        # Turtle/JSON-LD once the N-Triples are written; leaving the block (even on an error)
        # waits for them, so nothing writes into a staging folder being removed
        with ThreadPoolExecutor(1) as background:
            sample_checked = background.submit(_check_sample, head, sample, vocab, r,
                                               whole=sample is paths)
            with nt_path.open("w", encoding="utf-8") as out:
                text = "".join(map(nt_line, head))
                out.write(text)
                load_text(store, text)
                for chunk in chunks(paths, context, jobs):
                    out.write(chunk.nt)
                    load_text(store, chunk.nt)
                    parts.append(chunk.part)
                    per_class.update(chunk.triples_per_class)
                    read.update(chunk.digests)
                    index.update((doi, os.path.basename(path)) for doi, path, _ in chunk.dois)
            stage(f"read, checked and mapped {len(paths)} records, loaded into the query store")
            workers = jobs or os.cpu_count() or 1
            with _dump_pool(len(paths), workers) as pool, ThreadPoolExecutor(1) as dumper:
                dumped = None if check_only else dumper.submit(
                    write_turtle_and_jsonld, nt_path, staging / f"{GRAPH_NAME}.ttl",
                    staging / f"{GRAPH_NAME}.jsonld", pool, workers)
                summary = _summary(parts, per_class)
                if not check_only:
                    (staging / LADYBUG).mkdir()
                    write_database(parts, staging / LADYBUG / LADYBUG_FILE, len(paths))
                shutil.rmtree(staging / "parts")
                stage("wrote the Cypher database")
                problems = run_qc_store(store, scope=None if sample is paths else "graph", threads=2)
                problems += sample_checked.result()
                stage(f"checked: {shacl_scope}")
                if not problems and not check_only:  # compacted: large answers come 2x faster
                    store.optimize()
                    stage("compacted the query store")
                if dumped:
                    dumped.result()
                    stage("wrote Turtle and JSON-LD")
        if problems:
            raise ValidationFailed(problems)
        summary.triples, summary.validation = len(store), shacl_scope
        if check_only:
            del store
            return summary
        store.flush()
        del store
        digest = content_hash(project, read, [project.review, *paths, *shared])
        manifest = {"content_hash": digest, "ontology": DTA, **summary.as_dict()}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for name in STAGED_FILES:
            os.replace(staging / name, project.build / name)
            summary.files.append(str(project.build / name))
        summary.files += install_stores(project, staging / "oxigraph", staging / LADYBUG, vocab,
                                        digest, signature, index)
        stage("moved the build into place")
        return summary
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if made:  # a failed first build (a full disk) leaves no empty build folder behind
            with contextlib.suppress(OSError):
                os.rmdir(project.build)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def peak_memory_text() -> str:
    """This process's peak memory so far, '  123 MB peak'; empty where the Unix-only
    `resource` module is missing (Windows)."""
    try:
        # lazy: Unix only, and a missing one is handled here
        import resource
    except ImportError:
        return ""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return f"{kib / 1024:6.0f} MB peak"


def qc_scope_text(records: int) -> str:
    """What a build of more than SHACL_ALL_UP_TO records checks, and on what."""
    scopes: dict[str, list[str]] = {}
    for q in qc_queries():
        scopes.setdefault(q.scope, []).append(q.name)

    def queries(scope: str) -> str:
        names = scopes.get(scope, [])
        return f"QC {'query' if len(names) == 1 else 'queries'} {', '.join(names)}"

    return (f"the SHACL shapes and the {queries('sample')} on a random sample of {SHACL_SAMPLE} "
            f"of {records} records (with the ontology and the review); the {queries('graph')} "
            "on the whole graph")


def _check_sample(head: list, paths: list[Path], vocab: Vocabulary, review: str,
                  whole: bool) -> list[str]:
    """SHACL on the records `paths` with the ontology and the review, OWL RL on the ontology
    alone and, when `paths` are a sample, the sample-scope QC queries on them."""
    seen: set[str] = set()
    triples = head + [t for path in paths for t in study_triples(read_study(path, vocab), review, seen)]
    problems = run_shacl(rdflib_graph(triples)) + ontology_problems()
    if not whole:
        problems += run_qc_store(memory_store(triples), scope="sample")
    return problems


def _dump_pool(records: int, workers: int) -> contextlib.AbstractContextManager[Executor | None]:
    """The processes that write Turtle and JSON-LD beside a large build, a part of the sorted
    N-Triples each (a thread would share one core with the main thread's Python); none beside
    a small one (processes take longer to start than the files to write), which a thread
    writes in one pass."""
    if records <= IN_PROCESS:
        return contextlib.nullcontext()
    return ProcessPoolExecutor(workers, mp_context=worker_context())


def _summary(parts: list[Part], per_class: Counter) -> BuildSummary:
    """The counts of the build, from its projection (triples and checks are added later)."""
    counted = {"Study", "IntegrativeReview", "DTAComponent", "Instrument", *FACT_CLASSES}
    kinds = Counter({label: 0 for label in counted})
    quoted = 0
    for label in counted:
        for _, props in part_nodes(parts, label):
            kinds[label] += 1
            quoted += label in FACT_CLASSES and bool(props.get("quote"))
    return BuildSummary(
        studies=kinds["Study"], reviews=kinds["IntegrativeReview"],
        components=kinds["DTAComponent"], instruments=kinds["Instrument"],
        findings=kinds["Finding"], factor_reports=kinds["FactorReport"],
        facts=sum(kinds[label] for label in set(FACT_CLASSES)), facts_with_evidence=quoted,
        triples_per_class=dict(sorted(per_class.items())))
