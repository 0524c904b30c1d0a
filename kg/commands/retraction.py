"""`dta-kg retract` and `dta-kg restore`: withdraw a fact or a study, and undo a retraction."""

from __future__ import annotations

import click

from dta_kg.commands.options import project_options

# lazy: commands import the library when they run; `dta-kg --help` imports every command module


@click.command()
@project_options
@click.argument("target")
@click.option("--reason", help="Why it is withdrawn (stored with your name and the time).")
def retract(project, target, reason):
    """Retract a fact (DOI#FACT-ID) or a study and all its facts (DOI).

    The fact stays in its record, marked retracted; queries and views leave it out unless
    asked to include retracted facts.

    \b
    Example:
        dta-kg retract 10.2196/12345#bond-wai-sr --reason "misread the table"
    """
    from dta_kg.curation import curate

    ids = curate.retract(project, target, reason, curate.curator())
    click.echo(f"Retracted {len(ids)} fact(s): {', '.join(ids)}" if ids else "Retracted")


@click.command()
@project_options
@click.argument("target")
@click.option("--reason", help="Why the fact stands again (stored with your name and the time).")
def restore(project, target, reason):
    """Undo the retraction of a fact (DOI#FACT-ID); the record keeps who restored it and why.

    \b
    Example:
        dta-kg restore 10.2196/12345#bond-wai-sr --reason "the table was read right after all"
    """
    from dta_kg.curation.coding import restore as restore_fact
    from dta_kg.curation.curate import curator

    fact = restore_fact(project, target, reason, curator())
    click.echo(f"Restored {fact}")
