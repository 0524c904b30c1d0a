"""`dta-kg suggest`: candidate facts of a study from its own text, for a curator to accept."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dta_kg.commands.options import project_options
from dta_kg.core.registry import CHOICES

# lazy: commands import the library when they run; `dta-kg --help` imports every command module

if TYPE_CHECKING:
    from dta_kg.core.paths import Project
    from dta_kg.curation.suggest import Candidate

COLUMNS = ["number", "kind", "term", "score", "section", "quote", "cue"]


def numbers(text: str | None) -> list[int]:
    """'1,4,7' or '2-5' -> the candidate numbers, in the order given."""
    if text is None:
        return []
    chosen: list[int] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise click.BadParameter(f"'{part}' is not a number or a range such as 2-5",
                                     param_hint="--accept")
        chosen += list(range(int(low), int(high) + 1)) if dash else [int(low)]
    if not chosen:
        raise click.BadParameter("give candidate numbers, e.g. --accept 1,4,7",
                                 param_hint="--accept")
    return list(dict.fromkeys(chosen))


@click.command()
@project_options
@click.argument("study")
@click.option("--text", "text_file", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The study's abstract or full text, as UTF-8 plain text or Markdown "
                   "(2 MB at most); registered as its source text, as `source add` does.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(CHOICES["suggestion kinds"]),
              help="Show only candidates of this kind (repeatable) [default: all].")
@click.option("--format", "fmt", type=click.Choice(CHOICES["suggestion formats"]), default="table",
              show_default=True)
@click.option("--accept", "accepted", metavar="N,N,...",
              help="Write these candidates (by number, e.g. 1,4,7 or 2-5) as facts of the "
                   "study, marked as inferred by suggestion.")
@click.option("--write", "draft", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the candidates (those of --accept, else all shown) to this YAML "
                   "record fragment instead; load it with `dta-kg study import FILE`.")
@click.option("--section", type=click.Choice(CHOICES["study sections"]),
              help="The section of a text without headings (candidates from under a heading "
                   "keep theirs).")
@click.option("--confidence", type=click.Choice(CHOICES["confidences"]),
              help="The confidence of the accepted inferences [default: from each score].")
@click.option("--note", help="A note stamped on each accepted fact [default: its cue].")
def suggest(project: Project, study: str, text_file: Path, kinds: tuple[str, ...], fmt: str,
            accepted: str | None, draft: Path | None, section: str | None,
            confidence: str | None, note: str | None) -> None:
    """Suggest facts of STUDY (DOI, citation or reference number) found in its own text.

    Each candidate has a number, a kind (component, finding with its instrument, subscale or
    engagement metric and any figure, factor with its polarity and concept, design,
    population, intervention type), the vocabulary term, a verbatim quote of at most 30
    words, the section (when the text has headings), a score and the cue that produced it.
    The text is registered as the study's source text. --accept writes the chosen
    candidates as facts quoting it, each marked as a curator's inference ("suggested from
    the study's text and accepted by the curator") with a confidence, and stamped with the
    curator and time; accepting again adds nothing twice.

    \b
    Example:
        dta-kg study import examples/fictional-study.bib
        dta-kg suggest 10.2196/70002 --text examples/fictional-study-abstract.md
        dta-kg suggest 10.2196/70002 --text abstract.md --kind factor --format json
        dta-kg suggest 10.2196/70002 --text abstract.md --accept 6,9,11,14
        dta-kg suggest 10.2196/70002 --text abstract.md --write draft.yaml
    """
    from dta_kg.curation.accept import accept, register_text, study_doi, write_draft
    from dta_kg.curation.study_text import read_study_text
    from dta_kg.curation.suggest import suggest
    from dta_kg.loaders.terms import project_vocabulary

    wanted = numbers(accepted)
    doi = study_doi(project, study)
    text = read_study_text(text_file, doi)
    every = suggest(text, project_vocabulary(project))
    shown = [c for c in every if c.kind in (kinds or CHOICES["suggestion kinds"])]
    by_number = {c.number: c for c in every}
    missing = [n for n in wanted if n not in by_number]
    if missing:
        raise click.BadParameter(f"no candidate {missing[0]}: this text gives candidates 1 to "
                                 f"{len(every)}", param_hint="--accept")
    chosen = [by_number[n] for n in wanted]
    if draft is not None:
        count = write_draft(project, draft, doi, chosen or shown, text, section=section,
                            confidence=confidence, note=note)
        click.echo(f"Wrote {count} suggested fact(s) of {doi} to {draft}; load them with "
                   f"`dta-kg study import {draft}`")
        return
    if chosen:
        done = accept(project, doi, chosen, text, section=section, confidence=confidence,
                      note=note)
        if done.added:
            click.echo(f"Added {', '.join(f'{doi}#{i}' for i in done.added)}")
        if done.skipped:
            click.echo(f"Already recorded, not added again: {', '.join(done.skipped)}")
        return
    register_text(project, doi, text)
    rows = [row(c, flat=fmt == "table") for c in shown]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "yaml":
        import yaml

        click.echo(yaml.safe_dump(rows, sort_keys=False, allow_unicode=True, width=100), nl=False)
    else:
        from dta_kg.core.output import render

        click.echo(render(rows, "table", COLUMNS) if rows else f"No candidates in {text_file}.")


def row(c: Candidate, flat: bool = False) -> dict[str, Any]:
    """A candidate as a plain row; `flat` (the table) puts its details in a few words."""
    details = {"component": c.component, "instrument": c.instrument, "subscale": c.subscale,
               "polarity": c.polarity, "theme": c.theme, "label": c.label,
               "components": list(c.components) or None,
               "result": c.result and {k: v for k, v in asdict(c.result).items() if v is not None}}
    shown: dict[str, Any] = {k: v for k, v in details.items() if v}
    if flat:
        return {"number": c.number, "kind": c.kind, "term": brief(c), "score": c.score,
                "section": c.section, "quote": c.quote, "cue": c.cue}
    return {"number": c.number, "kind": c.kind, "term": c.term, "details": shown or None,
            "score": c.score, "section": c.section, "quote": c.quote, "cue": c.cue}


def brief(c: Candidate) -> str:
    """The term with what a curator checks first: a finding's measure and figure, a
    factor's polarity."""
    if c.kind == "factor":
        return f"{c.term} ({c.polarity})"
    if c.kind != "finding":
        return c.term
    parts = [c.component, c.subscale or c.instrument]
    if c.result:
        against = f" vs {c.result.comparator}" if c.result.comparator else ""
        parts.append(f"{c.result.kind} {c.result.value:g}{against}")
    return " / ".join(p for p in parts if p)
