"""`dta-kg query list|show|run`, `dta-kg studies`, `dta-kg sparql` and `dta-kg cypher`."""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from dta_kg.commands.options import (
    ENDPOINT,
    GRAPH,
    MIN_CONFIDENCE,
    SCOPE,
    RegularFile,
    format_option,
    limit_options,
    project_options,
    remote_options,
)
from dta_kg.core.registry import CHOICES, REFERENCE_FORMATS

if TYPE_CHECKING:
    from dta_kg.core.paths import Project
    from dta_kg.query.guards import Limits
    from dta_kg.query.rows import Result, Stream
    from dta_kg.query.session import Session

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

LANGUAGE = click.option("--lang", type=click.Choice(CHOICES["query languages"]), default="sparql",
                        show_default=True, help="Run the SPARQL or the Cypher version.")
RETRACTED = click.option("--include-retracted", is_flag=True,
                         help="Also use facts a curator retracted (left out by default).")


def _session(project: Project, remote: dict[str, str | None] | None = None, limits: Limits | None = None,
             allow_service: bool = False, min_confidence: str = "low") -> Session:
    notify = lambda message: click.echo(message, err=True)  # noqa: E731
    if remote:
        from dta_kg.query.remote import RemoteSession

        session = RemoteSession(project, notify, **remote, min_confidence=min_confidence,
                                allow_service=allow_service, limits=limits)
        click.get_current_context().call_on_close(session.close)
        return session
    from dta_kg.query.session import Session

    return Session(project, notify=notify, limits=limits, allow_service=allow_service,
                   min_confidence=min_confidence)


def _language(lang: str, remote: dict[str, str | None]) -> str:
    """The query language a remote store takes: SPARQL for --endpoint, Cypher for --neo4j-uri."""
    want = "cypher" if "neo4j_uri" in remote else "sparql" if remote else lang
    source = click.get_current_context().get_parameter_source("lang")
    if want != lang and source is not click.core.ParameterSource.DEFAULT:
        option = "--neo4j-uri" if want == "cypher" else "--endpoint"
        raise click.UsageError(f"{option} runs the {want} version; leave out --lang {lang}")
    return want


def _emit(result: Result, fmt: str) -> None:
    from dta_kg.core.output import render

    click.echo(render(result.rows, fmt, result.columns))


def _emit_stream(stream: Stream, fmt: str) -> None:
    """Write the rows of `stream` as they come (json, csv, tsv and markdown; a table measures
    every row first), flushing the first at once so that a reader sees it."""
    import sys

    from dta_kg.core.output import render_chunks

    out = sys.stdout
    try:  # a closed pipe (`| head`) ends the command quietly: click handles EPIPE
        for count, chunk in enumerate(render_chunks(stream.rows, fmt, stream.columns)):
            out.write(chunk)
            if count < 2:
                out.flush()
        out.flush()
    finally:
        stream.close()


def _query_text(text: str | None, file: IO[str] | None) -> str:
    if (text is None) == (file is None):
        raise click.UsageError("give the query as an argument or with -f FILE, not both")
    if file is None:
        return str(text)
    from dta_kg.core.limits import QUERY_BYTES, read_stream

    try:
        return read_stream(file, QUERY_BYTES, "a query", "give a query file, not a data file")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file.name}: is not UTF-8 text; save the query as UTF-8 "
                                   "text") from None


@click.group()
def query() -> None:
    """The catalogue of named questions, each in SPARQL and in Cypher (queries/).

    \b
    Example:
        dta-kg query list
        dta-kg query show studies-by-component
        dta-kg query run studies-by-component -p component=bond
    """


@query.command("list")
@format_option
def list_queries(fmt: str) -> None:
    """List the named questions with their parameters and an example.

    \b
    Example:
        dta-kg query list
        dta-kg query list --format markdown
    """
    from dta_kg.core.output import render
    from dta_kg.queries.catalogue import listing

    click.echo(render(listing(), fmt))


@query.command("show")
@click.argument("name")
@click.option("--lang", type=click.Choice(CHOICES["query languages"]),
              help="Show only this version [default: both].")
def show(name: str, lang: str | None) -> None:
    """Print the text of the named question NAME.

    \b
    Example:
        dta-kg query show study-evidence --lang cypher
    """
    from dta_kg.queries.catalogue import get

    texts = get(name).texts
    click.echo("\n".join(texts[k].rstrip() for k in ([lang] if lang else texts)))


@query.command("run")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value (repeatable); terms by id, label or alternative label.")
@LANGUAGE
@RETRACTED
@click.option("--view", "view_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an HTML view of the graph around what the result names.")
@click.option("--unordered", is_flag=True,
              help="Write the rows in the order the SPARQL engine finds them, leaving out the "
                   "question's final sort, so that the first row of a large answer comes at "
                   "once.")
