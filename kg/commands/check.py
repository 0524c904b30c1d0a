"""`dta-kg check`: the audit of the records against the review's own figures and names."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from dta_kg.commands.options import CROSSREF_URL, project_options
from dta_kg.core.registry import CHOICES

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project


@click.command()
@project_options
@click.option("--strict", is_flag=True, help="Exit with status 1 if any finding is an error.")
@click.option("--format", "fmt", type=click.Choice(CHOICES["report formats"]), default="text",
              show_default=True)
@click.option("-v", "--verbose", is_flag=True, help="Also list the items behind each finding.")
@click.option("--registry", is_flag=True, help="Also compare each study's DOI, first author, "
              "title, year and venue with Crossref's record of the DOI (answers are kept in the "
              "build folder; the records are never written).")
@CROSSREF_URL
@click.option("--refresh", is_flag=True, help="With --registry, ask Crossref again instead of "
              "using the answers kept in the build folder.")
def check(project: Project, strict: bool, fmt: str, verbose: bool, registry: bool,
          crossref_url: str | None, refresh: bool) -> None:
    """Audit the graph against the review and against itself.

    Compares the counts the review states (studies per component and per intervention
    theme, the total, the PRISMA flow) with the curated records, showing both numbers;
    finds names that differ between the body text and the reference list, DOIs whose form
    is suspicious for their publisher, facts without provenance and factors linked to no
    component. Each finding is an error, a warning or info. With --registry, each study's
    bibliographic data is compared with the DOI registry's (Crossref's): a DOI it does not
    know, a first author, title, year or venue printed differently are warnings with both values.

    \b
    Example:
        dta-kg check
        dta-kg check --strict --format json
        dta-kg check --registry
    """
    from dta_kg.curation.audit import CHECKS, audit, summary

    notices = audit(project)
    if registry:
        from dta_kg.curation.doi_registry import registry_audit

        notices += registry_audit(project, base_url=crossref_url, refresh=refresh)
    elif refresh or crossref_url:
        raise click.UsageError("--refresh and --crossref-url go with --registry")
    counts = summary(notices)
    if fmt == "json":
        click.echo(json.dumps({"summary": counts, "findings": [n.as_dict() for n in notices]},
                              indent=2, ensure_ascii=False))
    else:
        click.echo(f"Audit of {project.records}: "
                   + ", ".join(f"{n} {severity}{'s' if n != 1 and severity != 'info' else ''}"
                               for severity, n in counts.items()))
        for check_id, title in CHECKS.items():
            group = [n for n in notices if n.check == check_id]
            if group:
                click.echo(f"\n{title}")
            for n in group:
                click.echo(f"  {n.severity:<7}  {n.subject}: {n.message}")
                for detail in n.details if verbose else ():
                    click.echo(f"             - {detail}")
    if strict and counts["error"]:
        raise SystemExit(1)
