"""Draw a PRISMA 2020 flow diagram as SVG (or an HTML page holding it): the boxes of the PRISMA
2020 template for new systematic reviews, or, for `all`, of its template for updated reviews,
with the review's studies as "previous studies".

Every count is an SVG <tspan data-count="..."> so that a reader (or a test) finds it by name;
a count the source does not state is written "not stated"."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape
from pathlib import Path

from dta_kg.core.files import write_atomic
from dta_kg.curation.flow import Flow

BOX_WIDTH = 300
SIDE_WIDTH = 290
LINE = 17
PAD = 10
GAP = 34
BAND = 26  # the width of the phase bands on the left
WRAP = 40  # characters per line in a box
FONT = "font-family:Arial,Helvetica,sans-serif;font-size:13px"


@dataclass
class Box:
    """A box of the diagram: lines of (text, count name or None, count value) at x, y."""

    x: int
    y: int
    width: int
    lines: list[tuple[str, str | None, int | None]]
    name: str
    shade: str = "#ffffff"
    min_height: int = 0

    @property
    def height(self) -> int:
        lines = sum(len(self.wrapped(t, c, v)) for t, c, v in self.lines)
        return max(lines * LINE + 2 * PAD, self.min_height)

    def wrapped(self, text: str, count: str | None = None, value: int | None = None) -> list[str]:
        """The lines of `text` in the box, leaving room for its count on the last line."""
        tail = f" (n = {'not stated' if value is None else value})" if count else ""
        width = WRAP if self.width >= BOX_WIDTH else WRAP - 2
        lines = textwrap.wrap(text + tail, width) or [""]
        if tail:  # the count is drawn after the text: take its characters back off
            last = lines[-1]
            cut = len(last) - len(tail)
            if cut >= 0:
                lines[-1] = last[:cut]
            else:
                lines = textwrap.wrap(text, width - len(tail)) or [""]
        return lines

    def svg(self) -> str:
        out = [f'<g class="box" data-box="{self.name}">',
               f'<rect x="{self.x}" y="{self.y}" width="{self.width}" height="{self.height}" '
               f'fill="{self.shade}" stroke="#333" stroke-width="1.2" rx="4"/>']
        y = self.y + PAD + LINE - 4
        for text, count, value in self.lines:
            parts = self.wrapped(text, count, value)
            for i, part in enumerate(parts):
                last = i == len(parts) - 1
                shown = "not stated" if value is None else str(value)
                tail = (f' (n = <tspan class="n" data-count="{escape(count)}" font-weight="bold">'
                        f"{shown}</tspan>)") if count and last else ""
                out.append(f'<text x="{self.x + PAD}" y="{y}">{escape(part)}{tail}</text>')
                y += LINE
        out.append("</g>")
        return "\n".join(out)


def arrow(x1: int, y1: int, x2: int, y2: int) -> str:
    return (f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" stroke-width="1.4" '
            'marker-end="url(#arrow)"/>')


def counted(label: str, name: str, value: int | None) -> tuple[str, str | None, int | None]:
    return (label, name, value)


def flow_boxes(flow: Flow, previous: Flow | None) -> tuple[list[Box], list[str], int, int]:
    """The boxes and arrows of the diagram, and its width and height."""
    left = BAND + 20
    prev_x = left
    main_x = left + (BOX_WIDTH + GAP if previous else 0)
    side_x = main_x + BOX_WIDTH + GAP
    y = 50
    ident = [counted("Records identified from databases", "identified", flow.identified)]
    unstated = [db for db, n in flow.databases if n is None]
    ident += [(db, f"database:{db}", n) for db, n in flow.databases if n is not None]
    if unstated:
        ident.append((f"{', '.join(unstated)} (counts per database not stated)", None, None))
    boxes, arrows = [], []
    first = Box(main_x, y, BOX_WIDTH, ident, "identified")
    removed = Box(side_x, y, SIDE_WIDTH, [("Records removed before screening:", None, None),
                                          counted("Duplicate records removed", "duplicates",
                                                  flow.duplicates)], "duplicates")
    boxes += [first, removed]
    if previous:
        boxes.append(Box(prev_x, y, BOX_WIDTH, [counted(
            "Studies included in previous version of review", "previous-included",
            previous.included)], "previous", "#f3f3f3"))
    y += max(first.height, removed.height) + GAP
    screened = Box(main_x, y, BOX_WIDTH, [counted("Records screened", "screened",
                                                  flow.screened)], "screened")
    excluded = Box(side_x, y, SIDE_WIDTH, [
        counted("Records excluded", "excluded-screening", flow.excluded_screening),
        *[(f"{label}", f"reason:{label}", n) for label, n in flow.screening_reasons]],
        "excluded-screening")
    boxes += [screened, excluded]
    y += max(screened.height, excluded.height) + GAP
    sought = Box(main_x, y, BOX_WIDTH, [counted("Reports sought for retrieval", "sought",
                                                flow.sought)], "sought")
    missing = Box(side_x, y, SIDE_WIDTH, [counted("Reports not retrieved", "not-retrieved",
                                                  flow.not_retrieved)], "not-retrieved")
    boxes += [sought, missing]
    y += max(sought.height, missing.height) + GAP
    assessed = Box(main_x, y, BOX_WIDTH, [counted("Reports assessed for eligibility", "assessed",
                                                  flow.assessed)], "assessed")
    reasons: list[tuple[str, str | None, int | None]] = [("Reports excluded:", None, None)]
    if flow.full_text_reasons is None:
        reasons.append(("reasons and counts", "excluded-full-text", None))
    else:
        reasons += [(label, f"reason:{label}", n) for label, n in flow.full_text_reasons] or \
            [("none", None, None)]
    excluded_ft = Box(side_x, y, SIDE_WIDTH, reasons, "excluded-full-text")
    boxes += [assessed, excluded_ft]
    y += max(assessed.height, excluded_ft.height) + GAP
    included = Box(main_x, y, BOX_WIDTH, [counted(
        "New studies included in review" if previous else "Studies included in review",
        "included", flow.included)], "included", min_height=90)
    boxes.append(included)
    if flow.awaiting is not None:  # not a box of the template: the living review is ongoing
        boxes.append(Box(side_x, y, SIDE_WIDTH, [counted(
            "Records awaiting screening or a resolution of screeners' conflict", "awaiting",
            flow.awaiting)], "awaiting", "#fff8e0"))
    for upper, lower in ((first, screened), (screened, sought), (sought, assessed),
                         (assessed, included)):
        arrows.append(arrow(main_x + BOX_WIDTH // 2, upper.y + upper.height,
                            main_x + BOX_WIDTH // 2, lower.y - 2))
    for box in (first, screened, sought, assessed):
        arrows.append(arrow(main_x + BOX_WIDTH, box.y + box.height // 2, side_x - 2,
                            box.y + box.height // 2))
    y += included.height + GAP
    if previous:
        total = None if previous.included is None or flow.included is None else \
            previous.included + flow.included
        total_box = Box(prev_x, y, BOX_WIDTH + GAP + BOX_WIDTH, [counted(
            "Total studies included in review (previous and new)", "total-included", total)],
            "total", "#f3f3f3")
        boxes.append(total_box)
        prev = boxes[2]
        arrows.append(arrow(prev_x + BOX_WIDTH // 2, prev.y + prev.height, prev_x + BOX_WIDTH // 2,
                            y - 2))
        arrows.append(arrow(main_x + BOX_WIDTH // 2, included.y + included.height,
                            main_x + BOX_WIDTH // 2, y - 2))
        y += total_box.height + GAP
    return boxes, arrows, side_x + SIDE_WIDTH + 20, y


def bands(boxes: list[Box], height: int) -> list[str]:
    """The phase bands on the left: Identification, Screening, Included."""
    by_name = {b.name: b for b in boxes}
    spans = [("Identification", by_name["identified"].y,
              by_name["screened"].y - GAP // 2),
             ("Screening", by_name["screened"].y, by_name["included"].y - GAP // 2),
             ("Included", by_name["included"].y, height - GAP)]
    out = []
    for label, top, bottom in spans:
        mid = (top + bottom) // 2
        out.append(f'<rect x="10" y="{top}" width="{BAND}" height="{bottom - top}" '
                   'fill="#a8c8e8" rx="4"/>')
        out.append(f'<text x="{10 + BAND // 2 + 5}" y="{mid}" text-anchor="middle" '
                   f'transform="rotate(-90 {10 + BAND // 2 + 5} {mid})" font-weight="bold">'
                   f"{label}</text>")
    return out


def flow_svg(flow: Flow, title: str, previous: Flow | None = None) -> str:
    """The diagram as a standalone SVG document."""
    boxes, arrows, width, height = flow_boxes(flow, previous)
    head = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="prisma-title" '
            f'style="{FONT}">',
            f'<title id="prisma-title">{escape(title)}</title>',
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#333"/></marker></defs>',
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
            f'<text x="{BAND + 20}" y="28" font-size="15" font-weight="bold">{escape(title)}</text>']
    if previous:
        head.append(f'<text x="{BAND + 20}" y="44" font-style="italic">Previous studies</text>')
        head.append(f'<text x="{BAND + 20 + BOX_WIDTH + GAP}" y="44" font-style="italic">'
                    "Identification of new studies via databases</text>")
    body = [*bands(boxes, height), *(b.svg() for b in boxes), *arrows]
    return "\n".join([*head, *body, "</svg>"]) + "\n"


TITLES = {"review": "PRISMA 2020 flow diagram: the integrative review (as it states its figures)",
          "living": "PRISMA 2020 flow diagram: the living review's searches since the review",
          "all": "PRISMA 2020 flow diagram for updated reviews: the review and its living update"}


def flow_html(svg: str, title: str, notes: list[str]) -> str:
    """A page holding the SVG, with where its figures come from; no script, nothing loaded."""
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    items = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
            f"<title>{escape(title)}</title></head>\n<body style=\"{FONT}\">\n"
            f"<main>\n{svg}<ul class=\"notes\">{items}</ul>\n</main>\n</body></html>\n")


NOTE_LABELS = {"identified": "Records identified", "duplicates": "Duplicates removed",
               "screened": "Records screened", "excluded_screening": "Records excluded",
               "assessed": "Reports assessed", "included": "Studies included"}


def flow_notes(flow: Flow, previous: Flow | None) -> list[str]:
    notes = [f"Figures from {flow.source}."]
    if previous:
        notes.append(f"Previous studies: from {previous.source}.")
    for source in (previous, flow):
        if source is not None:
            notes += [f"{NOTE_LABELS.get(name, name)}: \u201c{quote}\u201d"
                      for name, quote in source.quotes.items()]
    if flow.full_text_reasons is None:
        notes.append("The review does not state how many reports it excluded at full text, "
                     "nor why; the diagram says \u201cnot stated\u201d rather than subtract.")
    return notes


def write_flow(path: Path, flow: Flow, scope: str, previous: Flow | None = None) -> Path:
    """Write the diagram to `path`: SVG for .svg, an HTML page for .html."""
    title = TITLES[scope]
    svg = flow_svg(flow, title, previous)
    text = svg if path.suffix.lower() == ".svg" else flow_html(svg, title,
                                                                flow_notes(flow, previous))
    write_atomic(path, text.encode("utf-8"))
    return path
