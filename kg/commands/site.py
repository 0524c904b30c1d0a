"""`dta-kg compare`, `dta-kg diff`, `dta-kg release` and `dta-kg site`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import MIN_CONFIDENCE, format_option, project_options
from dta_kg.core.registry import CHOICES

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project

RETRACTED = click.option("--include-retracted", is_flag=True,
                         help="Also use facts a curator retracted (left out by default).")


def _notify(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@click.option("--component", metavar="NAME",
              help="Only studies reporting this component, by id, label or short name "
                   "(bond, goal, task, engagement, ...) [default: every component].")
@RETRACTED
@MIN_CONFIDENCE
@format_option
@project_options
def compare(component: str | None, include_retracted: bool, min_confidence: str, fmt: str,
            project: Project) -> None:
    """The comparison table: one row per study, with the instruments, subscales and results
    of its findings, its design, population and intervention type, and what the row stands
    on (basis and confidence: the weakest of its facts). --min-confidence leaves out the facts
    less sure than that.

    \b
    Example:
        dta-kg compare --component bond --format table
        dta-kg compare --format csv > comparison.csv
        dta-kg compare --component bond --min-confidence high
    """
    from dta_kg.core.output import render
    from dta_kg.site.compare import COLUMNS, vocabulary
    from dta_kg.site.compare import compare as table
    from dta_kg.site.snapshot import read_project

    snap = read_project(project, _notify).at_least(min_confidence)
    wanted = vocabulary(snap).resolve("component", component) if component else None
    click.echo(render(table(snap, wanted, include_retracted=include_retracted), fmt, COLUMNS))


@click.command()
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(CHOICES["diff formats"]), default="table",
              show_default=True, help="Output format; the changelog of a release is the Markdown.")
@project_options
def diff(old: Path, new: Path | None, fmt: str, project: Project) -> None:
    """What changed from OLD to NEW, two builds or releases (folders holding dta-kg.nt) or RDF
    files: studies added and removed; facts added, added and retracted (both between OLD and
    NEW), retracted, restored, changed and removed,
    each with its evidence and curator. Without NEW, the project's current build.

    \b
    Example:
        dta-kg diff releases/1.0.0 releases/1.1.0 --format markdown
        dta-kg diff releases/1.0.0
    """
    from dta_kg.site.diff import diff as compute
    from dta_kg.site.diff import render_diff
    from dta_kg.site.snapshot import read_path, read_project

    before = read_path(old)
    after = read_path(new) if new is not None else read_project(project, _notify)
    click.echo(render_diff(compute(before, after, str(old), str(new or project.build)), fmt))


@click.command()
@click.option("--version", "version", required=True, metavar="X.Y.Z", help="The release's version.")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the release to, e.g. releases/1.0.0.")
@click.option("--previous", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The earlier release the changelog starts from [default: the highest X.Y.Z "
                   "folder beside --output below this version].")
@project_options
def release(version: str, output: Path, previous: Path | None, project: Project) -> None:
    """Write a citable, versioned release of the graph: Turtle, N-Triples, JSON-LD with its
    context, neo4j-admin CSV, GraphML, the versioned ontology, VoID and DCAT, CITATION.cff,
    ro-crate-metadata.json and CHANGELOG.md (the diff from the previous release); then check
    that the RO-Crate parses and names only files that exist.

    \b
    Example:
        dta-kg release --version 1.0.0 -o releases/1.0.0
        dta-kg release --version 1.1.0 -o releases/1.1.0
    """
    from dta_kg.site.release import release as write

    click.echo(write(project, version, output, previous=previous, notify=_notify))


@click.command()
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write the site to: new, empty or an earlier site (replaced whole).")
@click.option("--release", "release_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A release folder (dta-kg release) to offer as downloads; its changelog "
                   "shows on the home page [default: the build's graph files].")
@MIN_CONFIDENCE
@project_options
def site(output: Path, release_dir: Path | None, min_confidence: str, project: Project) -> None:
    """Write a static, offline website of the graph: home, a page per study (each quote in its
    paragraph of the review), per term and per factor, the comparison table, search, the gap
    map, the graph view, the PRISMA 2020 flow diagram and the downloads. Open index.html from
    disk or host the folder.
    Every fact says whether it is stated or inferred (and how sure); --min-confidence leaves
    out the facts less sure than that.

    \b
    Example:
        dta-kg site -o site/
        dta-kg site -o site/ --release releases/1.0.0
        dta-kg site -o site-stated/ --min-confidence stated
    """
    from dta_kg.core.files import check_folder
    from dta_kg.curation.flow import living_flow, review_flow
    from dta_kg.curation.screening import load_screening
    from dta_kg.loaders.records import read_review
    from dta_kg.loaders.terms import project_vocabulary
    from dta_kg.site.snapshot import read_project
    from dta_kg.site.web import write_site
    from dta_kg.views import render_gap_map, render_overview
    from dta_kg.views.prisma import write_flow
    from dta_kg.views.source import gap_map_data, load_projection

    def graph_files(folder: Path) -> list[Path]:
        import shutil

        out = []
        for ext in ("ttl", "nt", "jsonld"):
            out.append(folder / f"dta-kg.{ext}")
            shutil.copyfile(project.build / f"dta-kg.{ext}", out[-1])
        return out

    def views(folder: Path, study_links: dict[str, str]) -> None:
        data = gap_map_data(project, notify=_notify, min_confidence=min_confidence)
        render_gap_map(path=folder / "gap-map.html", title="dta-kg: evidence gap map",
                       study_links=study_links, **data)
        render_overview(load_projection(project, min_confidence=min_confidence),
                        folder / "graph.html",
                        title="dta-kg: the digital therapeutic alliance knowledge graph")
        write_flow(folder / "prisma.html", living_flow(load_screening(project)), "all",
                   previous=review_flow(read_review(project.review, project_vocabulary(project))))

    check_folder(output)  # before the graph is read (and built)
    snap = read_project(project, _notify).at_least(min_confidence)
    counts = write_site(snap, output, release=release_dir, graph_files=graph_files, views=views)
    click.echo(f"wrote {counts['pages']} pages ({counts['studies']} studies, {counts['terms']} "
               f"terms, {counts['factors']} factors), {counts['bytes'] / 1e6:.1f} MB, to "
               f"{output / 'index.html'}")
