"""Options shared by several commands, as decorators."""

from __future__ import annotations

import functools
import io
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar, cast

import click

from dta_kg.core.basis import UNGIVEN
from dta_kg.core.files import guarding
from dta_kg.core.iris import DEFAULT_GRAPH_IRI
from dta_kg.core.limits import open_regular
from dta_kg.core.output import default_format
from dta_kg.core.paths import Project
from dta_kg.core.registry import CHOICES
from dta_kg.query.guards import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, Limits

F = TypeVar("F", bound=Callable[..., object])
# Each decorator below returns a wrapper that click calls by keyword with the options it adds and
# that calls the command with the argument it builds from them (e.g. --records and --build-dir in,
# `project` out). That exchange of keywords has no static type (Concatenate adds positional
# parameters only), so the wrapper is cast to the command's own type, as click's own decorators
# type a decorated command.


class RegularFile(click.File):
    """click.File for reading UTF-8 text ("-" is standard input) that refuses, before reading,
    a path that is not a regular file (a FIFO with no writer would block, a device never end)."""

    def __init__(self) -> None:
        super().__init__("r", encoding="utf-8")

    def convert(self, value: str | os.PathLike[str] | IO[Any], param: click.Parameter | None,
                ctx: click.Context | None) -> IO[Any]:
        if not isinstance(value, (str, Path)) or str(value) == "-":
            return super().convert(value, param, ctx)
        try:
            binary = open_regular(value)
        except OSError as exc:
            raise click.ClickException(f"{value}: cannot be read ({exc.strerror})") from None
        stream = io.TextIOWrapper(binary, encoding="utf-8")
        if ctx is not None:
            ctx.call_on_close(stream.close)
        return stream


def project_options(func: F) -> F:
    """--records and --build-dir, passed to the command as one `project` argument; while the
    command runs, no output may touch its records folder or its build's stores."""

    @click.option("--records", "records_dir", type=click.Path(file_okay=False, path_type=Path),
                  envvar="DTA_KG_RECORDS",
                  help="Folder of curated records [default: the records shipped with dta-kg; "
                       "`dta-kg init DIR` copies them for editing].")
    @click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path),
                  envvar="DTA_KG_BUILD",
                  help="Folder for the built graph [default: build/ in a checkout, else a "
                       "per-user data folder].")
    @functools.wraps(func)
    def wrapper(*args: object, records_dir: Path | None = None, build_dir: Path | None = None,
                **kwargs: object) -> object:
        project = Project.of(records_dir, build_dir)
        with guarding(project):
            return func(*args, project=project, **kwargs)

    return cast(F, wrapper)


def format_option(func: F) -> F:
    """--format, passed as `fmt`: a table on a terminal and JSON otherwise, unless given."""

    @click.option("--format", "fmt", type=click.Choice(CHOICES["output formats"]),
                  help="Output format [default: table on a terminal, JSON otherwise]; JSON is a "
                       "list of objects.")
    @functools.wraps(func)
    def wrapper(*args: object, fmt: str | None = None, **kwargs: object) -> object:
        return func(*args, fmt=fmt or default_format(), **kwargs)

    return cast(F, wrapper)


ENDPOINT = click.option(
    "--endpoint", metavar="URL",
    help="Ask this SPARQL endpoint instead of the embedded store (credentials, if needed: "
         "DTA_KG_SPARQL_USER, DTA_KG_SPARQL_PASSWORD, DTA_KG_SPARQL_AUTH=basic|digest).")
GRAPH = click.option(
    "--graph", metavar="IRI", default=DEFAULT_GRAPH_IRI, show_default=True,
    help="With --endpoint: the named graph to read ('' for the endpoint's default graph).")
NEO4J_URI = click.option(
    "--neo4j-uri", metavar="URI",
    help="Ask this Bolt server (Neo4j, FalkorDB) instead of the embedded engine; credentials "
         "from NEO4J_USERNAME and NEO4J_PASSWORD.")


def remote_options(func: F) -> F:
    """--endpoint, --graph and --neo4j-uri, passed as one `remote` dict (empty: embedded stores)."""

    @ENDPOINT
    @GRAPH
    @NEO4J_URI
    @functools.wraps(func)
    def wrapper(*args: object, endpoint: str | None = None, graph: str | None = None,
                neo4j_uri: str | None = None, **kwargs: object) -> object:
        if endpoint and neo4j_uri:
            raise click.UsageError("give --endpoint (SPARQL) or --neo4j-uri (Cypher), not both")
        remote: dict[str, str | None] = ({"endpoint": endpoint, "graph": graph or None}
                                         if endpoint else {})
        if neo4j_uri:
            remote = {"neo4j_uri": neo4j_uri}
        return func(*args, remote=remote, **kwargs)

    return cast(F, wrapper)


CROSSREF_URL = click.option(
    "--crossref-url", metavar="URL",
    help="The Crossref API base URL [default: DTA_KG_CROSSREF_URL or https://api.crossref.org]; "
         "DTA_KG_MAILTO is the contact sent in the User-Agent.")

SCOPE = click.option("--scope", type=click.Choice(CHOICES["scopes"]), default="all",
                     show_default=True,
                     help="The review's own studies, those added after it (the living review), "
                          "or all.")


MIN_CONFIDENCE = click.option(
    "--min-confidence", type=click.Choice(CHOICES["confidence levels"]), default=UNGIVEN,
    show_default=True,
    help="Keep only what rests on facts at least this sure: stated (the source says it), or "
         "a curator's inference of high, medium or low confidence (low: everything; each row "
         "says its basis and confidence either way).")


def on_terminal() -> bool:
    """True when a person can answer a prompt (stdin is a terminal)."""
    return sys.stdin.isatty()


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A number of seconds, not `nan` or `inf` (which FloatRange lets through)."""
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds: give one, such as 30")
    return value


def limit_options(func: F) -> F:
    """--timeout and --max-rows, passed as one `limits` argument."""
    @click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
                  show_default=True, callback=_finite, help="Stop the query after this many seconds.")
    @click.option("--max-rows", type=click.IntRange(min=1), default=DEFAULT_MAX_ROWS,
                  show_default=True, help="Stop the query when it returns more rows than this.")
    @functools.wraps(func)
    def wrapper(*args: object, timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS,
                **kwargs: object) -> object:
        return func(*args, limits=Limits(timeout=timeout, max_rows=max_rows), **kwargs)

    return cast(F, wrapper)
