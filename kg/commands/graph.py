"""`dta-kg build`, `dta-kg validate` and `dta-kg init`: the graph and a records folder to edit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import project_options

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project


@click.command()
@project_options
@click.option("-v", "--verbose", is_flag=True,
              help="Also print each stage with its time, the triples per class and every file "
                   "written.")
@click.option("--jobs", type=click.IntRange(1), help="Worker processes [default: one per core].")
def build(project: Project, verbose: bool, jobs: int | None) -> None:
    """Validate the records and write the graph to build/ (Turtle, N-Triples, JSON-LD).

    Runs the SHACL shapes, the QC violation queries and the OWL RL reasoner; refuses to
    write anything if any check fails. The same records give byte-identical files.

    \b
    Example:
        dta-kg build
        dta-kg build --records my-records --build-dir out -v
    """
    from dta_kg.pipeline.build import build as run_build

    summary = run_build(project, jobs=jobs,
                        log=(lambda line: click.echo(line, err=True)) if verbose else None)
    click.echo(f"Built {summary.triples} triples:")
    click.echo(f"  studies {summary.studies}, reviews {summary.reviews}, "
               f"components {summary.components}, instruments {summary.instruments}")
    click.echo(f"  findings {summary.findings}, factor reports {summary.factor_reports}, "
               f"facts {summary.facts} ({summary.facts_with_evidence} with provenance)")
    click.echo(f"Checks passed: {summary.validation}; OWL RL on the ontology")
    if not verbose:
        click.echo(f"Wrote {len(summary.files)} files and stores to {project.build} "
                   "(-v: the triples per class and each file)")
        return
    click.echo("Triples per class:")
    for cls, n in summary.triples_per_class.items():
        click.echo(f"  {cls:<28} {n}")
    for path in summary.files:
        click.echo(f"Wrote {path}")


@click.command()
@project_options
@click.option("--jobs", type=click.IntRange(1), help="Worker processes [default: one per core].")
def validate(project: Project, jobs: int | None) -> None:
    """Run every check of `build` without writing anything.

    Streams the records through the same path as `build` (so it scales as the build does), in a
    temporary folder that is removed afterwards.

    \b
    Example:
        dta-kg validate
    """
    from dta_kg.pipeline.build import build as run_build

    summary = run_build(project, jobs=jobs, check_only=True)
    click.echo(f"OK: {summary.triples} triples pass the SHACL shapes, QC queries and reasoner "
               f"({summary.validation}).")


@click.command()
@click.argument("folder", type=click.Path(file_okay=True, path_type=Path))
def init(folder: Path) -> None:
    """Copy the curated records into FOLDER, for a curator to edit there.

    FOLDER must be new or empty. Point the other commands at it with --records FOLDER or
    DTA_KG_RECORDS=FOLDER; its graph is built into a per-user data folder unless --build-dir
    says otherwise.

    \b
    Example:
        dta-kg init my-records
        DTA_KG_RECORDS=my-records dta-kg studies --component bond --instrument WAI-SR
    """
    from dta_kg.core.files import guarded, records_guard
    from dta_kg.core.paths import Project
    from dta_kg.curation.workspace import init_records

    with guarded([records_guard(Project.default().records)]):  # DTA_KG_RECORDS, if set
        studies = init_records(folder)
    click.echo(f"Copied the review and {studies} study records into {folder}; use them with "
               f"--records {folder} or DTA_KG_RECORDS={folder}")
