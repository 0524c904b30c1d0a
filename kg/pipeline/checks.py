"""The checks a graph must pass: SHACL shapes, QC violation queries and OWL RL on the ontology."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pyoxigraph

from dta_kg.core.paths import ONTOLOGY, QC_DIR, REASONED, SHAPES
from dta_kg.core.rdfterms import Triple
from dta_kg.loaders.ntriples import nt_line

if TYPE_CHECKING:
    from rdflib import Graph

ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"
ERROR_MESSAGE = ERRNS + "ErrorMessage"
ERROR_TEXT = ERRNS + "error"  # owlrl puts the reasoner's message on the error node here
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


@dataclass(frozen=True)
class QcQuery:
    """A `*-violation.rq` file: any row it returns is a violation of its rule."""

    path: Path
    name: str
    rule: str
    text: str
    scope: str = "graph"  # "sample": at scale, run on the sampled records only

    @classmethod
    def read(cls, path: Path) -> QcQuery:
        text = path.read_text(encoding="utf-8")
        header: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("#") and ":" in line:
                key, _, value = line.lstrip("# ").partition(":")
                header.setdefault(key.strip().lower(), value.strip())
        name = header.get("name", path.stem)
        return cls(path=path, name=name, rule=header.get("rule", header.get("description", name)),
                   text=text, scope=header.get("scope", "graph").split()[0])


def qc_queries(qc_dir: Path = QC_DIR) -> list[QcQuery]:
    return [QcQuery.read(p) for p in sorted(qc_dir.glob("*-violation.rq"))]


def run_qc_store(store: pyoxigraph.Store, qc_dir: Path = QC_DIR, limit: int = 20,
                 scope: str | None = None, threads: int = 1) -> list[str]:
    """The violation queries (of one `scope`, or all) run on an Oxigraph store, on `threads`
    threads at once (Oxigraph evaluates without holding Python's lock)."""
    chosen = [q for q in qc_queries(qc_dir) if not scope or q.scope == scope]
    with ThreadPoolExecutor(max(1, threads)) as pool:
        found = pool.map(lambda q: _violations(store, q, limit), chosen)
        return [line for lines in found for line in lines]


def qc_rows(store: pyoxigraph.Store, q: QcQuery) -> Iterator[tuple[str, str]]:
    """(focus, message) for each row the violation query `q` returns on an Oxigraph store."""
    # a violation query is a SELECT
    solutions = cast(pyoxigraph.QuerySolutions,
                     store.query(q.text, use_default_graph_as_union=True))
    for row in solutions:
        yield _cell(row, "focus"), _cell(row, "message")


def _violations(store: pyoxigraph.Store, q: QcQuery, limit: int) -> list[str]:
    problems = []
    for i, (focus, message) in enumerate(qc_rows(store, q)):
        if i >= limit:
            problems.append(f"{q.name}: ... more rows")
            break
        problems.append(f"{q.name} (rule: {q.rule}): {focus} {message}".rstrip())
    return problems


def _cell(row: pyoxigraph.QuerySolution, name: str) -> str:
    try:
        term = row[name]
    except (KeyError, IndexError):
        return ""
    return "" if term is None else str(getattr(term, "value", term))


def run_shacl(graph: Graph, shapes: Path = SHAPES, limit: int = 20) -> list[str]:
    """One problem line per SHACL result, citing the shape's message and the focus node."""
    # lazy: pyshacl and rdflib load ~220 ms; only a build or `validate` runs SHACL
    import pyshacl
    from rdflib import Graph
    from rdflib.namespace import RDF, SH

    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph, inference="none",
                                           allow_warnings=True)
    if conforms:
        return []
    problems = []
    results = [r for node in report.subjects(RDF.type, SH.ValidationReport)
               for r in report.objects(node, SH.result)]
    for result in results:
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        shape = report.value(result, SH.sourceShape)
        problems.append(f"SHACL {shape.n3(shapes_graph.namespace_manager) if shape else ''}: "
                        f"{focus} {path or ''}: {message}")
        if len(problems) >= limit:
            break
    return sorted(problems)


