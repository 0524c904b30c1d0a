"""A Neo4j Browser style sheet (GraSS, `.grass`) for the exported property graph.

Drag the file onto Neo4j Browser (or `:style` and paste it): each node label gets a colour and
its `label` property as caption, each relationship its type. The colours follow the HTML
network view's legend (studies blue, components red, findings orange, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

COLOURS = {
    "Study": "#1f77b4", "DTAComponent": "#d62728", "Instrument": "#2ca02c",
    "Subscale": "#98df8a", "EngagementMetric": "#17becf", "GoalSettingFramework": "#bcbd22",
    "Finding": "#ff7f0e", "ComponentReport": "#f7b267", "FactorReport": "#9467bd",
    "FactorTheme": "#c5b0d5", "InterventionType": "#8c564b", "InterventionReport": "#c49c94",
    "DesignReport": "#7f7f7f", "StudyDesign": "#525252",
}
OTHER = ["#e377c2", "#f7b6d2", "#6b6ecf", "#b5cf6b", "#e7ba52", "#ad494a", "#a55194"]
BIG = {"Study": 65, "DTAComponent": 80, "IntegrativeReview": 80}


def _text_colour(colour: str) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def grass(labels: Iterable[str]) -> str:
    """The style sheet for these node labels (others fall back to Browser's default)."""
    lines = ["node {", "  diameter: 50px;", "  color: #a5abb6;", "  border-color: #9aa1ac;",
             "  border-width: 2px;", "  text-color-internal: #ffffff;", "  font-size: 10px;",
             "  caption: '{label}';", "}", "",
             "relationship {", "  color: #a5abb6;", "  shaft-width: 1px;", "  font-size: 8px;",
             "  padding: 3px;", "  text-color-external: #000000;",
             "  text-color-internal: #ffffff;", "  caption: '<type>';", "}"]
    extra = iter(OTHER * 10)
    for label in sorted(set(labels)):
        colour = COLOURS.get(label) or next(extra)
        lines += ["", f"node.{label} {{", f"  color: {colour};", f"  border-color: {colour};",
                  f"  text-color-internal: {_text_colour(colour)};",
                  f"  diameter: {BIG.get(label, 50)}px;", "  caption: '{label}';", "}"]
    return "\n".join(lines) + "\n"
