"""The evidence gap map: DTA components against intervention types and against instruments.

Input is plain data, one dict per study, e.g. from SPARQL results:

    {"id": "https://w3id.org/dta-kg/id/study-10-3389-...", "label": "Beatty et al 2022",
     "doi": "10.3389/...", "title": "...", "year": 2022,
     "components": ["Therapeutic bond"], "intervention_types": ["AI-powered chatbots"],
     "instruments": ["WAI-SR"], "scope": "review", "designs": ["mixed methods"],
     "populations": ["users of the Wysa chatbot"],
     "instrument_uses": [{"component": "Therapeutic bond", "instrument": "WAI-SR",
                          "subscale": "WAI-SR bond subscale"}]}

Only "id" and "label" are required; `scope` is "review" (the default) for a study the review
includes and "living" for one added after it, which is never counted against the review's
stated figures. A study is counted in a component × instrument cell when
one of its `instrument_uses` pairs them (a finding measured that component with that
instrument), or, without `instrument_uses`, when it has both; the subscales are shown beside
the study. A cell is in one of three states: studies found (with their count), a true gap
(coded, and none found), or not coded (some studies that report the row's or the column's value
lack the coding that would place them; their number is shown). A study may say what each of its
values stands on (`levels`: axis -> value -> "stated", "high", "medium" or "low", as in
`dta_kg.core.basis`; stated when not given): a study sits in a cell on the weaker of its two
values, a cell that no study places on stated facts alone is shaded as resting on inferences,
and a true gap whose codings are inferred says so. The page's one script, allowed by
its hash, filters the studies by set (review or living), year, design and population; Jinja
escapes every string, and the data island is JSON that cannot close its script element.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from dta_kg.core.basis import STATED, label, weakest

from .page import ASSETS, asset, csp, json_island, write_page

Stated = Mapping[str | tuple[str, str], int]
Study = Mapping[str, Any]  # plain JSON-like data, see the module docstring


def render_gap_map(
    studies: Iterable[Study],
    path: str | Path,
    *,
    title: str = "Evidence gap map",
    components: Sequence[str] | None = None,
    intervention_types: Sequence[str] | None = None,
    instruments: Sequence[str] | None = None,
    stated_counts: Stated | None = None,
    study_links: Mapping[str, str | Path] | None = None,
    details: Mapping[str, str] | None = None,
) -> Path:
    """Write the gap map page to `path` and return it.

    The axis lists fix the order of rows and columns and make a value that no study has show
    up as a gap; by default they are the values found, sorted. `stated_counts` holds the
    review's own counts, keyed by an axis value (compared with its row or column total) or by
    a (component, column value) pair (compared with that cell). `study_links` maps a study id
    to the href of its focused view (a Path is made relative to the page); studies without one
    link to their entry in the list at the foot of the page. `details` adds a line of text
    under an axis value's header (e.g. an instrument's full name and subscales).
    """
    studies = sorted(studies, key=lambda s: str(s["label"]).lower())
    stated = stated_counts or {}
    out = Path(path)
    anchors = {s["id"]: f"study-{i}" for i, s in enumerate(studies, 1)}
    links = {s["id"]: f"#{anchors[s['id']]}" for s in studies}
    for study_id, href in (study_links or {}).items():
        links[study_id] = _href(href, out.parent)
    rows = components or _values(studies, "components")
    matrices = [
        _matrix("Components × intervention types", studies, rows,
                intervention_types or _values(studies, "intervention_types"),
                "intervention_types", stated),
        _matrix("Components × instruments", studies, rows,
                instruments or _values(studies, "instruments"), "instruments", stated),
    ]
    index = {s["id"]: i for i, s in enumerate(studies)}
    script = asset(ASSETS / "gapmap.js")
    return write_page(
        "gapmap.html",
        out,
        title=title,
        matrices=matrices,
        studies=studies,
        anchors=anchors,
        links=links,
        index=index,
        details=details or {},
        filters=_filters(studies),
        data=json_island([{"scope": s.get("scope", "review"),
                           "year": None if s.get("year") is None else int(s["year"]),
                           "designs": s.get("designs", []),
                           "populations": s.get("populations", [])} for s in studies]),
        csp=csp(script),
        css=Markup(asset(ASSETS / "gapmap.css")),
        script=Markup(script),
    )


def _filters(studies: Sequence[Study]) -> dict[str, object]:
    """The choices of the page's filters: the years and designs the studies have."""
    years = sorted({int(s["year"]) for s in studies if s.get("year") is not None})
    return {"years": years, "designs": _values(studies, "designs"),
            "living": any(s.get("scope") == "living" for s in studies)}


