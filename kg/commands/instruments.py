"""The curator's command `instrument add`: a new instrument, and the components its subscales
measure, in the records' instruments.yaml."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

from dta_kg.commands.options import project_options
from dta_kg.commands.study_facts import note_option, quote_options

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project
    from dta_kg.curation.curate import Quote


@click.group()
def instrument() -> None:
    """Add instruments (and the components their subscales measure) to the vocabulary.

    \b
    Example:
        dta-kg instrument add "Chatbot Alliance Scale" --alt-label CAS --measures bond \\
            --definition "..." --source 10.2196/12345 --section Methods --quote "..."
    """


@instrument.command("add")
@project_options
@click.argument("label")
@click.option("--id", "instrument_id", help="Its id [default: from the first --alt-label].")
@click.option("--alt-label", "alt_labels", multiple=True, help="Another name, e.g. an acronym.")
@click.option("--measures", multiple=True, help="A component it measures (repeatable).")
@click.option("--subscale", "subscales", multiple=True,
              help="ID:COMPONENT[:LABEL], a subscale and the component it measures.")
@click.option("--definition", help="What the instrument is, in one sentence.")
@quote_options
@note_option
def instrument_add(project: Project, label: str, instrument_id: str | None,
                   alt_labels: tuple[str, ...], measures: tuple[str, ...],
                   subscales: tuple[str, ...], definition: str | None, quote: Quote,
                   note: str | None) -> None:
    """Add an instrument to records/instruments.yaml.

    \b
    Example:
        dta-kg instrument add "Chatbot Alliance Scale" --alt-label CAS \\
            --subscale cas-bond:bond --subscale cas-goal:goal-alignment \\
            --definition "A scale of the alliance between users and chatbots." \\
            --source 10.2196/12345 --section Methods --quote "the Chatbot Alliance Scale"
    """
    from dta_kg.curation.curate import curator
    from dta_kg.curation.instruments import SubscaleSpec, add_instrument

    # cast: the library refuses a missing --definition itself (Where.need takes str | None) but its
    # parameter says str; drop the cast when add_instrument says str | None
    ids = add_instrument(project, label, measures=measures, definition=cast(str, definition),
                         quote=quote,
                         by=curator(), instrument_id=instrument_id, alt_labels=alt_labels,
                         subscales=tuple(SubscaleSpec.parse(s) for s in subscales), note=note)
    click.echo(f"Added {', '.join(ids)} to {project.instruments}")