def run_reasoner(ontology: Graph) -> list[str]:
    """OWL RL closure of the ontology alone (never of instance data); its inconsistencies."""
    # lazy: owlrl and rdflib load ~120 ms; only a build or `validate` runs the reasoner
    import owlrl
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF

    closure = Graph()
    for triple in ontology:
        closure.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closure)
    messages = (closure.value(m, URIRef(ERROR_TEXT), default=m)
                for m in closure.subjects(RDF.type, URIRef(ERROR_MESSAGE)))
    problems = sorted(f"OWL RL inconsistency: {' '.join(str(m).split())}" for m in messages)
    problems += [f"OWL RL: {s} is inferred to be owl:Nothing"
                 for s in closure.subjects(RDF.type, URIRef(OWL_NOTHING))]
    return problems


def ontology_problems(path: Path = ONTOLOGY) -> list[str]:
    """`run_reasoner` on the ontology file `path` (1-2 s). The shipped ontology's answer is
    generated beside it (`reasoned_text`, `make generate`) and taken from there while it names
    the SHA-256 of the file's bytes; any other text is reasoned over, once per process."""
    digest, turtle = _read_ontology(path)
    generated = _generated_answer()
    if generated is not None and generated[0] == digest:
        return list(generated[1])
    return list(_reasoned(turtle))


def reasoned_text(path: Path = ONTOLOGY) -> str:
    """ontology/reasoned.json: the SHA-256 of the ontology file and OWL RL's problems with it."""
    digest, turtle = _read_ontology(path)
    answer = {"ontology": path.name, "sha256": digest, "owl_rl_problems": list(_reasoned(turtle))}
    return json.dumps(answer, indent=2, ensure_ascii=False) + "\n"


def _read_ontology(path: Path) -> tuple[str, str]:
    """The SHA-256 of the ontology file `path` and its text, from one read."""
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), data.decode("utf-8")


def _generated_answer() -> tuple[str, list[str]] | None:
    """(SHA-256, problems) from ontology/reasoned.json; None when it is missing or malformed,
    so that the ontology is reasoned over."""
    try:
        answer = json.loads(REASONED.read_text(encoding="utf-8"))
        digest, problems = answer["sha256"], answer["owl_rl_problems"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(digest, str) or not (isinstance(problems, list)
                                           and all(isinstance(p, str) for p in problems)):
        return None
    return digest, problems


@cache
def _reasoned(turtle: str) -> tuple[str, ...]:
    # lazy: rdflib loads ~70 ms; only a build or `validate` runs the reasoner
    from rdflib import Graph

    return tuple(run_reasoner(Graph().parse(data=turtle, format="turtle")))


def validate(data: list[Triple], merged: Graph) -> list[str]:
    """Every problem with the instance triples `data`: the SHACL shapes on `merged` (them with
    the ontology's triples), the QC queries on them with the ontology file, OWL RL on the
    ontology alone (`ontology_problems`)."""
    store = memory_store(data)
    store.load(path=ONTOLOGY, format=pyoxigraph.RdfFormat.TURTLE)
    return run_shacl(merged) + run_qc_store(store) + ontology_problems()


def memory_store(triples: Iterable[Triple]) -> pyoxigraph.Store:
    """An in-memory Oxigraph store of `triples`, for the QC queries on a part of the graph."""
    store = pyoxigraph.Store()
    store.load("".join(map(nt_line, triples)), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def rdflib_graph(triples: Iterable[Triple]) -> Any:
    """An rdflib graph of `triples`, for SHACL on a part of the graph."""
    # lazy: rdflib loads ~70 ms; only the SHACL/OWL checks and `validate` need it
    from rdflib import Graph

    return Graph().parse(data="".join(map(nt_line, triples)), format="nt")
