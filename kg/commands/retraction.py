"""`dta-kg retract` and `dta-kg restore`: withdraw a fact or a study, and undo a retraction."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from dta_kg.commands.options import project_options

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project


@click.command()
@project_options
@click.argument("target")
@click.option("--reason", help="Why it is withdrawn (stored with your name and the time).")
def retract(project: Project, target: str, reason: str | None) -> None:
    """Retract a fact (DOI#FACT-ID) or a study and all its facts (DOI).

    The fact stays in its record, marked retracted; queries and views leave it out unless
    asked to include retracted facts.

    \b
    Example:
        dta-kg retract 10.2196/12345#bond-wai-sr --reason "misread the table"
    """
    from dta_kg.curation import curate

    # cast: the library refuses a missing --reason itself (Where.need takes str | None) but its
    # parameter says str; drop the cast when curate.retract says str | None
    ids = curate.retract(project, target, cast(str, reason), curate.curator())
    click.echo(f"Retracted {len(ids)} fact(s): {', '.join(ids)}" if ids else "Retracted")


@click.command()
@project_options
@click.argument("target")
@click.option("--reason", help="Why the fact stands again (stored with your name and the time).")
def restore(project: Project, target: str, reason: str | None) -> None:
    """Undo the retraction of a fact (DOI#FACT-ID); the record keeps who restored it and why.

    \b
    Example:
        dta-kg restore 10.2196/12345#bond-wai-sr --reason "the table was read right after all"
    """
    from dta_kg.curation.coding import restore as restore_fact
    from dta_kg.curation.curate import curator

    # cast: the library refuses a missing --reason itself (Where.need takes str | None) but its
    # parameter says str; drop the cast when coding.restore says str | None
    fact = restore_fact(project, target, cast(str, reason), curator())
    click.echo(f"Restored {fact}")
