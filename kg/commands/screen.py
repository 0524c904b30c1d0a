"""The living review's intake: `screen import|list|decide|conflicts|resolve|status|next|promote`,
`screen reason add|list`, and `prisma`, the PRISMA 2020 flow diagram."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from dta_kg.commands.options import format_option, project_options
from dta_kg.core.output import render
from dta_kg.core.registry import CHOICES

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project

F = TypeVar("F", bound=Callable[..., object])

STAGE_HELP = "Screening stage: title-abstract or full-text."


def stage_option(func: F) -> F:
    return click.option("--stage", default="title-abstract", show_default=True,
                        help=STAGE_HELP)(func)


def note_option(func: F) -> F:
    return click.option("--note", help="A note kept with the decision or import.")(func)


@click.group()
def screen() -> None:
    """Screen the candidates of new database searches for the living review: import a search
    export, decide at title-abstract and full text (two screeners may decide independently),
    settle conflicts, see progress and agreement, and promote included candidates to studies.

    \b
    Example:
        dta-kg screen import pubmed.nbib --database PubMed --date 2025-06-30 \\
            --query '"therapeutic alliance" AND chatbot'
        dta-kg screen next
        dta-kg screen decide pubmed-2025-06-30-7 include --stage title-abstract
    """


@screen.command("import")
@project_options
@click.argument("export", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database", required=True, help="The database searched (PubMed, Scopus, ...).")
@click.option("--date", "date_", required=True, metavar="YYYY-MM-DD",
              help="The day the search was run.")
@click.option("--query", required=True, help="The query string given to the database.")
@click.option("--run", "run_id", help="The search run's id [default: DATABASE-DATE].")
@click.option("--format", "fmt", type=click.Choice(CHOICES["search export formats"]),
              help="The export's format [default: from its name, else its first line].")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@note_option
def screen_import(project: Project, export: Path, database: str, date_: str, query: str,
                  run_id: str | None, fmt: str | None, dry_run: bool, note: str | None) -> None:
    """Import a search export (RIS, BibTeX, CSV with a title column, PubMed MEDLINE/.nbib) as
    one search run. Duplicates, of the graph's studies or of earlier candidates, by DOI then by
    normalised title and year, are recorded as duplicates of their original, never dropped.
    Importing the same file again changes nothing.

    \b
    Example:
        dta-kg screen import june.ris --database Scopus --date 2025-06-30 \\
            --query 'TITLE-ABS-KEY("working alliance" AND chatbot)'
    """
    from dta_kg.curation.curate import curator
    from dta_kg.curation.screening import import_run

    summary = import_run(project, export, database, date_, query, curator(), run_id, fmt, note,
                         dry_run)
    if summary.unchanged:
        click.echo(f"unchanged: {export.name} was imported already as search run {summary.run}")
        return
    verb = "would import" if dry_run else "imported"
    click.echo(f"{verb} {summary.added} records as search run {summary.run} "
               f"({len(summary.duplicates)} duplicates)")
    for cid, original, rule in summary.duplicates:
        click.echo(f"  duplicate  {cid}  of {original}  (same {rule})")


@screen.command("list")
@project_options
@click.option("--run", "run_id", help="Only this search run's candidates.")
@click.option("--duplicates/--no-duplicates", default=False, show_default=True,
              help="Also list duplicates.")
@format_option
def screen_list(project: Project, run_id: str | None, duplicates: bool, fmt: str) -> None:
    """List the candidates with their outcome at each stage.

    \b
    Example:
        dta-kg screen list --run pubmed-2025-06-30 --format csv
    """
    from dta_kg.core.screening_model import outcomes
    from dta_kg.curation.screening import load_screening

    screening = load_screening(project)
    done = outcomes(screening)
    rows = []
    for run in screening.runs:
        if run_id and run.id != run_id:
            continue
        for c in run.candidates:
            original = c.duplicate_of or c.duplicate_of_study
            if original and not duplicates:
                continue
            rows.append({"id": c.id, "year": c.year, "title": c.title, "doi": c.doi,
                         "duplicate_of": original,
                         **{stage: done[(c.id, stage)].verdict if (c.id, stage) in done else None
                            for stage in ("title-abstract", "full-text")}})
    click.echo(render(rows, fmt, ["id", "year", "title", "doi", "duplicate_of", "title-abstract",
                                  "full-text"]))


@screen.command("decide")
@project_options
@click.argument("candidate", required=False)
@click.argument("decision", metavar="include|exclude|maybe", required=False)
@stage_option
@click.option("--reason", help="Why it is excluded: a reason of the controlled list (its id or "
              "label; `dta-kg screen reason list`). Required for an exclusion at full text.")
@click.option("--file", "csv_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Record many decisions, all or none, from a CSV file with the columns "
              "candidate, decision and, optionally, stage, reason and note.")
@note_option
def screen_decide(project: Project, candidate: str | None, decision: str | None, stage: str,
                  reason: str | None, csv_file: Path | None, note: str | None) -> None:
    """Record your decision on a candidate at a stage (your name: $DTA_KG_CURATOR, else git's
    user.name). Two screeners decide independently; `screen conflicts` lists where they differ.

    \b
    Example:
        dta-kg screen decide pubmed-2025-06-30-7 include
        dta-kg screen decide pubmed-2025-06-30-7 exclude --stage full-text --reason not-empirical
        dta-kg screen decide --file my-decisions.csv
    """
    from dta_kg.core.errors import DtaKgError
    from dta_kg.curation.curate import curator
    from dta_kg.curation.screening import Wanted, decide, read_wanted

    if csv_file is not None:
        if candidate or decision:
            raise DtaKgError("give either CANDIDATE DECISION or --file, not both")
        wanted = read_wanted(csv_file)
    elif candidate and decision:
        wanted = [Wanted(candidate, decision, stage, reason, note)]
    else:
        raise DtaKgError("give CANDIDATE and DECISION (include, exclude or maybe), or --file")
    for made in decide(project, wanted, curator()):
        why = f" ({made['reason']})" if "reason" in made else ""
        click.echo(f"{made['by']}: {made['decision']}{why} {made['candidate']} at "
                   f"{made['stage']}")


@screen.command("conflicts")
@project_options
@format_option
def screen_conflicts(project: Project, fmt: str) -> None:
    """List the candidates on which screeners disagree, not yet resolved.

    \b
    Example:
        dta-kg screen conflicts --format table
    """
    from dta_kg.curation.agreement import conflicts
    from dta_kg.curation.screening import load_screening

    rows = [{"candidate": c, "stage": stage,
             "decisions": "; ".join(f"{by}: {v}" for by, v in votes.items())}
            for c, stage, votes in conflicts(load_screening(project))]
    click.echo(render(rows, fmt, ["candidate", "stage", "decisions"]))


@screen.command("resolve")
@project_options
@click.argument("candidate")
@click.argument("decision", metavar="include|exclude|maybe")
@stage_option
@click.option("--reason", help="Why it is excluded (see `screen decide`).")
@note_option
def screen_resolve(project: Project, candidate: str, decision: str, stage: str,
                   reason: str | None, note: str | None) -> None:
    """Settle a conflict on a candidate: the resolution decides, and records who resolved it.

    \b
    Example:
        dta-kg screen resolve pubmed-2025-06-30-7 include --note "discussed on 2 July"
    """
    from dta_kg.curation.curate import curator
    from dta_kg.curation.screening import Wanted, decide

    [made] = decide(project, [Wanted(candidate, decision, stage, reason, note)], curator(),
                    resolves=True)
    click.echo(f"{made['by']} resolved {candidate} at {stage}: {decision}")


@screen.command("status")
@project_options
@format_option
def screen_status(project: Project, fmt: str) -> None:
    """Show progress per stage and the agreement of each pair of screeners (Cohen's kappa, on
    the records both decided).

    \b
    Example:
        dta-kg screen status --format table
    """
    from dta_kg.curation.agreement import agreement
    from dta_kg.curation.screening import load_screening, stage_status

    screening = load_screening(project)
    rows = [dict(s.__dict__) for s in stage_status(screening)]
    click.echo(render(rows, fmt, ["stage", "to_screen", "include", "exclude", "maybe",
                                  "conflicts", "undecided"]))
    pairs = [{"stage": p.stage, "screeners": f"{p.first} / {p.second}", "both_decided": p.both,
              "agreed": p.agreed, "kappa": None if p.kappa is None else round(p.kappa, 3)}
             for p in agreement(screening)]
    if pairs:
        click.echo(render(pairs, fmt, ["stage", "screeners", "both_decided", "agreed", "kappa"]))


@screen.command("next")
@project_options
@stage_option
@click.option("--limit", type=click.IntRange(1, 10000), default=10, show_default=True,
              help="How many candidates to list.")
@format_option
def screen_next(project: Project, stage: str, limit: int, fmt: str) -> None:
    """List undecided candidates, most likely relevant first: a TF-IDF and logistic regression
    model (scikit-learn) trained on the decisions so far and the review's 28 studies.

    \b
    Example:
        dta-kg screen next --limit 20
    """
    from dta_kg.curation.screening import next_candidates

    rows = [{"id": c.id, "score": round(score, 3), "year": c.year, "title": c.title}
            for c, score in next_candidates(project, stage, limit)]
    click.echo(render(rows, fmt, ["id", "score", "year", "title"]))


@screen.command("promote")
@project_options
@click.argument("candidate")
@note_option
def screen_promote(project: Project, candidate: str, note: str | None) -> None:
    """Add a candidate included at full text as a living study, with its bibliographic data
    from the candidate (DOI, title, authors and year needed) and a link to the candidate and
    its search run.

    \b
    Example:
        dta-kg screen promote pubmed-2025-06-30-7
    """
    from dta_kg.curation.curate import curator
    from dta_kg.curation.screening import promote

    path = promote(project, candidate, curator(), note)
    click.echo(f"promoted {candidate} to {path}")


@screen.group("reason")
def reason() -> None:
    """The controlled list of exclusion reasons, which curators may extend.

    \b
    Example:
        dta-kg screen reason list
        dta-kg screen reason add no-chatbot "No conversational agent"
    """


@reason.command("list")
@project_options
@format_option
def reason_list(project: Project, fmt: str) -> None:
    """List the exclusion reasons.

    \b
    Example:
        dta-kg screen reason list --format table
    """
    from dta_kg.curation.screening import load_screening

    rows = [{"id": r.id, "label": r.label} for r in load_screening(project).reasons]
    click.echo(render(rows, fmt, ["id", "label"]))


@reason.command("add")
@project_options
@click.argument("reason_id", metavar="ID")
@click.argument("label")
def reason_add(project: Project, reason_id: str, label: str) -> None:
    """Add an exclusion reason to the controlled list.

    \b
    Example:
        dta-kg screen reason add no-chatbot "No conversational agent"
    """
    from dta_kg.curation.curate import curator
    from dta_kg.curation.screening import add_reason

    add_reason(project, reason_id, label, curator())
    click.echo(f"added exclusion reason {reason_id}")


@click.command()
@project_options
@click.option("--scope", type=click.Choice(CHOICES["scopes"]), default="review",
              show_default=True, help="review: the review's stated figures; living: the "
              "screening records; all: both, as PRISMA 2020's template for updated reviews.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The file to write: .svg for the diagram, .html for a page holding it.")
def prisma(project: Project, scope: str, output: Path) -> None:
    """Draw the PRISMA 2020 flow diagram: records identified per database, duplicates removed,
    records screened and excluded, reports sought, assessed and excluded with reasons, studies
    included. A figure the source does not state is shown as "not stated".

    \b
    Example:
        dta-kg prisma --scope review -o flow.svg
        dta-kg prisma --scope all -o flow.html
    """
    from dta_kg.core.errors import DtaKgError
    from dta_kg.core.files import check_file
    from dta_kg.curation.flow import living_flow, review_flow
    from dta_kg.curation.screening import load_screening
    from dta_kg.loaders.records import read_review
    from dta_kg.loaders.terms import project_vocabulary
    from dta_kg.views.prisma import write_flow

    check_file(output)  # before any work; the records folder is guarded by project_options
    if output.suffix.lower() not in (".svg", ".html"):
        raise DtaKgError(f"{output}: name the output .svg or .html")
    review = review_flow(read_review(project.review, project_vocabulary(project)))
    if scope == "review":
        write_flow(output, review, scope)
    else:
        living = living_flow(load_screening(project))
        write_flow(output, living, scope, previous=review if scope == "all" else None)
    click.echo(f"wrote {output}")
