"""`dta-kg view`, `dta-kg map` and `dta-kg docs`: self-contained HTML pages."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import MIN_CONFIDENCE, SCOPE, project_options
from dta_kg.core.files import check_file, check_folder, write_folder
from dta_kg.core.paths import ONTOLOGY

if TYPE_CHECKING:
    from dta_kg.core.paths import Project
    from dta_kg.pipeline.projection import PropertyGraph

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

OUTPUT = click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
                      help="The HTML file to write.")
TITLE = "dta-kg"


def _notify(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@OUTPUT
@click.option("--focus", metavar="KEY",
              help="Only the neighbourhood of one node: a study DOI, a component, an instrument "
                   "or a factor, by id or label.")
@click.option("--depth", type=click.IntRange(min=1),
              help="Hops kept around the focus [default: 2].")
@click.option("--include-retracted", is_flag=True,
              help="Also show facts a curator retracted (left out by default).")
@click.option("--facts", is_flag=True,
              help="Draw the whole graph fact by fact (every report and finding a node) instead "
                   "of the overview.")
@SCOPE
@project_options
def view(output: Path, focus: str | None, depth: int | None, include_retracted: bool, facts: bool,
         scope: str, project: Project) -> None:
    """Write an interactive view of the graph: an overview, or the part around --focus.

    The overview draws the studies and the concepts they connect to (components, instruments,
    factor concepts, designs, intervention types), each study's facts folded into one labelled
    edge per concept ("informs", "measured with", "facilitator", "barrier", ...); click an edge
    for the facts and their quotes. --facts draws every fact as a node instead. Node types have
    their own colour and shape; click a node for its citation, DOI and the quoted evidence;
    search, and filter by node type and by component. The page works offline.

    \b
    Example:
        dta-kg view -o build/views/graph.html
        dta-kg view -o facts.html --facts
        dta-kg view -o beatty.html --focus 10.3389/fdgth.2022.847991
        dta-kg view -o bond.html --focus "therapeutic bond" --depth 1
        dta-kg view -o living.html --scope living
    """
    from dta_kg.pipeline.projection import scoped
    from dta_kg.views import render_network, render_overview
    from dta_kg.views.source import load_neighbourhood, load_projection

    if depth is not None and focus is None:
        raise click.UsageError("--depth needs --focus")
    if facts and focus is not None:
        raise click.UsageError("--facts draws the whole graph; a --focus view always shows facts")
    check_file(output)  # before any work
    title = f"{TITLE}: the digital therapeutic alliance knowledge graph"
    if focus is None:
        pgraph = scoped(load_projection(project, include_retracted=include_retracted,
                                        notify=_notify), scope)
        if not facts:
            click.echo(render_overview(pgraph, output, title=title))
            return
    else:  # only the neighbourhood is read from the store
        depth = 2 if depth is None else depth
        try:
            pgraph, (focus,) = load_neighbourhood(project, [focus], depth, scope=scope,
                                                  include_retracted=include_retracted,
                                                  notify=_notify)
        except KeyError:
            whole = scoped(load_projection(project, include_retracted=include_retracted), scope)
            raise click.BadParameter(_no_match(whole, focus), param_hint="--focus") from None
        node = pgraph.node(focus)
        assert node is not None  # load_neighbourhood found `focus` among the nodes it read
        title = f"{TITLE}: {node.props['label']}"
    click.echo(render_network(pgraph, output, title=title, focus=focus, depth=depth))


@click.command("map")
@OUTPUT
@SCOPE
@MIN_CONFIDENCE
@project_options
def gap_map(output: Path, scope: str, min_confidence: str, project: Project) -> None:
    """Write the evidence gap map: DTA components against intervention types and instruments.

    Each cell counts the studies (retracted facts left out) and lists them, linked to a focused
    view of each study written to studies/ beside the map; the review's stated counts are shown
    next to the counts of the review's own studies (studies added later are never counted
    against them). A cell whose studies all rest on a curator's inference is shaded apart,
    and each study in a cell says its basis; --min-confidence leaves out the facts less sure.

    \b
    Example:
        dta-kg map -o build/views/gap-map.html
        dta-kg map -o living.html --scope living
        dta-kg map -o stated.html --min-confidence stated
    """
    from dta_kg.views import render_focus_pages, render_gap_map
    from dta_kg.views.source import gap_map_data, load_projection

    studies = output.parent / "studies"
    check_file(output)  # both checked before any page is written
    check_folder(studies)
    data = gap_map_data(project, scope=scope, notify=_notify, min_confidence=min_confidence)
    pages = render_focus_pages(load_projection(project), studies,
                               [s["id"] for s in data["studies"]], title=f"{TITLE}: {{label}}")
    click.echo(render_gap_map(path=output, title=f"{TITLE}: evidence gap map",
                              study_links=pages, **data))


@click.command()
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write index.html to.")
@click.option("--ontology", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The ontology in Turtle [default: ontology/dta.ttl].")
@click.option("--no-examples", is_flag=True,
              help="Leave out the worked examples (which need the built graph).")
@project_options
def docs(output: Path, ontology: Path | None, no_examples: bool, project: Project) -> None:
    """Write HTML documentation of every class and property of the ontology, and of
    its controlled vocabulary with one worked example per main class (vocabulary.html).

    \b
    Example:
        dta-kg docs -o build/docs
    """
    from dta_kg.views.docs import PAGE, read_ontology, write_docs
    from dta_kg.views.examples import worked_examples

    check_folder(output)
    graph = read_ontology(ontology or ONTOLOGY)
    examples = None if no_examples else worked_examples(project)
    write_folder(output, lambda folder: write_docs(folder, graph, examples))
    click.echo(output / PAGE)


def _no_match(pgraph: PropertyGraph, key: str) -> str:
    names = {str(n.props.get(k)) for n in pgraph.nodes for k in ("label", "doi") if n.props.get(k)}
    close = difflib.get_close_matches(key, sorted(names), n=5, cutoff=0.5)
    hint = f"; did you mean: {', '.join(repr(c) for c in close)}?" if close else ""
    return f"no study, component, instrument or factor matches {key!r}{hint}"