def _matrix(name: str, studies: Sequence[Study], rows: Sequence[str], cols: Sequence[str],
            key: str, stated: Stated) -> dict[str, object]:
    """Rows of cells, each with its studies (and their notes), count, relative level (0..1)
    for scaling, the studies that cannot be placed for want of coding, and its state."""
    def has(study: Study, axis: str, value: str) -> bool:
        return value in study.get(axis, ())

    def uses(study: Study, r: str, c: str) -> list[Mapping[str, str]]:
        return [u for u in study["instrument_uses"] if (u["component"], u["instrument"]) == (r, c)]

    def measured(study: Study, r: str) -> bool:
        return any(u["component"] == r for u in study["instrument_uses"])

    def in_cell(study: Study, r: str, c: str) -> bool:
        if key == "instruments" and "instrument_uses" in study:
            return bool(uses(study, r, c))
        return has(study, "components", r) and has(study, key, c)

    def coded_for(study: Study, r: str) -> bool:
        """Whether the study's coding on the column axis could place it in row `r`."""
        if key == "instruments" and "instrument_uses" in study:
            return measured(study, r)
        return bool(study.get(key))

    def unknown(study: Study, r: str, c: str) -> bool:
        """The study reports one of the cell's two values but lacks the coding of the other."""
        return not in_cell(study, r, c) and (
            (has(study, "components", r) and not coded_for(study, r))
            or (has(study, key, c) and not study.get("components")))

    def level(study: Study, r: str, c: str) -> str:
        """What a study's place in the cell stands on: the weaker of its row and its column."""
        levels = study.get("levels", {})
        if key == "instruments" and "instrument_uses" in study:
            return levels.get("instrument_uses", {}).get(f"{r}\x1f{c}", STATED)
        return weakest([levels.get("components", {}).get(r, STATED),
                        levels.get(key, {}).get(c, STATED)])

    def coding_inferred(r: str, c: str) -> bool:
        """Whether a true gap rests on inferred codings: of the column's axis for the studies of
        the row, or of the components for the studies of the column."""
        levels = [lv for s in studies if has(s, "components", r)
                  for lv in s.get("levels", {}).get(key, {}).values()]
        levels += [s.get("levels", {}).get("components", {}).get(r, STATED) for s in studies
                   if has(s, key, c)]
        return weakest(levels) != STATED

    def notes(study: Study, r: str, c: str) -> str:
        if key != "instruments" or "instrument_uses" not in study:
            return ""
        return ", ".join(sorted({u["subscale"] for u in uses(study, r, c) if u.get("subscale")}))

    cells = [[([{"study": s, "note": notes(s, r, c), "level": level(s, r, c),
                 "basis": label(level(s, r, c))} for s in studies if in_cell(s, r, c)],
               [s for s in studies if unknown(s, r, c)]) for c in cols] for r in rows]
    top = max((len(found) for row in cells for found, _ in row), default=0) or 1
    return {
        "name": name,
        "cols": [_header(c, [s for s in studies if has(s, key, c)], stated) for c in cols],
        "rows": [
            _header(r, [s for s in studies if has(s, "components", r)], stated)
            | {"cells": [{"studies": found, "count": len(found), "uncoded": uncoded,
                          "state": "filled" if found else "uncoded" if uncoded else "gap",
                          "level": round(len(found) / top, 3), "stated": stated.get((r, c)),
                          "inferred": (all(e["level"] != STATED for e in found) if found
                                       else not uncoded and coding_inferred(r, c))}
                         for c, (found, uncoded) in zip(cols, row, strict=True)]}
            for r, row in zip(rows, cells, strict=True)
        ],
    }


def _header(value: str, studies: Sequence[Study], stated: Stated) -> dict[str, object]:
    """An axis value with its count of studies and, beside the figure the review states, the
    count of the review's own studies only (a study added later has `scope` "living")."""
    own = sum(1 for s in studies if s.get("scope", "review") == "review")
    return {"name": value, "count": len(studies), "review_count": own, "stated": stated.get(value)}


def _values(studies: Iterable[Study], axis: str) -> list[str]:
    return sorted({v for s in studies for v in s.get(axis, ())}, key=str.lower)


def _href(target: str | Path, base: Path) -> str:
    if isinstance(target, Path):
        return Path(os.path.relpath(target, base)).as_posix()
    return target
