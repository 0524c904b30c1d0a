"""Export the built graph for other tools.

RDF formats (Turtle, N-Triples, compacted JSON-LD) are the build's own files, byte for byte;
`jsonld-expanded` is the JSON-LD without a context; TriG holds the same triples in one named
graph, written like the Turtle (prefixes, subjects grouped and sorted). GraphML and GEXF,
the Cypher script and the neo4j-admin CSVs all come from `dta_kg.pipeline.projection.project`
(retracted facts included and flagged, as in the embedded Cypher engine):

* GraphML/GEXF: node attribute `type` is the node label, `label` its caption; an edge's
  `label` is its relationship type, its id `e0`, `e1`, ... (no `id` or `networkx_key` data).
  Lists become JSON strings, and every attribute has one type throughout the file (mixed
  values become text).
* `cypher` and `neo4j-csv` come with a Neo4j Browser style sheet (`.grass`, see `grass`).
* `cypher`: the statements of `dta-kg neo4j push` (constraints, then `UNWIND ... MERGE`
  batches) with their parameters written as Cypher literals: running it twice changes nothing.
* `neo4j-csv`: one CSV per node label and per relationship type, with `neo4j-admin database
  import` headers (`iri:ID`, `:LABEL`, `name:type`, `:START_ID`, `:END_ID`, `:TYPE`), and
  `import.sh`, the import command with the right options.
"""

from __future__ import annotations

import io
import json
import math
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph

from dta_kg.core.files import check_file, check_folder, write_atomic, write_file, write_folder
from dta_kg.core.iris import DEFAULT_GRAPH_IRI, DTA, check_graph_iri
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import plain_term
from dta_kg.core.registry import EXPORT_FORMATS, FILE_FORMATS
from dta_kg.pipeline.build import GRAPH_NAME, STAGED_FILES
from dta_kg.pipeline.jsonld import write_expanded, write_jsonld_file
from dta_kg.pipeline.projection import PropertyGraph, scoped, to_networkx
from dta_kg.pipeline.projection import project as projection
from dta_kg.pipeline.rdf_text import write_turtle_file
from dta_kg.sinks.grass import grass
from dta_kg.sinks.neo4j import node_rows, quote, schema_statements, write_statements
from dta_kg.sinks.neo4j_csv import (  # noqa: F401  (re-exported: the CSV export lives there)
    GRASS_NAME,
    ExportError,
    array_delimiter,
    csv_type,
    import_script,
    write_neo4j_csv,
)
from dta_kg.stores.local import ensure_files

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

Notify = Callable[[str], None] | None


def built_graph(project: Project, notify: Notify = None) -> Graph:
    """The built graph (rebuilt first when stale), parsed from build/dta-kg.nt."""
    # lazy: rdflib loads ~70 ms; an export of the whole graph as RDF streams the build's files
    from rdflib import Graph

    ensure_files(project, notify)
    return Graph().parse(project.build / f"{GRAPH_NAME}.nt", format="nt")


def built_projection(project: Project, notify: Notify = None) -> PropertyGraph:
    """The property-graph projection of the built graph, as the Cypher engine has it: read in
    the order of build/dta-kg.nt, so the same build gives the same nodes, values and files."""
    ensure_files(project, notify)
    triples = pyoxigraph.parse(path=str(project.build / f"{GRAPH_NAME}.nt"),
                               format=pyoxigraph.RdfFormat.N_TRIPLES)
    return projection((plain_term(t.subject), t.predicate.value, plain_term(t.object)) for t in triples)


