"""`dta-kg site`: one static, offline website of the graph, opened from file:// or any host.

Every page links one stylesheet and one script in assets/, and the search index is a script
there too (file:// pages may not fetch JSON). The Content-Security-Policy of every page lets
scripts and styles come only from the site itself, so nothing is requested off the machine.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dta_kg.core.files import MARKER, check_folder, write_folder
from dta_kg.core.limits import RELEASE_FILE_BYTES, read_text_input
from dta_kg.core.output import math_as_text
from dta_kg.queries.catalogue import catalogue

from .compare import compare
from .graphic import focus_svg
from .metadata import DESCRIPTIONS, RO_CRATE
from .pages import (
    PRISMA,
    TERM_KINDS,
    component_counts,
    components,
    fact_view,
    factor_concepts,
    factor_path,
    prisma,
    search_index,
    study_path,
    study_view,
    term_path,
    term_view,
)
from .snapshot import Snapshot

ASSETS = Path(__file__).parent / "assets"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
COMPARE_COLUMNS = {"study": "study", "year": "year", "set": "set", "component": "component",
                   "instrument": "instrument", "subscale": "subscale", "result": "result",
                   "result_kind": "result kind", "comparator": "comparator", "design": "design",
                   "population": "population", "intervention_type": "intervention type",
                   "intervention": "intervention", "basis": "basis", "confidence": "confidence"}
PRISMA_LABELS = {"prisma-records-identified": "records identified",
                 "prisma-duplicates-removed": "duplicates removed",
                 "prisma-records-screened": "records screened (titles and abstracts)",
                 "prisma-excluded-at-screening": "excluded at screening",
                 "prisma-excluded-population": "not the population",
                 "prisma-excluded-no-intervention": "no psychotherapeutic intervention",
                 "prisma-full-text-assessed": "full texts assessed for eligibility",
                 "prisma-included": "studies included"}
SIDE = {"prisma-duplicates-removed", "prisma-excluded-at-screening", "prisma-excluded-population",
        "prisma-excluded-no-intervention"}
env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["html"]),
                  trim_blocks=True, lstrip_blocks=True)
env.filters["math"] = math_as_text  # "$d=0.83$" shown as "d = 0.83"


def write_site(snap: Snapshot, out: Path, *, release: Path | None = None,
               graph_files: Callable[[Path], list[Path]] | None = None,
               views: Callable[[Path, dict[str, str]], None] | None = None) -> dict[str, int]:
    """Write the site to `out` (swapped in whole when done) and count its pages and bytes.

    `release` is a release folder whose files become the downloads and whose changelog the
    home page shows; without one, `graph_files(folder)` writes the graph files to offer.
    `views(folder, study_links)` writes gap-map.html and graph.html (from dta_kg.views).
    """
    counts: dict[str, int] = {}
    check_folder(out)

    def fill(folder: Path) -> None:
        counts.update(_pages(snap, folder, release, graph_files))
        if views is not None:
            views(folder, {iri: study_path(s) for iri, s in snap.studies.items()})
        counts["bytes"] = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())

    write_folder(out, fill)
    return counts


def _page(folder: Path, path: str, template: str, title: str, snap: Snapshot, **context: Any) -> None:
    root = "../" * path.count("/")
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    html = env.get_template(template).render(title=title, root=root, csp=CSP, review=snap.review,
                                             **context)
    target.write_text(html, encoding="utf-8")


def _pages(snap: Snapshot, folder: Path, release: Path | None,
           graph_files: Callable[[Path], list[Path]] | None) -> dict[str, int]:
    assets = folder / "assets"
    assets.mkdir(parents=True)
    for name in ("site.css", "site.js"):
        shutil.copyfile(ASSETS / name, assets / name)
    terms = {i: t for i, t in snap.terms.items() if t["kind"] in TERM_KINDS}
    concepts = factor_concepts(snap)
    pages = {study_path(s) for s in snap.studies.values()} | {term_path(i) for i in terms} \
        | {factor_path(label) for label in concepts}
    # a script, not a JSON file: file:// pages may not fetch one
    index = json.dumps(search_index(snap, pages), ensure_ascii=False, separators=(",", ":"))
    (assets / "search-index.js").write_text(f"window.DTA_SEARCH = {index};\n", encoding="utf-8")

    for study in snap.studies.values():
        path = study_path(study)
        view = study_view(snap, study, pages)
        svg = Markup(focus_svg(str(study["citation"]), view["neighbours"], "../"))
        _page(folder, path, "study.html", str(study["citation"]), snap, study=view, svg=svg)
    for iri, term in terms.items():
        _page(folder, term_path(iri), "term.html", term["label"], snap,
              term=term_view(snap, term, pages))
    for label, facts in concepts.items():
        reports = sorted(((_study_link(snap, f), fact_view(snap, f, pages)) for f in facts),
                         key=lambda r: r[0]["citation"].lower())
        themes = sorted({f["theme"] for f in facts if f["theme"]})
        _page(folder, factor_path(label), "factor.html", label, snap, reports=reports,
              polarities=sorted({snap.label(f["polarity"]) for f in facts}),
              themes=[{"label": snap.label(t), "href": term_path(t)} for t in themes])
    _indexes(snap, folder, terms, concepts)
    _compare(snap, folder)
    _downloads(snap, folder, release, graph_files)
    _home(snap, folder, release)
    return {"studies": len(snap.studies), "terms": len(terms), "factors": len(concepts),
            "pages": sum(1 for _ in folder.rglob("*.html"))}


def _study_link(snap: Snapshot, fact: dict) -> dict[str, str]:
    study = snap.studies[fact["study"]]
    return {"citation": str(study["citation"]), "href": study_path(study)}


def _indexes(snap: Snapshot, folder: Path, terms: dict[str, dict], concepts: dict) -> None:
    studies = sorted(snap.studies.values(), key=lambda s: str(s["citation"]).lower())
    sets = [(name, [{"label": s["citation"], "href": study_path(s),
                     "note": f"{s['title']}" + (f" (reference {s['ref']})" if s["ref"] else "")}
                    for s in studies if s["set"] == key])
            for key, name in (("review", "Studies of the review"), ("living", "Added since the review"))]
    _page(folder, "studies.html", "list.html", "Studies", snap, sections=[s for s in sets if s[1]])
    sections = []
    for cls, name in TERM_KINDS.items():
        items = sorted(({"label": t["label"], "href": term_path(i)} for i, t in terms.items()
                        if t["kind"] == cls), key=lambda t: t["label"].lower())
        if items:
            sections.append((name, items))
    sections.append(("factor", sorted(({"label": label, "href": factor_path(label)}
                                       for label in concepts), key=lambda t: t["label"].lower())))
    _page(folder, "terms.html", "list.html", "Terms and factors", snap, sections=sections)


def _compare(snap: Snapshot, folder: Path) -> None:
    rows = []
    for term in components(snap):
        for row in compare(snap, term["id"]):
            study = next(s for s in snap.studies.values() if s["doi"] == row["doi"])
            flat = {k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()}
            rows.append({**flat, "component": term["label"], "href": study_path(study)})
    _page(folder, "compare.html", "compare.html", "Comparison of the studies", snap, rows=rows,
          keys=list(COMPARE_COLUMNS), columns=list(COMPARE_COLUMNS.values()),
          components=[t["label"] for t in components(snap)])


def _links_and_marker(folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n == MARKER or os.path.islink(os.path.join(folder, n))}


def _downloads(snap: Snapshot, folder: Path, release: Path | None,
               graph_files: Callable[[Path], list[Path]] | None) -> None:
    target = folder / "downloads"
    if release is not None:  # its files, not links out of it, nor dta-kg's list of them
        shutil.copytree(release, target, ignore=_links_and_marker)
        files = sorted(p for p in target.rglob("*") if p.is_file())
    else:
        target.mkdir()
        files = graph_files(target) if graph_files else []
    listed = [{"name": p.relative_to(target).as_posix(), "href": p.relative_to(folder).as_posix(),
               "size": _size(p.stat().st_size),
               "description": DESCRIPTIONS.get(p.relative_to(target).as_posix(), "")}
              for p in files]
    version = release.name if release is not None and (release / RO_CRATE).is_file() else None
    _page(folder, "downloads.html", "downloads.html", "Downloads and queries", snap, files=listed,
          version=version, queries=list(catalogue().values()))


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB" if n >= 1e3 else f"{n} B"


def _home(snap: Snapshot, folder: Path, release: Path | None) -> None:
    figures = prisma(snap)
    flow = [{"value": figures[k]["value"], "label": PRISMA_LABELS[k],
             "side": "excluded" if k in SIDE else ""} for k in PRISMA if k in figures]
    evidence: dict[str, Any] = dict(snap.review.get("definition_evidence") or {})
    definition = {"kind": "Definition", "id": "definition", "retracted": False,
                  "retracted_by": None, "retracted_at": None, "retraction_reason": None,
                  "by": None, "at": None, "note": None,
                  "evidence": {**evidence, "source": snap.review.get("iri")}}
    definition_view = fact_view(snap, definition, set())
    studies = list(snap.studies.values())
    counts = {"studies": len(studies), "facts": len(snap.facts),
              "review": sum(1 for s in studies if s["set"] == "review"),
              "living": sum(1 for s in studies if s["set"] == "living")}
    _page(folder, "index.html", "home.html", "The digital therapeutic alliance knowledge graph",
          snap, definition=definition_view, components=component_counts(snap), prisma=flow,
          counts=counts, changes=_changes(release))


def _changes(release: Path | None) -> Markup | None:
    """The newest section of the release's CHANGELOG.md, as HTML (Markdown escapes raw HTML)."""
    log = release / "CHANGELOG.md" if release is not None else None
    if log is None or not os.path.lexists(log):
        return None
    # lazy: markdown loads ~40 ms; only a site made from a release with a changelog needs it
    import markdown

    text = read_text_input(log, RELEASE_FILE_BYTES, "a changelog", "check the release "
                           "folder").removeprefix("# Changelog\n")
    sections = text.split("\n# ")
    newest = sections[0] if sections[0].strip() else (sections[1] if len(sections) > 1 else "")
    newest = "# " + newest.lstrip("# ").lstrip()
    safe = newest.replace("<", "&lt;")  # Markdown passes raw HTML through; the records may hold some
    return Markup(markdown.markdown(safe.replace("\n# ", "\n### ").replace("# ", "### ", 1)))

