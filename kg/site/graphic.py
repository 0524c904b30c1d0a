"""A study's focus graph as inline SVG: the study in the middle, the terms its facts name on a
circle around it, each a link to its page. No script: it draws as the page loads."""

from __future__ import annotations

import math
from html import escape

COLOURS = {"component": "#c62828", "instrument": "#2e7d32", "subscale": "#558b2f",
           "engagement metric": "#00838f", "goal-setting framework": "#827717",
           "factor theme": "#6a1b9a", "design": "#424242", "intervention type": "#6d4c41"}
WIDTH, HEIGHT, RX, RY = 960, 440, 250, 170


def focus_svg(citation: str, neighbours: list[dict[str, str]], root: str) -> str:
    """SVG markup; `neighbours` are dicts with label, href (from the site root) and kind."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    n = max(len(neighbours), 1)
    parts = [f'<svg class="focus-graph" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
             f'height="{HEIGHT}" role="group" aria-label="{escape(citation)} and the terms its '
             f'facts name ({len(neighbours)})"><title>Focus graph of {escape(citation)}</title>']
    spots = []
    for i, node in enumerate(neighbours):
        angle = 2 * math.pi * (i + 0.5) / n - math.pi / 2
        x, y = cx + RX * math.cos(angle), cy + RY * math.sin(angle)
        spots.append((x, y, node))
        parts.append(f'<line x1="{cx:.0f}" y1="{cy:.0f}" x2="{x:.0f}" y2="{y:.0f}" '
                     'stroke="#9e9e9e" stroke-width="1.5"/>')
    for x, y, node in spots:
        colour = COLOURS.get(node["kind"], "#37474f")
        anchor = "start" if x > cx + 1 else "end" if x < cx - 1 else "middle"
        dx = 12 if anchor == "start" else -12 if anchor == "end" else 0
        parts.append(f'<a href="{escape(root + node["href"])}" aria-label="{escape(node["kind"])}: '
                     f'{escape(node["label"])}"><circle cx="{x:.0f}" cy="{y:.0f}" r="9" '
                     f'fill="{colour}"/><text x="{x + dx:.0f}" y="{y + 4:.0f}" text-anchor="{anchor}">'
                     f'{escape(_short(node["label"]))}</text></a>')
    parts.append(f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="16" fill="#1565c0"/>'
                 f'<text x="{cx:.0f}" y="{cy + 34:.0f}" text-anchor="middle" font-weight="600">'
                 f'{escape(citation)}</text></svg>')
    return "".join(parts)


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