@MIN_CONFIDENCE
@remote_options
@limit_options
@format_option
@project_options
def run(name: str, params: tuple[str, ...], lang: str, include_retracted: bool,
        view_path: Path | None, unordered: bool, min_confidence: str, remote: dict[str, str | None],
        limits: Limits, fmt: str, project: Project) -> None:
    """Run the named question NAME with its parameters.

    An answer that lists studies or facts says in its basis and confidence columns what each
    row rests on (stated, or inferred with a confidence), the weakest fact of the row;
    --min-confidence keeps the rows at least that sure.

    With --endpoint it runs unchanged on a SPARQL store, with --neo4j-uri on a Bolt server
    (parameters are resolved against the local build).

    \b
    Rows are written as they are read with --format json, csv, tsv or markdown; a table
    measures every row first. A question that sorts its rows reads them all before writing
    the first; with --unordered the first row comes at once.

    \b
    Example:
        dta-kg query run studies-by-instrument -p instrument=WAI-SR
        dta-kg query run study-evidence -p study=10.3389/fdgth.2022.847991 --lang cypher
        dta-kg query run studies -p component=bond --endpoint http://localhost:7878/query
        dta-kg query run studies-by-component -p component=bond --unordered --format csv
        dta-kg query run studies-by-instrument -p instrument=UES --view ues.html
        dta-kg query run studies-by-design -p design=rct --min-confidence stated
    """
    from dta_kg.queries.catalogue import get

    given = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not KEY=VALUE", param_hint="-p")
        given[key.strip()] = value
    if include_retracted and any(p.name == "include_retracted" for p in get(name).params):
        given["include_retracted"] = "true"
    if view_path:
        from dta_kg.core.files import check_file

        check_file(view_path)  # before the query runs
    session = _session(project, remote, limits, min_confidence=min_confidence)
    if not view_path:
        _emit_stream(session.stream(name, given, _language(lang, remote), not unordered), fmt)
        return
    result = session.named(name, given, _language(lang, remote))
    _emit(result, fmt)
    if view_path:
        click.echo(f"Wrote {_view(project, name, result, view_path, include_retracted)}", err=True)


def _view(project: Project, name: str, result: Result, path: Path, include_retracted: bool) -> Path:
    from dta_kg.core.errors import DtaKgError
    from dta_kg.views import render_result
    from dta_kg.views.source import load_result_neighbourhood

    graph = load_result_neighbourhood(project, result.rows, 1, include_retracted=include_retracted)
    try:
        return render_result(graph, result.rows, path, title=f"dta-kg: {name}")
    except KeyError as exc:
        raise DtaKgError(f"--view: {exc.args[0]}; nothing to draw") from exc


@click.command()
@click.option("--component", help="A DTA component: goal alignment, task agreement, bond, ...")
@click.option("--instrument", help="An instrument, subscale or metric (used for that component).")
@click.option("--factor", help="Words of a facilitator or barrier: its label, a synonym or the "
                                "review's wording (not its theme).")
@click.option("--theme", help="A factor theme, e.g. 'accessibility and anonymity'.")
@click.option("--polarity", help="facilitator or barrier (of that factor, when one is given).")
@click.option("--intervention-type", help="An intervention theme, e.g. 'AI-powered chatbots'.")
@click.option("--design", help="A study design, e.g. 'randomised controlled trial'.")
@click.option("--year-from", type=int, help="First publication year.")
@click.option("--year-to", type=int, help="Last publication year.")
@SCOPE
@click.option("--lang", type=click.Choice(CHOICES["query languages"]),
              help="Run the SPARQL or the Cypher version [default: on the embedded stores, the "
                   "faster one for the graph's size (Cypher above about 15,000 studies), which "
                   "answer the same rows; SPARQL with --endpoint].")
@RETRACTED
@MIN_CONFIDENCE
@remote_options
@limit_options
@click.option("--format", "fmt", type=click.Choice(CHOICES["studies formats"]),
              help="Output format [default: table on a terminal, JSON otherwise]; bibtex, ris "
                   "and csl-json write the studies for a reference manager (Zotero, JabRef, "
                   "EndNote).")