def scoped_graph(graph: Graph, scope: str = "all") -> Graph:
    """The RDF graph with only the studies of `scope` ("review", "living" or "all"): a study of
    another set goes with its author list, its facts and the annotations only they use."""
    # lazy: rdflib loads ~70 ms; an export of the whole graph as RDF streams the build's files
    from rdflib import Graph, URIRef

    if scope == "all":
        return graph
    about, evidence = URIRef(DTA + "aboutStudy"), URIRef(DTA + "evidence")
    studies = {s for s, o in graph.subject_objects(URIRef(DTA + "studyScope")) if str(o) != scope}
    gone = studies | {f for s in studies for f in graph.subjects(about, s)}
    lists = tuple(f"{s}-authors" for s in studies)
    gone |= {s for s in graph.subjects() if str(s).startswith(lists)}
    kept_evidence = {o for s, o in graph.subject_objects(evidence) if s not in gone}
    orphans = {o for s, o in graph.subject_objects(evidence) if s in gone} - kept_evidence
    gone |= {n for a in orphans for n in (a, URIRef(f"{a}-target"), URIRef(f"{a}-selector"))}
    kept = Graph(namespace_manager=graph.namespace_manager)
    for triple in graph:
        if triple[0] not in gone and triple[2] not in gone:
            kept.add(triple)
    return kept


def write_rdf(project: Project, fmt: str, out: Path, *, graph_iri: str, scope: str = "all",
              notify: Notify = None, context_url: str | None = None) -> None:
    """`fmt` (ttl, nt, trig, jsonld or jsonld-expanded) from the build's N-Triples, or from
    the `scope` studies' part of it, with the project's writers (see `pipeline.rdf_text`);
    `context_url`: JSON-LD that references its context by that URL instead of embedding it."""
    ensure_files(project, notify)

    def produce(tmp: Path) -> None:
        nt_path = project.build / f"{GRAPH_NAME}.nt"
        if scope != "all":
            nt_path = tmp.with_name("scoped.nt")
            scoped_graph(built_graph(project, notify), scope).serialize(nt_path, format="nt",
                                                                         encoding="utf-8")
        RDF_WRITERS[fmt](nt_path, tmp, graph_iri, context_url)

    write_file(out, produce)


# the RDF writers, each from the build's N-Triples: (source, target, graph IRI, context URL)
RDF_WRITERS: dict[str, Callable[[Path, Path, str, str | None], object]] = {
    "nt": lambda nt, tmp, _iri, _url: shutil.copyfile(nt, tmp),
    "ttl": lambda nt, tmp, _iri, _url: write_turtle_file(nt, tmp, None),
    "trig": lambda nt, tmp, iri, _url: write_turtle_file(nt, tmp, iri),
    "jsonld": lambda nt, tmp, _iri, url: write_jsonld_file(nt, tmp, url),
    "jsonld-expanded": lambda nt, tmp, _iri, _url: write_expanded(nt, tmp),
}


@dataclass(frozen=True)
class ExportJob:
    """What `dta-kg export` was asked to write, as every format's writer receives it."""

    project: Project
    fmt: str
    out: Path
    graph_iri: str
    scope: str = "all"
    batch_size: int = 500
    context_url: str | None = None
    notify: Notify = None


def export(project: Project, fmt: str, out: Path, *, graph_iri: str | None = None,
           batch_size: int = 500, notify: Notify = None, scope: str = "all",
           context_url: str | None = None) -> str:
    """Write the built graph as `fmt` to `out` (a folder for neo4j-csv); say what was written.
    `scope` keeps the review's studies ("review"), those added after it ("living") or all;
    `context_url`: JSON-LD that references its context by that URL instead of embedding it.
    The format's writer is the one the registry (`dta_kg.core.registry`) names."""
    graph_iri = check_graph_iri(graph_iri or DEFAULT_GRAPH_IRI)
    spec = FILE_FORMATS.get(fmt)
    if spec is None or spec.family not in ("rdf", "property-graph"):
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if spec.suffix:  # checked before any work
        if out.is_dir() and not out.is_symlink():
            raise ExportError(f"{out} is a folder; give a file name, e.g. {out / GRAPH_NAME}{spec.suffix}")
        check_file(out)
        if fmt == "cypher":
            check_file(out.with_suffix(".grass"))
    else:
        check_folder(out)
    job = ExportJob(project, fmt, out, graph_iri, scope, batch_size, context_url, notify)
    return spec.load()(job)


