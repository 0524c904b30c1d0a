"""The overview: studies and the concepts they connect to, with each study's facts folded into
one labelled edge per study and concept.

A fact node (a component report, a finding, a factor report, a design or intervention report)
sits between its study and the vocabulary terms it names; the overview drops the fact node and
draws an edge from the study to each such term instead, labelled by what the fact says
("informs", "measured with", "facilitator", "barrier", "design", "intervention type"). The
folded facts travel on the edge, so the page can still show each one's quote and basis.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from dta_kg.core.basis import label, level_at
from dta_kg.pipeline.projection import Edge, PropertyGraph

# the concepts an overview draws beside the studies, in the legend's order
CONCEPT_TYPES = ("DTAComponent", "Instrument", "Subscale", "EngagementMetric",
                 "GoalSettingFramework", "FactorConcept", "StudyDesign", "InterventionType")
# (fact type, edge type from the fact to a concept) -> the folded edge's label; None: the
# label is the fact's polarity
FOLDS: dict[tuple[str, str], str | None] = {
    # the component a fact informs (derived: facilitators and barriers through factor reports)
    ("ComponentReport", "INFORMS_COMPONENT"): "informs",
    ("Finding", "INFORMS_COMPONENT"): "informs",
    ("FactorReport", "INFORMS_COMPONENT"): "informs",
    ("Finding", "USES_MEASURE"): "measured with",
    ("Finding", "USES_SUBSCALE"): "measured with",
    ("FactorReport", "FACTOR_CONCEPT"): None,
    ("DesignReport", "DESIGN"): "design",
    ("InterventionReport", "INTERVENTION_TYPE"): "intervention type",
}
FOLDED_PROPS = ("label", "quote", "section", "inferred", "quoteVerified")


def overview(pgraph: PropertyGraph) -> PropertyGraph:
    """`pgraph` as studies and concepts, each study's facts folded into labelled edges.

    One edge per study, concept and label; its `facts` prop lists the folded facts (type and
    the props in FOLDED_PROPS), sorted, so the same graph gives the same page."""
    kind = {n.id: n.label for n in pgraph.nodes}
    labels = {n.id: str(n.props.get("label") or "") for n in pgraph.nodes}
    study_of: dict[str, str] = {}
    polarity_of: dict[str, str] = {}
    for e in pgraph.edges:
        if e.type == "ABOUT_STUDY" and kind.get(e.target) == "Study":
            study_of[e.source] = e.target
        elif e.type == "HAS_POLARITY":
            polarity_of[e.source] = labels.get(e.target) or "factor"
    facts = {n.id: n for n in pgraph.nodes}
    folded: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in pgraph.edges:
        fold = (kind.get(e.source, ""), e.type)
        if fold not in FOLDS or e.source not in study_of or kind.get(e.target) not in CONCEPT_TYPES:
            continue
        label = FOLDS[fold] or polarity_of.get(e.source, "factor")
        fact = facts[e.source]
        folded[(study_of[e.source], e.target, label)].append(
            {"type": fact.label, **{k: fact.props[k] for k in FOLDED_PROPS if k in fact.props},
             **_basis(fact.props)})
    drawn = {end for source, target, _ in folded for end in (source, target)}
    nodes = [n for n in pgraph.nodes if n.id in drawn]
    edges = [Edge(source, target, label, {"facts": sorted(found, key=_fact_key)})
             for (source, target, label), found in sorted(folded.items())]
    return PropertyGraph(nodes, edges)


def _basis(props: dict[str, Any]) -> dict[str, str]:
    """A folded fact's basis as a person reads it ('inferred (low confidence)')."""
    rank = props.get("basisRank")
    return {"basis": label(level_at(rank))} if isinstance(rank, int) else {}


def _fact_key(fact: dict[str, Any]) -> tuple[str, str]:
    return (str(fact.get("type")), str(fact.get("label") or fact.get("quote") or ""))



# the overview's columns, left to right; the studies sit between what they measure and report
# (designs, intervention types, components and measures) and their facilitators and barriers
COLUMNS: tuple[tuple[str, ...], ...] = (
    ("StudyDesign", "InterventionType"),
    ("DTAComponent", "Instrument", "Subscale", "EngagementMetric", "GoalSettingFramework"),
    ("Study",),
    ("FactorConcept",),
)
ROW, CHAR, GAP = 38.0, 9.0, 40.0  # graph units: a row's height, a label character, between columns


def column_layout(pgraph: PropertyGraph, names: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Positions for the overview: one column per group of COLUMNS (two or more where a group
    has more nodes than there are studies), each node on its own row,
    the types of a column one after another, and within a type the rows ordered so that edges
    cross little (each node at the mean row of its neighbours, a few rounds, ties broken by
    name); the same graph gives the same positions."""
    kind = {n.id: n.label for n in pgraph.nodes}
    column_of = {t: k for k, types in enumerate(COLUMNS) for t in types}
    columns: list[list[str]] = [[] for _ in COLUMNS]
    for n in pgraph.nodes:
        if n.label in column_of:
            columns[column_of[n.label]].append(n.id)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in pgraph.edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    rank: dict[str, float] = {}  # a node's row as a share of its column's height
    for _ in range(4):
        for k in (2, 1, 0, 3, 2):
            def key(node_id: str, k: int = k, rank: dict[str, float] = rank
                    ) -> tuple[int, float, str]:
                near = [rank[m] for m in neighbours[node_id] if m in rank and m not in columns[k]]
                return (COLUMNS[k].index(kind[node_id]), sum(near) / len(near) if near else 0.5,
                        names[node_id].casefold())
            columns[k].sort(key=key)
            rank |= {node_id: row / max(len(columns[k]) - 1, 1)
                     for row, node_id in enumerate(columns[k])}
    # a column longer than the studies' continues in a second one beside it
    rows = max(len(columns[COLUMNS.index(("Study",))]), 1)
    parts = [group[i:i + rows] for group in columns for i in range(0, len(group), rows)]
    positions: dict[str, tuple[float, float]] = {}
    x = 0.0
    for k, part in enumerate(parts):
        half = max([len(names[i]) for i in part] or [0]) * CHAR / 2
        x += half if k else 0.0
        top = -(len(part) - 1) * ROW / 2
        for row, node_id in enumerate(part):
            positions[node_id] = (round(x, 1), round(top + row * ROW, 1))
        x += half + GAP
    return positions