@project_options
def studies(lang: str | None, include_retracted: bool, min_confidence: str, remote: dict[str, str | None],
            limits: Limits, fmt: str | None, project: Project, **filters: str | int | None) -> None:
    """List the studies that match every filter given, with DOI, short citation and set
    (review: included by the review; living: added after it), and what each match rests on:
    basis stated, or inferred with a confidence (the weakest of the facts it matched on).

    A value may be an id, a label or an alternative label, in any case. An unknown value
    is an error that lists the closest valid choices. With --format bibtex, ris or csl-json
    the studies are written with their authors, venue, year, volume, issue, pages and DOI.

    \b
    Example:
        dta-kg studies --component bond --instrument WAI-SR
        dta-kg studies --factor anonymity --polarity facilitator --year-from 2023
        dta-kg studies --theme "accessibility and anonymity"
        dta-kg studies --scope living
        dta-kg studies --component bond --format bibtex > bond.bib
        dta-kg studies --design "randomised controlled trial" --min-confidence medium
    """
    from dta_kg.core.output import default_format

    fmt = fmt or default_format()
    given = {key: str(value) for key, value in filters.items() if value is not None}
    given["include_retracted"] = str(include_retracted)
    session = _session(project, remote, limits, min_confidence=min_confidence)
    if lang is None and not remote:
        from dta_kg.stores.local import fastest_language

        lang = fastest_language(project)
    result = session.named("studies", given, _language(lang or "sparql", remote))
    if fmt in REFERENCE_FORMATS:
        from dta_kg.loaders.reference_files import write_references
        from dta_kg.query.references import study_entries

        local = session if not remote else _session(project)
        entries = study_entries(local, [r["doi"] for r in result.rows])
        click.echo(write_references(entries, fmt), nl=False)
        return
    _emit(result, fmt)


@click.command()
@click.argument("text", metavar="QUERY", required=False)
@click.option("-f", "--file", type=RegularFile(), help="Read the query from FILE.")
@ENDPOINT
@GRAPH
@click.option("--allow-service", is_flag=True,
              help="Let SERVICE clauses fetch from other endpoints (off: no outbound requests).")
@limit_options
@format_option
@project_options
def sparql(text: str | None, file: IO[str] | None, endpoint: str | None, graph: str | None,
           allow_service: bool, limits: Limits, fmt: str, project: Project) -> None:
    """Run a read-only SPARQL query on the graph (SPARQL Update is refused).

    The usual prefixes (dta:, dtar:, rdfs:, skos:, bibo:, ...) need no declaration.
    Ad-hoc queries see every fact; retracted ones carry dta:retracted true.

    \b
    Example:
        dta-kg sparql 'SELECT ?doi WHERE { ?s a dta:Study ; bibo:doi ?doi }'
        dta-kg sparql -f my-question.rq --format csv
        dta-kg sparql --endpoint http://localhost:7878/query 'ASK { ?s a dta:Study }'
    """
    remote = {"endpoint": endpoint, "graph": graph or None} if endpoint else {}
    _emit(_session(project, remote, limits, allow_service).sparql(_query_text(text, file)), fmt)


@click.command()
@click.argument("text", metavar="QUERY", required=False)
@click.option("-f", "--file", type=RegularFile(), help="Read the query from FILE.")
@click.option("--neo4j-uri", metavar="URI",
              help="Send the query to this Neo4j server instead; the credentials come from "
                   "NEO4J_USERNAME and NEO4J_PASSWORD.")
@click.option("--schema", is_flag=True,
              help="Print the node labels and relationship types with their properties.")
@limit_options
@format_option
@project_options
def cypher(text: str | None, file: IO[str] | None, neo4j_uri: str | None, schema: bool,
           limits: Limits, fmt: str, project: Project) -> None:
    """Run a Cypher query on the embedded property graph (read-only), or on Neo4j.

    Ad-hoc queries see every fact; retracted ones have retracted = true. --schema lists
    what there is to query: labels, relationship types, typed properties.

    \b
    Example:
        dta-kg cypher 'MATCH (s:Study) RETURN s.shortCitation AS study, s.doi AS doi'
        dta-kg cypher -f my-question.cypher --neo4j-uri bolt://localhost:7687
        dta-kg cypher --schema --format markdown
        dta-kg cypher --timeout 5 --max-rows 1000 'MATCH (a), (b) RETURN a.iri, b.iri'
    """
    if schema:
        if text or file or neo4j_uri:
            raise click.UsageError("--schema takes no query and reads the embedded database")
        from dta_kg.query.schema import cypher_schema

        _emit(cypher_schema(_session(project)), fmt)
        return
    source = _query_text(text, file)
    if neo4j_uri:
        from dta_kg.query.remote import neo4j_rows

        _emit(neo4j_rows(neo4j_uri, source, limits), fmt)
    else:
        _emit(_session(project, limits=limits).cypher(source, isolated=True), fmt)


@click.command()
@click.argument("name", metavar="LIST", required=False, type=click.Choice(CHOICES["vocabulary lists"]))
@format_option
@project_options
def vocab(name: str | None, fmt: str, project: Project) -> None:
    """List the valid terms of a controlled list, with their labels and synonyms.

    Without LIST, the lists and how many terms each has. Any label or synonym (any case)
    is accepted where a term is asked for.

    \b
    Example:
        dta-kg vocab
        dta-kg vocab components
        dta-kg vocab instruments --format csv
    """
    from dta_kg.query.vocab import terms, vocab_lists

    session = _session(project)
    _emit(terms(session, name) if name else vocab_lists(session), fmt)
