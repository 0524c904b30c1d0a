"""`dta-kg bench generate`: synthetic corpora for the benchmarks."""

from __future__ import annotations

from pathlib import Path

import click

# lazy: commands import the library when they run; `dta-kg --help` imports every command module


@click.group()
def bench() -> None:
    """Tools for benchmarking dta-kg at scale.

    \b
    Example:
        dta-kg bench generate --studies 1000 --seed 1 -o /tmp/dta-1k
    """


@bench.command()
@click.option("--studies", type=click.IntRange(1), required=True, help="How many studies.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write records/ into (its build/ goes beside it).")
def generate(studies: int, seed: int, output: Path) -> None:
    """Write a synthetic corpus shaped like the curated records.

    Quotes are real spans of the review and DOIs use the 10.5555 test prefix; every
    record says it is synthetic. Build it with the normal build.

    \b
    Example:
        dta-kg bench generate --studies 1000 --seed 1 -o /tmp/dta-1k
        dta-kg build --records /tmp/dta-1k/records --build-dir /tmp/dta-1k/build
    """
    from dta_kg.pipeline.synthetic import generate as run

    project = run(output, studies, seed)
    click.echo(f"Wrote {studies} synthetic studies to {project.studies}")
