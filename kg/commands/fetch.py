"""`dta-kg study add --fetch`: the Crossref look-up, shown for confirmation (click only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project


def add_fetched(project: Project, doi: str | None, crossref_url: str | None, yes: bool,
                terminal: bool, note: str | None, ref: int | None, **given: object) -> None:
    """Fetch `doi` from Crossref, show it, ask (unless `yes`), then add it; `given` fields win."""
    from dta_kg.core.iris import normalise_doi
    from dta_kg.curation.crossref import describe, fetch_entry
    from dta_kg.curation.curate import add_study, curator

    if not doi:
        raise click.UsageError("--fetch needs --doi")
    if not yes and not terminal:
        raise click.UsageError("--fetch asks for confirmation on a terminal; give --yes to "
                               "add what Crossref returns without asking")
    entry = fetch_entry(doi, base_url=crossref_url, **given)
    click.echo(f"Crossref: {describe(entry)}")
    if not yes:
        click.confirm("Add this study?", abort=True)
    path = add_study(project, entry, curator(), note, ref)
    click.echo(f"Added {normalise_doi(entry.doi or doi)} in {path}")