def write_rdf_export(job: ExportJob) -> str:
    """An RDF export: the build's own file when it is one, else written from its N-Triples."""
    project, fmt, out = job.project, job.fmt, job.out
    if f"{GRAPH_NAME}.{fmt}" in STAGED_FILES and job.scope == "all" and not job.context_url:
        ensure_files(project, job.notify)
        built = project.build / f"{GRAPH_NAME}.{fmt}"
        write_file(out, lambda tmp: shutil.copyfile(built, tmp))
        return f"wrote the built graph as {fmt} to {out}"
    write_rdf(project, fmt, out, graph_iri=job.graph_iri, scope=job.scope, notify=job.notify,
              context_url=job.context_url)
    part = "the built graph" if job.scope == "all" else f"the {job.scope} studies' part of the built graph"
    where = f" in the named graph <{job.graph_iri}>" if fmt == "trig" else ""
    return f"wrote {part}{where} as {fmt} to {out}"


def write_neo4j_csv_export(job: ExportJob) -> str:
    """The neo4j-admin CSV folder, with its import script and a Neo4j Browser style."""
    pg = scoped(built_projection(job.project, job.notify), job.scope)
    files = write_folder(job.out, lambda folder: write_neo4j_csv(pg, folder, job.graph_iri))
    return (f"wrote {_counts(pg)} as {len(files)} files in {job.out} (import with "
            f"{job.out / 'import.sh'}; style for Neo4j Browser: {job.out / GRASS_NAME})")


def write_network_export(job: ExportJob) -> str:
    """GraphML or GEXF of the property graph."""
    pg = scoped(built_projection(job.project, job.notify), job.scope)
    write_network(pg, job.out, job.fmt)
    return f"wrote {_counts(pg)} as {job.fmt} to {job.out}"


def write_cypher_export(job: ExportJob) -> str:
    """The idempotent Cypher script, with a Neo4j Browser style beside it."""
    pg = scoped(built_projection(job.project, job.notify), job.scope)
    script = cypher_script(pg, graph_iri=job.graph_iri, batch_size=job.batch_size)
    write_atomic(job.out, script.encode())
    style = job.out.with_suffix(".grass")
    write_atomic(style, grass(n.label for n in pg.nodes).encode())
    return f"wrote {_counts(pg)} as {job.fmt} to {job.out}, and a Neo4j Browser style to {style}"


def _counts(pg: PropertyGraph) -> str:
    return f"{len(pg.nodes)} nodes and {len(pg.edges)} relationships"


# --- GraphML and GEXF ------------------------------------------------------------------


def _flat(value: Any) -> Any:
    """A scalar attribute value: lists as JSON text, str subclasses as plain str."""
    if isinstance(value, list | tuple | set | frozenset):
        return json.dumps([_flat(v) for v in value], ensure_ascii=False)
    if isinstance(value, bool | int | float):
        return value
    return str(value)


def _unify(items: Iterable[dict]) -> None:
    """Give each attribute one type across `items`: int+float -> float, anything else -> str."""
    items = list(items)
    kinds: dict[str, set[type]] = {}
    for data in items:
        for key, value in data.items():
            kinds.setdefault(key, set()).add(type(value))
    for key, seen in kinds.items():
        if len(seen) < 2:
            continue
        cast = float if seen <= {int, float} else str
        for data in items:
            if key in data:
                value = data[key]
                data[key] = str(value).lower() if cast is str and isinstance(value, bool) else cast(value)


def network(pg: PropertyGraph) -> nx.MultiDiGraph:
    """The projection as a networkx MultiDiGraph with scalar, consistently typed attributes."""
    # lazy: networkx loads ~85 ms; only the GraphML and GEXF exports need it
    import networkx as nx

    source = to_networkx(pg)
    g = nx.MultiDiGraph()
    for node, data in source.nodes(data=True):
        g.add_node(node, **{k: _flat(v) for k, v in data.items()})
    for i, (u, v, data) in enumerate(source.edges(data=True)):
        attrs = {k: _flat(x) for k, x in data.items() if k != "type"}
        g.add_edge(u, v, key=f"e{i}", label=data["type"], **attrs)  # the key is the edge id
    _unify(data for _, data in g.nodes(data=True))
    _unify(data for _, _, data in g.edges(data=True))
    return g


