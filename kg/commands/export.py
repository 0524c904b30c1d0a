"""`dta-kg export`, `dta-kg neo4j push`, `dta-kg sparql-store push` and `dta-kg serve`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import SCOPE, project_options
from dta_kg.core.errors import redact
from dta_kg.core.iris import CONTEXT_URL, DEFAULT_GRAPH_IRI, check_graph_iri
from dta_kg.core.registry import CHOICES, DEFAULT_PORT

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar  # what click.progressbar returns

    from dta_kg.core.paths import Project

GRAPH = click.option("--graph", "graph_iri", default=DEFAULT_GRAPH_IRI, show_default=True,
                     metavar="IRI", help="The named graph (RDF) or graph tag (Neo4j) to write.")


def _notify(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@click.option("--format", "fmt", required=True,
              type=click.Choice(CHOICES["export formats"]),
              help="ttl/nt/jsonld: the built graph (JSON-LD compacted with the dta-kg context); "
                   "jsonld-expanded: full IRIs, no context; trig: it as one named graph; graphml/gexf: "
                   "the property graph; cypher: a MERGE script; neo4j-csv: a folder for "
                   "neo4j-admin database import.")
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="The file to write (a folder for neo4j-csv).")
@click.option("--context-url", metavar="URL", help="jsonld: reference the context by this URL "
              f"(e.g. {CONTEXT_URL}) instead of embedding it.")
@GRAPH
@SCOPE
@project_options
def export(fmt: str, out: Path, context_url: str | None, graph_iri: str, scope: str,
           project: Project) -> None:
    """Write the built graph in a format other tools read (building it first if stale).

    \b
    Example:
        dta-kg export --format ttl -o dta-kg.ttl
        dta-kg export --format graphml -o dta-kg.graphml
        dta-kg export --format neo4j-csv -o neo4j-import/
        dta-kg export --format graphml --scope living -o added-studies.graphml
    """
    from dta_kg.sinks.exports import export as run

    if context_url and fmt != "jsonld":
        raise click.UsageError("--context-url is for --format jsonld")
    click.echo(run(project, fmt, out, graph_iri=graph_iri, notify=_notify, scope=scope,
                   context_url=context_url))


class _Progress:
    """A progress bar on a terminal (stderr), started when the total is known."""

    def __init__(self) -> None:
        self.bar: ProgressBar[int] | None = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="pushing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group()
def neo4j() -> None:
    """Load the graph into Neo4j (or another Bolt server, such as FalkorDB).

    \b
    Example:
        dta-kg neo4j push --uri bolt://localhost:7687
    """


@neo4j.command("push")
@click.option("--uri", metavar="bolt://HOST:PORT",
              help="The Bolt server; credentials come from NEO4J_USERNAME and NEO4J_PASSWORD.")
@click.option("--database", help="The database to write to [default: the server's default].")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Nodes or relationships per UNWIND ... MERGE statement.")
@click.option("--replace", is_flag=True,
              help="Afterwards, delete what earlier pushes of this graph wrote and this push "
                   "did not (nothing else).")
@click.option("--dry-run", is_flag=True, help="Print the statements instead of running them.")
@click.option("--dialect", type=click.Choice(CHOICES["cypher dialects"]), default="auto",
              show_default=True, help="Cypher dialect; auto asks the server (a dry run: neo4j).")
@GRAPH
@project_options
def push(uri: str | None, database: str | None, batch_size: int, replace: bool, dry_run: bool,
         dialect: str, graph_iri: str, project: Project) -> None:
    """Write the property graph to a Bolt server with idempotent MERGE statements.

    Uniqueness constraints on `iri` come first (FalkorDB: indexes). Every node and
    relationship is tagged with the graph and the push, so pushing again changes nothing
    and --replace removes only what this graph wrote before. A failed push can simply be
    run again.

    \b
    Example:
        NEO4J_USERNAME=neo4j NEO4J_PASSWORD=... dta-kg neo4j push --uri bolt://localhost:7687
        dta-kg neo4j push --dry-run --batch-size 100
    """
    from dta_kg.sinks import neo4j as bolt
    from dta_kg.sinks.exports import built_projection

    if not uri and not dry_run:
        raise click.UsageError("give --uri bolt://HOST:PORT (or --dry-run)")
    check_graph_iri(graph_iri)
    pg = built_projection(project, _notify)
    if dry_run:
        statements = bolt.dry_run(pg, dialect="neo4j" if dialect == "auto" else dialect,
                                  batch_size=batch_size, graph_id=graph_iri, replace=replace)
        for stmt in statements:
            click.echo(stmt.render() + "\n")
        return
    assert uri is not None  # refused above unless --dry-run
    progress = _Progress()
    client = bolt.BoltWriter(uri, database=database, dialect=dialect)
    with client:  # not `as client`: BoltClient.__enter__ is typed to return a BoltClient
        try:
            result = client.push(pg, batch_size=batch_size, graph_id=graph_iri, replace=replace,
                                 progress=progress)
        finally:
            progress.close()
        nodes, rels = client.counts(graph_iri)
    where = redact(uri) + (f" (database {database})" if database else "")
    click.echo(f"pushed {result.nodes} nodes and {result.relationships} relationships to {where} "
               f"in {result.batches} batches ({result.dialect} dialect); graph <{graph_iri}> "
               f"there now has {nodes} nodes and {rels} relationships")
    if replace:
        click.echo(f"removed {result.deleted_nodes} nodes and {result.deleted_relationships} "
                   "relationships that earlier pushes of this graph left")


@click.group("sparql-store")
def sparql_store() -> None:
    """Load the graph into a SPARQL store (Oxigraph, Virtuoso, Fuseki, GraphDB, ...).

    \b
    Example:
        dta-kg sparql-store push --endpoint http://localhost:7878/store
    """


@sparql_store.command("push")
@click.option("--endpoint", required=True, metavar="URL",
              help="The store's Graph Store Protocol URL, e.g. http://localhost:7878/store "
                   "(Oxigraph) or http://localhost:8890/sparql-graph-crud-auth (Virtuoso).")
@click.option("--query-endpoint", metavar="URL",
              help="Its SPARQL query URL, to count the triples afterwards.")
@GRAPH
@project_options
def store_push(endpoint: str, query_endpoint: str | None, graph_iri: str, project: Project) -> None:
    """Replace one named graph in a SPARQL store with the built graph (HTTP PUT).

    Credentials, when the store wants them, come from DTA_KG_SPARQL_USER,
    DTA_KG_SPARQL_PASSWORD and DTA_KG_SPARQL_AUTH (basic, the default, or digest).
    Only that named graph changes; pushing again replaces it with the same triples.

    \b
    Example:
        dta-kg sparql-store push --endpoint http://localhost:7878/store
        DTA_KG_SPARQL_USER=dba DTA_KG_SPARQL_PASSWORD=... DTA_KG_SPARQL_AUTH=digest \\
          dta-kg sparql-store push --endpoint http://localhost:8890/sparql-graph-crud-auth
    """
    from dta_kg.sinks.exports import built_graph
    from dta_kg.stores.sparql_http import auth_from_env, count_triples, put_graph

    check_graph_iri(graph_iri)
    auth = auth_from_env()
    sent = put_graph(endpoint, built_graph(project, _notify), graph_iri, auth=auth)
    click.echo(f"replaced the graph <{graph_iri}> at {redact(endpoint)} with {sent} triples")
    if query_endpoint:
        held = count_triples(query_endpoint, graph_iri, auth=auth)
        click.echo(f"{redact(query_endpoint)} counts {held} triples in <{graph_iri}>")


@click.command()
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="The port to listen on (0: any free port).")
@click.option("--bind", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="The address to listen on; requests must name it in their Host header. "
                   "Any other than loopback prints a warning of what it exposes.")
@click.option("--allow-service", is_flag=True,
              help="Let queries use SERVICE to fetch from other endpoints (off by default: the "
                   "server would fetch any URL for whoever asks).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a query may run; past it its engine process is stopped.")
@click.option("--queries", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Queries answered at once (one engine process each); others wait.")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=1024,
              show_default=True, help="Open connections; more are answered 503 and closed.")
@project_options
def serve(port: int, bind: str, allow_service: bool, timeout: float, queries: int,
          max_connections: int, project: Project) -> None:
    """Serve the graph read-only over SPARQL 1.1 on 127.0.0.1 until Ctrl-C.

    Point YASGUI, SPARQLWrapper, Protégé or `dta-kg sparql --endpoint` at the printed URL.
    The graph is both the default graph and the named graph <https://w3id.org/dta-kg/graph>.
    Updates and SERVICE are refused with the same parsed checks as `dta-kg sparql`, and so is
    a request whose Host header names another host; CORS headers let browser clients query
    it. Each query runs in an engine process that is stopped at --timeout.

    \b
    Example:
        dta-kg serve --port 7878
        dta-kg serve --bind 127.0.0.1 --port 0 --timeout 10
    """
    from dta_kg.sinks.gateway import Limits
    from dta_kg.sinks.serve import serve as run

    def ready(url: str) -> None:
        click.echo(f"SPARQL endpoint (read-only): {url}/query\nBrowser: {url}/\n"
                   "Press Ctrl-C to stop.")

    limits = Limits(timeout=timeout, queries=queries, connections=max_connections)
    run(project, port, DEFAULT_GRAPH_IRI, on_ready=ready, notify=_notify, bind=bind,
        allow_service=allow_service, limits=limits)
    click.echo("stopped", err=True)
