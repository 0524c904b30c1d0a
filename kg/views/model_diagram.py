"""The model diagram drawn as inline SVG, offline (no Mermaid, no script).

The Mermaid `graph LR` source is package data (`views/assets/model.mmd`, which `make generate`
also writes into the README under "### The model"); it is parsed (`A[label] -- relation --> B[label]`),
each node placed in the column of its longest path from the sources, and the edges drawn as
straight arrows labelled with their relation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape

from .page import ASSETS

_NODE = r"(\w+)(?:\[([^\]]*)\])?"
_EDGE = re.compile(rf"^\s*{_NODE}\s*--\s*(.*?)\s*-->\s*{_NODE}\s*$")
BOX_W, LINE_H, PAD, COL_GAP, ROW_GAP, FONT, WRAP = 210, 14, 10, 150, 30, 11, 32


def parse(block: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Node id -> label, and (source, relation, target) edges, from a Mermaid `graph` block."""
    labels: dict[str, str] = {}
    edges = []
    for line in block.splitlines():
        m = _EDGE.match(line)
        if not m:
            continue
        a, a_label, rel, b, b_label = m.groups()
        for node, label in ((a, a_label), (b, b_label)):
            if label or node not in labels:
                labels[node] = label or labels.get(node, node)
        edges.append((a, rel, b))
    return labels, edges


def wrap(label: str) -> list[str]:
    """A label in lines of at most WRAP characters, broken after ' / ' where it can be."""
    lines: list[str] = []
    for part in label.split(" / "):
        piece = part if not lines else f"/ {part}"
        if lines and len(lines[-1]) + len(piece) + 1 <= WRAP:
            lines[-1] += f" {piece}"
        else:
            lines.append(piece)
    return lines


def svg(labels: dict[str, str], edges: list[tuple[str, str, str]]) -> str:
    """The diagram as an <svg> element, columns left to right."""
    column: dict[str, int] = dict.fromkeys(labels, 0)
    for _ in labels:  # longest path, ignoring cycles beyond len(labels) rounds
        for a, _, b in edges:
            if a != b and column[b] < column[a] + 1 <= len(labels):
                column[b] = column[a] + 1
    rows: dict[int, list[str]] = defaultdict(list)
    for node in labels:
        rows[column[node]].append(node)
    lines = {n: wrap(label) for n, label in labels.items()}
    tall = {n: len(ls) * LINE_H + PAD for n, ls in lines.items()}
    where: dict[str, tuple[float, float]] = {}
    for c, nodes in rows.items():
        y = 10.0
        for n in nodes:
            where[n] = (c * (BOX_W + COL_GAP) + 10, y)
            y += tall[n] + ROW_GAP
    width = max(x for x, _ in where.values()) + BOX_W + 20
    height = max(y + tall[n] for n, (_, y) in where.items()) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="The dta-kg model" '
             f'font-family="sans-serif" font-size="{FONT}">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
             'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
             'fill="#666"/></marker></defs>']
    for a, rel, b in edges:
        (ax, ay), (bx, by) = where[a], where[b]
        x1, y1 = ax + BOX_W, ay + tall[a] / 2
        x2, y2 = (bx, by + tall[b] / 2) if bx > ax else (bx + BOX_W / 2, by)
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#999" '
                     'marker-end="url(#arrow)"/>')
        parts.append(f'<text x="{(x1 + x2) / 2}" y="{(y1 + y2) / 2 - 3}" text-anchor="middle" '
                     f'fill="#555" stroke="#fff" stroke-width="3" paint-order="stroke">'
                     f"{escape(rel)}</text>")
    for node, (x, y) in where.items():
        parts.append(f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{tall[node]}" rx="5" '
                     'fill="#eef4fb" stroke="#1f77b4"/>')
        for i, line in enumerate(lines[node]):
            parts.append(f'<text x="{x + BOX_W / 2}" y="{y + PAD / 2 + LINE_H * (i + 1) - 3}" '
                         f'text-anchor="middle">{escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def model_source() -> str:
    """The Mermaid source of the model diagram, as shipped in the package."""
    return (ASSETS / "model.mmd").read_text(encoding="utf-8")


def model_svg() -> str | None:
    """The model diagram as SVG, or None when its source draws no edge."""
    labels, edges = parse(model_source())
    return svg(labels, edges) if edges else None