def write_network(pg: PropertyGraph, out: Path, fmt: str) -> None:
    """Write the projection as GraphML or GEXF (via a temporary file, then renamed)."""
    # lazy: networkx loads ~85 ms; only the GraphML and GEXF exports need it
    import networkx as nx

    writers: dict[str, tuple[Callable[..., None], Callable[[bytes], bytes]]] = {
        "graphml": (nx.write_graphml, bytes), "gexf": (nx.write_gexf, _without_networkx_key)}
    if fmt not in writers:
        raise ExportError(f"not a network format: {fmt}")
    write, finish = writers[fmt]
    buffer = io.BytesIO()
    write(network(pg), buffer, encoding="utf-8")
    write_atomic(out, finish(buffer.getvalue()))


def _without_networkx_key(gexf: bytes) -> bytes:
    """GEXF without the `networkx_key` edge attribute networkx adds to a multigraph's edges
    (the edge id already is the key), so Gephi shows no such column."""
    root = ET.fromstring(gexf)
    ns = root.tag[1:].split("}")[0]
    ET.register_namespace("", ns)
    ET.register_namespace("viz", "http://gexf.net/1.3/viz")
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    dropped = set()
    for attributes in root.iter(f"{{{ns}}}attributes"):
        for attribute in list(attributes):
            if attributes.get("class") == "edge" and attribute.get("title") == "networkx_key":
                dropped.add(attribute.get("id"))
                attributes.remove(attribute)
    for edge in root.iter(f"{{{ns}}}edge"):
        for values in edge.iter(f"{{{ns}}}attvalues"):
            for value in list(values):
                if value.get("for") in dropped:
                    values.remove(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- Cypher script ---------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cypher_literal(value: Any) -> str:
    """A Python value as a Cypher literal (strings single-quoted and escaped)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ExportError(f"cannot write the number {value} in Cypher")
        return repr(value)
    if isinstance(value, datetime):
        return f"datetime('{value.isoformat()}')"
    if isinstance(value, str):
        text = "".join(_ESCAPES.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 32 else ch)
                       for ch in value)
        return f"'{text}'"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote(str(k))}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise ExportError(f"cannot write {type(value).__name__} values in Cypher")


def inline(text: str, params: dict[str, Any]) -> str:
    """Statement `text` with each `$name` replaced by its parameter as a Cypher literal."""
    def literal(match: re.Match) -> str:
        name = match.group(1)
        if name not in params:
            raise ExportError(f"statement parameter ${name} has no value")
        return cypher_literal(params[name])

    return re.sub(r"\$(\w+)", literal, text)


def cypher_script(pg: PropertyGraph, *, graph_iri: str, batch_size: int = 500, push_id: str = "cypher-script",
                  max_bytes: int | None = None) -> str:
    """An idempotent script: Neo4j 5 uniqueness constraints, then batched MERGE statements."""
    check_graph_iri(graph_iri)
    lines = [f"// dta-kg: {len(pg.nodes)} nodes and {len(pg.edges)} relationships, tagged "
             f"dta_kg_graph = {cypher_literal(graph_iri)}.",
             "// Idempotent (constraints IF NOT EXISTS, then MERGE): run it again to refresh.",
             "// Run it with: cypher-shell -a bolt://localhost:7687 -f THIS_FILE", ""]
    for stmt in schema_statements(node_rows(pg), "neo4j"):
        lines.append(stmt.text + ";")
    for stmt in write_statements(pg, batch_size=batch_size, graph_id=graph_iri, push_id=push_id,
                                 max_bytes=max_bytes):
        lines += ["", f"// {stmt.kind}: {stmt.rows} row(s)", inline(stmt.text, stmt.params) + ";"]
    return "\n".join(lines) + "\n"
