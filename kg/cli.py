"""The `dta-kg` command: a thin click layer over the library, loading commands lazily."""

from __future__ import annotations

import importlib
import re
import signal
import threading
from typing import Any

import click

from dta_kg.core.errors import DtaKgError, ValidationFailed, redact

# command name -> "module:attribute"; modules import heavy libraries only inside commands
COMMANDS = {
    "build": "dta_kg.commands.graph:build",
    "validate": "dta_kg.commands.graph:validate",
    "init": "dta_kg.commands.graph:init",
    "query": "dta_kg.commands.query:query",
    "studies": "dta_kg.commands.query:studies",
    "sparql": "dta_kg.commands.query:sparql",
    "cypher": "dta_kg.commands.query:cypher",
    "vocab": "dta_kg.commands.query:vocab",
    "study": "dta_kg.commands.study_facts:study",
    "finding": "dta_kg.commands.study_facts:finding",
    "factor": "dta_kg.commands.study_facts:factor",
    "instrument": "dta_kg.commands.instruments:instrument",
    "retract": "dta_kg.commands.retraction:retract",
    "restore": "dta_kg.commands.retraction:restore",
    "check": "dta_kg.commands.check:check",
    "source": "dta_kg.commands.source_text:source",
    "suggest": "dta_kg.commands.suggest:suggest",
    "bench": "dta_kg.commands.bench:bench",
    "view": "dta_kg.commands.views:view",
    "map": "dta_kg.commands.views:gap_map",
    "docs": "dta_kg.commands.views:docs",
    "export": "dta_kg.commands.export:export",
    "neo4j": "dta_kg.commands.export:neo4j",
    "sparql-store": "dta_kg.commands.export:sparql_store",
    "serve": "dta_kg.commands.export:serve",
    "compare": "dta_kg.commands.site:compare",
    "diff": "dta_kg.commands.site:diff",
    "release": "dta_kg.commands.site:release",
    "site": "dta_kg.commands.site:site",
    "screen": "dta_kg.commands.screen:screen",
    "prisma": "dta_kg.commands.screen:prisma",
}


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """An error message safe to print: no password, and control characters (a terminal
    escape, a bell) shown as \\xNN rather than sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", redact(text))


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when listed or run."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, _, attr = self.lazy[name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ValidationFailed as exc:
            for problem in exc.problems:
                click.echo(f"  - {one_line(problem)}", err=True)
            raise click.ClickException(one_line(str(exc))) from exc
        except DtaKgError as exc:
            raise click.ClickException(one_line(str(exc))) from exc


def exit_on_sigterm() -> None:
    """Make SIGTERM end the process as Ctrl-C does, through Python's cleanup: a folder or file
    being written removes its temporary copy (SIGTERM's default ends the process on the spot)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dta-kg")
def main() -> None:
    """dta-kg: a knowledge graph of the digital therapeutic alliance (DTA) research.

    \b
    Example:
        dta-kg build
        dta-kg studies --component bond --instrument WAI-SR
    """
    exit_on_sigterm()
