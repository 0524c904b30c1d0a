"""`dta-kg source add`: register the text of a document that records quote."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import project_options

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project


@click.group()
def source() -> None:
    """Texts of the documents records quote, besides the review.

    \b
    Example:
        dta-kg source add 10.2196/12345 --text smith-2025.txt
    """


@source.command("add")
@click.argument("doi")
@click.option("--text", "text_file", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The document's text, as UTF-8.")
@project_options
def source_add(doi: str, text_file: Path, project: Project) -> None:
    """Register the text of the document DOI, so that quotes from it are checked verbatim.

    Without it, a quote from that document is marked unverified (dta:quoteVerified false).
    Every record already quoting the document must quote this text, or nothing is written.

    \b
    Example:
        dta-kg source add 10.2196/12345 --text smith-2025.txt
    """
    from dta_kg.curation.sources import add_source

    click.echo(f"Registered the text of {doi} as {add_source(project, doi, text_file)}")
