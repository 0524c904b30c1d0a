"""The curator's commands: `study add|import|list|show|set`, `finding add` and `factor add`
(`instrument add` is in `commands.instruments`). Each write is validated first and stamped
with its curator."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

import click

from dta_kg.commands.fetch import add_fetched
from dta_kg.commands.options import CROSSREF_URL, on_terminal, project_options
from dta_kg.core.iris import normalise_doi
from dta_kg.core.output import math_as_text, render
from dta_kg.core.registry import CHOICES
from dta_kg.loaders.bibliography import BibEntry, parse_author, read_bibliography

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.model import Fact, Study
    from dta_kg.core.paths import Project
    from dta_kg.curation.curate import Quote

F = TypeVar("F", bound=Callable[..., object])

SOURCE_HELP = ("DOI of the document quoted [default: the review for the review's studies, "
               "the study itself for a study added later]; 'review' for the review.")


def note_option(func: F) -> F:
    return click.option("--note", help="Why you make this change; stored with your name and "
                        "the time (curator: $DTA_KG_CURATOR, else git's user.name).")(func)


def quote_options(func: F) -> F:
    """--quote, --section and --source, passed on as one `quote` argument."""

    @click.option("--quote", "quote_text", help="Verbatim span (30 words at most) stating it.")
    @click.option("--section", help="Heading the quote is under, e.g. 'Results > Therapeutic "
                  "Bond' (a study's own: Title, Abstract, Methods, Results, Discussion...).")
    @click.option("--source", help=SOURCE_HELP)
    @functools.wraps(func)
    def wrapper(*args: object, quote_text: str | None = None, section: str | None = None,
                source: str | None = None, **kwargs: object) -> object:
        from dta_kg.curation.curate import Quote

        return func(*args, quote=Quote(quote_text, section, source), **kwargs)

    # click calls the wrapper with --quote, --section and --source, the command gets `quote`: no
    # static type says that exchange of keywords (see commands.options), hence the cast
    return cast(F, wrapper)


@click.group()
def study() -> None:
    """Add, import, list and show the studies of the graph.

    \b
    Example:
        dta-kg study import new-studies.bib --dry-run
        dta-kg study show 10.3389/fdgth.2022.847991
    """


@study.command("add")
@project_options
@click.option("--doi", help="The study's DOI (https://doi.org/ and doi: prefixes are stripped).")
@click.option("--title", help="The study's title.")
@click.option("--year", help="Year of publication.")
@click.option("--author", "authors", multiple=True, help="'Surname, Given', once per author, "
              "in order.")
@click.option("--venue", help="Journal, abbreviated as in the review's reference list.")
@click.option("--volume", help="Volume.")
@click.option("--issue", help="Issue.")
@click.option("--pages", help="Pages or article number.")
@click.option("--pmid", help="PubMed id.")
@click.option("--ref", type=int, help="Its number in the review's reference list, if any.")
@click.option("--fetch", is_flag=True, help="Fill in the bibliographic data of --doi from the "
              "Crossref REST API (options given win over what it returns).")
@CROSSREF_URL
@click.option("--yes", is_flag=True, help="With --fetch, add without asking for confirmation.")
@note_option
def study_add(project: Project, doi: str | None, title: str | None, year: str | None,
              authors: tuple[str, ...], venue: str | None, volume: str | None, issue: str | None,
              pages: str | None, pmid: str | None, ref: int | None, fetch: bool,
              crossref_url: str | None, yes: bool, note: str | None) -> None:
    """Add one study. With no options on a terminal, asks for each field; with --fetch, takes
    them from Crossref and shows them for confirmation (--yes when not on a terminal).

    \b
    Example:
        dta-kg study add --doi 10.2196/12345 --title "A chatbot trial" --year 2025 \\
            --author "Doe, Jane" --author "Roe, R" --venue "JMIR Ment Health" \\
            --note "found in the June search"
        dta-kg study add --doi 10.2196/12345 --fetch
    """
    from dta_kg.curation.curate import add_study, curator

    if fetch:
        add_fetched(project, doi, crossref_url, yes, on_terminal(), note, ref, title=title, year=year,
                    venue=venue, volume=volume, issue=issue, pages=pages, pmid=pmid,
                    authors=tuple(parse_author(a) for a in authors))
        return
    given = (doi, title, year, authors, venue, volume, issue, pages, pmid, ref)
    if not any(given):
        if not on_terminal():
            raise click.UsageError("give --doi, --title, --year and --author (or run it on a "
                                   "terminal to be asked)")
        doi, title, year = (click.prompt(p) for p in ("DOI", "Title", "Year"))
        authors = tuple(iter(lambda: click.prompt("Author ('Surname, Given'; empty to finish)",
                                                  default="", show_default=False), ""))
        venue = click.prompt("Venue", default="", show_default=False) or None
        ref = click.prompt("Reference number in the review (empty if none)", default="",
                           show_default=False, value_proc=lambda v: int(v) if v else None)
    entry = BibEntry(record=doi or "study add", doi=doi, title=title, year=year,
                     authors=tuple(parse_author(a) for a in authors), venue=venue,
                     volume=volume, issue=issue, pages=pages, pmid=pmid)
    path = add_study(project, entry, curator(), note, ref)
    # cast: add_study refused an entry without a DOI (check_entry), so `doi` is given here
    click.echo(f"Added {normalise_doi(cast(str, doi))} in {path}")


@study.command("import")
@project_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be added, updated and skipped; "
              "write nothing.")
@note_option
def study_import(project: Project, file: Path, dry_run: bool, note: str | None) -> None:
    """Import studies from a BibTeX, RIS or CSL-JSON file, or facts from a YAML fragment.

    DOIs are normalised and matched against the graph: new studies are added, recorded ones
    get missing fields (pmid, venue, volume, issue, pages) filled in, the rest are skipped.
    One bad entry and nothing is added. A .yaml file is a record fragment (`doi:` and fact
    lists, as `dta-kg suggest --write` writes it): its facts are added to that study, those
    it already holds skipped.

    \b
    Example:
        dta-kg study import zotero-export.bib --dry-run
        dta-kg study import zotero-export.bib --note "June 2025 search"
        dta-kg study import draft.yaml
    """
    from dta_kg.curation.curate import curator, import_studies

    if file.suffix.lower() in (".yaml", ".yml"):
        from dta_kg.curation.accept import import_fragment

        if dry_run:
            raise click.UsageError("--dry-run reads bibliographies; open the fragment to see "
                                   "its facts")

        doi, done = import_fragment(project, file, note)
        click.echo(f"Imported {file}: {len(done.added)} fact(s) added to {doi}, "
                   f"{len(done.skipped)} already recorded")
        for fact_id in done.added:
            click.echo(f"  add     {doi}#{fact_id}")
        return

    entries = read_bibliography(file)
    plan = import_studies(project, entries, curator(), note or f"imported from {file.name}",
                          dry_run=dry_run)
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {file}: {len(plan.added)} added, {len(plan.updated)} updated, "
               f"{len(plan.skipped)} skipped")
    for entry, path in plan.added:
        # cast: read_bibliography refused an entry without a title (check_entry)
        click.echo(f"  add     {entry.doi}  {cast(str, entry.title)[:60]}  -> {path}")
    for entry, path, filled in plan.updated:
        click.echo(f"  update  {entry.doi}  fill {', '.join(filled)}  -> {path}")
    for entry, path in plan.skipped:
        click.echo(f"  skip    {entry.doi}  already in {path}")


@study.command("list")
@project_options
@click.option("--include-retracted", is_flag=True, help="Also list retracted studies.")
@click.option("--format", "fmt", type=click.Choice(CHOICES["output formats"]),
              default="table", show_default=True)
def study_list(project: Project, include_retracted: bool, fmt: str) -> None:
    """List the studies in the records.

    \b
    Example:
        dta-kg study list --format csv
    """
    from dta_kg.curation.curate import list_studies

    rows = [{"doi": s.doi, "ref": s.ref, "study": s.short_citation, "title": s.title,
             "facts": sum(1 for f in s.facts() if not f.retracted),
             **({"retracted": bool(s.retracted)} if include_retracted else {})}
            for s in list_studies(project, include_retracted)]
    click.echo(render(rows, fmt))


@study.command("set")
@project_options
@click.argument("doi")
@click.option("--design", help="A study design, e.g. 'randomised controlled trial'.")
@click.option("--population", help="The population, in the words of the review or the title.")
@click.option("--intervention-type", help="An intervention theme, e.g. 'digital psychotherapy'.")
@click.option("--intervention-name", help="The named tool, e.g. Wysa.")
@quote_options
@click.option("--inferred", metavar="REASON", help="Why you infer it, when the quote does not "
              "state it in so many words (then --confidence too).")
@click.option("--confidence", type=click.Choice(CHOICES["confidences"]), help="How sure the inference is.")
@note_option
def study_set(project: Project, doi: str, design: str | None, population: str | None,
              intervention_type: str | None, intervention_name: str | None, quote: Quote,
              inferred: str | None, confidence: str | None, note: str | None) -> None:
    """Set a study's design, population or intervention theme, with its evidence.

    A coding it replaces is retracted, not deleted. An inference from the reference title
    takes --inferred REASON and --confidence.

    \b
    Example:
        dta-kg study set 10.1145/3568162.3578625 --design single-arm-study \\
            --section References --quote "A robotic companion for psychological well-being" \\
            --inferred "one robot deployed without a control group" --confidence low
    """
    from dta_kg.curation.coding import Coding, set_coding
    from dta_kg.curation.curate import curator

    coding = Coding(design, population, intervention_type, intervention_name)
    ids = set_coding(project, doi, coding, quote=quote, by=curator(), inferred=inferred,
                     confidence=confidence, note=note)
    click.echo(f"Added {', '.join(f'{doi}#{i}' for i in ids)}")


@study.command("show")
@project_options
@click.argument("doi")
@click.option("--format", "fmt", type=click.Choice(CHOICES["report formats"]), default="text",
              show_default=True)
def study_show(project: Project, doi: str, fmt: str) -> None:
    """Show a study and every fact about it with its evidence, retracted ones included, and
    what each stands on: stated, or inferred with the reason and a confidence.

    \b
    Example:
        dta-kg study show 10.3389/fdgth.2022.847991
    """
    from dta_kg.core.basis import basis_of
    from dta_kg.curation.curate import FACT_KEYS, show_study

    s = show_study(project, doi)
    if fmt == "json":
        facts = [{"ref": f"{s.doi}#{f.id}", "kind": f.rdf_class, **asdict(f),
                  **basis_of(f.evidence.inferred, f.evidence.confidence)} for f in s.facts()]
        data = {k: v for k, v in asdict(s).items() if k not in FACT_KEYS}
        click.echo(json.dumps({**data, "facts": facts}, indent=2, default=str))
        return
    click.echo(f"{s.short_citation}: {s.title}")
    where = ", ".join(x for x in (s.venue, s.volume, s.pages) if x)
    click.echo(f"  doi {s.doi}" + (f", ref {s.ref}" if s.ref else "") + f"; {where}")
    click.echo(f"  file {s.path}")
    for line in stamp_lines(s):
        click.echo(f"  {line}")
    kind = None
    for fact in s.facts():
        if fact.rdf_class != kind:
            kind = fact.rdf_class
            click.echo(f"\n{kind}")
        click.echo(f"  {s.doi}#{fact.id}: {fact.summary}")
        ev = fact.evidence
        source = f" [from {ev.source}{'' if ev.verified else ', UNVERIFIED: its text is not held'}]" \
            if ev.source else ""
        click.echo(f"      evidence{source}: {ev.section}: \"{math_as_text(ev.quote)}\"")
        basis = basis_of(ev.inferred, ev.confidence)
        given = "" if ev.confidence or not ev.inferred else ", none given: counted as low"
        click.echo(f"      basis: {basis['basis']}" + (f" ({basis['confidence']} confidence{given})"
                                                        if basis["confidence"] else ""))
        if ev.inferred:
            sure = f" (confidence: {ev.confidence})" if ev.confidence else ""
            click.echo(f"      inferred: {ev.inferred}{sure}")
        for line in stamp_lines(fact):
            click.echo(f"      {line}")


def stamp_lines(item: Study | Fact) -> list[str]:
    from dta_kg.core.model import Study

    lines = []
    if item.added:
        lines.append(f"added by {item.added.by} at {item.added.at}"
                     + (f": {item.added.text}" if item.added.text else ""))
    updated = item.updated if isinstance(item, Study) else None  # facts are not updated
    if updated:
        lines.append(f"updated by {updated.by} at {updated.at}: {updated.text}")
    if item.retracted:
        lines.append(f"RETRACTED by {item.retracted.by} at {item.retracted.at}: "
                     f"{item.retracted.text}")
    return lines


@click.group()
def finding() -> None:
    """Record findings (measurements and results) of a study.

    \b
    Example:
        dta-kg finding add 10.2196/12345 --component bond --section Results --quote "..."
    """


@finding.command("add")
@project_options
@click.argument("doi")
@click.option("--component", help="DTA component, by id or label (e.g. bond).")
@click.option("--instrument", help="Instrument, engagement metric or framework (e.g. WAI-SR).")
@click.option("--subscale", help="Subscale of the instrument (e.g. wai-sr-bond).")
@click.option("--result", "value", help="The reported figure, a number.")
@click.option("--result-kind", help="cohens-d, percentage or mean-count.")
@click.option("--unit", help="Unit of the figure, e.g. 'messages per user'.")
@quote_options
@note_option
def finding_add(project: Project, doi: str, component: str | None, instrument: str | None,
                subscale: str | None, value: str | None, result_kind: str | None,
                unit: str | None, quote: Quote, note: str | None) -> None:
    """Add a finding to the study with DOI (and record that the study informs its component).

    \b
    Example:
        dta-kg finding add 10.2196/12345 --component bond --instrument WAI-SR \\
            --result 0.62 --result-kind cohens-d --section Results \\
            --quote "bond scores rose by d=0.62 over four weeks"
    """
    from dta_kg.curation.curate import add_finding, curator

    # cast: add_finding refuses a missing --component itself (Where.need takes str | None) but its
    # parameter says str; drop the cast when add_finding says str | None
    ids = add_finding(project, doi, component=cast(str, component), quote=quote, by=curator(),
                      instrument=instrument, subscale=subscale, value=value,
                      result_kind=result_kind, unit=unit, note=note)
    click.echo(f"Added {', '.join(f'{doi}#{i}' for i in ids)}")


@click.group()
def factor() -> None:
    """Record facilitators and barriers a study reports.

    \b
    Example:
        dta-kg factor add 10.2196/12345 --barrier "slow replies" --theme technical-reliability \\
            --section Results --quote "..."
    """


@factor.command("add")
@project_options
@click.argument("doi")
@click.option("--facilitator", help="The facilitator, in the study's words.")
@click.option("--barrier", help="The barrier, in the study's words.")
@click.option("--theme", help="Factor theme, e.g. technical-reliability [default: the concept's].")
@click.option("--concept", help="The factor concept it reports, e.g. 'technical errors'.")
@click.option("--component", "components", multiple=True,
              help="A component the factor affects (repeatable).")
@quote_options
@note_option
def factor_add(project: Project, doi: str, facilitator: str | None, barrier: str | None,
               theme: str | None, concept: str | None, components: tuple[str, ...], quote: Quote,
               note: str | None) -> None:
    """Add a facilitator or a barrier to the study with DOI (and record that the study
    informs the facilitators-and-barriers component).

    \b
    Example:
        dta-kg factor add 10.2196/12345 --barrier "repetitive replies" \\
            --theme conversational-design --component engagement --section Discussion \\
            --quote "participants disliked the repetitive replies"
        dta-kg factor add 10.2196/12345 --barrier "app crashes" --concept "technical errors" \\
            --section Results --quote "the app crashed twice a week"
    """
    from dta_kg.curation.curate import add_factor, curator

    if bool(facilitator) == bool(barrier):
        raise click.UsageError("give exactly one of --facilitator TEXT or --barrier TEXT")
    # cast: exactly one of the two is given (checked above)
    ids = add_factor(project, doi, label=cast(str, facilitator or barrier),
                     polarity="facilitator" if facilitator else "barrier", quote=quote,
                     by=curator(), theme=theme, components=components, note=note,
                     concept=concept)
    click.echo(f"Added {', '.join(f'{doi}#{i}' for i in ids)}")

