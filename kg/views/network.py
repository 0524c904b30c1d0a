"""Interactive network pages of a property graph, built with pyvis and drawn by vis-network.

`pgraph` is anything with `.nodes` (items with `.id`, `.label` = node type, `.props`) and `.edges`
(items with `.source`, `.target`, `.type`, `.props`), as `dta_kg.pipeline.projection.project` returns.
Record-derived text travels only in a JSON data island and reaches the page as DOM text nodes;
no node or edge gets a vis `title`, so vis's HTML tooltip path is never taken.
"""

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from markupsafe import Markup

from dta_kg.core.basis import label, level_at
from dta_kg.core.files import write_folder
from dta_kg.core.iris import normalise_doi
from dta_kg.core.lookup import StudyKey, find_study
from dta_kg.core.model import FACT_CLASSES
from dta_kg.core.output import math_as_text
from dta_kg.pipeline.projection import Edge, Node, PropertyGraph

from .layout import force_layout
from .overview import column_layout, overview
from .page import ASSETS, asset, csp, json_island, vis_dir, write_page

LARGE = 1000  # above this many nodes: layout in Python, physics off
LABEL_MAX = 40

STYLES = {  # node type -> (colour, vis shape); other types get FALLBACK colours and "dot"
    "Study": ("#1f77b4", "dot"),
    "DTAComponent": ("#d62728", "star"),
    "Instrument": ("#2ca02c", "square"),
    "Subscale": ("#98df8a", "triangle"),
    "EngagementMetric": ("#17becf", "triangleDown"),
    "GoalSettingFramework": ("#bcbd22", "triangle"),
    "Finding": ("#ff7f0e", "diamond"),
    "ComponentReport": ("#f7b267", "diamond"),
    "FactorReport": ("#9467bd", "diamond"),
    "FactorTheme": ("#c5b0d5", "hexagon"),
    "InterventionType": ("#8c564b", "hexagon"),
    "InterventionReport": ("#c49c94", "diamond"),
    "DesignReport": ("#7f7f7f", "diamond"),
    "StudyDesign": ("#525252", "square"),
}
FALLBACK = ["#e377c2", "#f7b6d2", "#6b6ecf", "#b5cf6b", "#e7ba52", "#ad494a", "#a55194"]
SIZES = {"Study": 16, "DTAComponent": 26}
FACT_SIZE, VOCAB_SIZE = 9, 18
OVERVIEW_FONTS = {"DTAComponent": 44}  # in a whole-graph view, legible when zoomed out
# the overview (studies and concepts, facts folded into edges): every label legible at the
# zoom that fits the graph in a window, components largest
FOLDED_FONT, FOLDED_EDGE_FONT, FOLDED_LABEL_MAX = 16, 12, 26
EDGE_COLOURS = {"informs": "#d62728", "measured with": "#2ca02c", "facilitator": "#1f77b4",
                "barrier": "#ff7f0e", "design": "#7f7f7f", "intervention type": "#8c564b"}
FACT_FONT, NAMED_FONT, DRAW_THRESHOLD = 10, 16, 9  # small labels show only when zoomed in
FACT_TYPES = set(FACT_CLASSES)
# a focused view reaches further only through studies and the evidenced facts about them, so
# vocabulary hubs (a component, a polarity, the review, the curators) end a path
PASS_THROUGH = FACT_TYPES | {"Study"}
UNNAMED_TARGETS = {"Study", "Agent"}  # not used to name an unlabelled fact


def type_styles(types: set[str]) -> dict[str, dict[str, str]]:
    """Colour and shape for each node type, stable for a given set of types."""
    extra = sorted(types - STYLES.keys())
    styles = {t: STYLES[t] for t in STYLES if t in types}
    styles |= {t: (FALLBACK[i % len(FALLBACK)], "dot") for i, t in enumerate(extra)}
    return {t: {"color": c, "shape": s} for t, (c, s) in styles.items()}


def resolve_focus(pgraph: PropertyGraph, key: str) -> str:
    """The id of the node whose id, else DOI (with or without a resolver prefix), else IRI
    local name, else display label, else alternative label is `key`; else the study `key`
    names by citation ('Liu 2022') or reference number ('ref 44').

    Matching ignores case; raises KeyError when nothing matches.
    """
    wanted, doi = key.strip().lower(), normalise_doi(key)
    for names_of, value in ((lambda n: [n.id], wanted),
                            (lambda n: [normalise_doi(str(n.props.get("doi") or ""))], doi),
                            (lambda n: [_local(n.id)], wanted),
                            (lambda n: [_display(n)], wanted),
                            (lambda n: n.props.get("altLabels") or [], wanted)):
        for node in pgraph.nodes:
            if value in (str(name).lower() for name in names_of(node)):
                return node.id
    studies = {StudyKey(normalise_doi(str(n.props.get("doi") or "")),
                        str(n.props.get("shortCitation") or ""), str(n.props.get("firstAuthor") or ""),
                        str(n.props.get("year") or ""), n.props.get("referenceNumber")): n.id
               for n in pgraph.nodes if n.label == "Study"}
    found = find_study(key, list(studies))  # a citation or a reference number; several: an error
    if found is not None:
        return studies[found]
    raise KeyError(f"no node matches {key!r}")


def ego(pgraph: PropertyGraph, focus: Iterable[str], depth: int) -> tuple[list[Node], list[Edge]]:
    """The nodes within `depth` hops of any `focus` id (either direction), and the edges among
    them. Paths continue only through the focus, studies and facts (see PASS_THROUGH)."""
    adjacent = defaultdict(set)
    for e in pgraph.edges:
        adjacent[e.source].add(e.target)
        adjacent[e.target].add(e.source)
    kind = {n.id: n.label for n in pgraph.nodes}
    focus = set(focus)
    keep, ring = set(focus), set(focus)
    for _ in range(depth):
        ring = {m for n in ring if kind[n] in PASS_THROUGH or n in focus
                for m in adjacent[n]} - keep
        keep |= ring
    nodes = [n for n in pgraph.nodes if n.id in keep]
    edges = [e for e in pgraph.edges if e.source in keep and e.target in keep]
    return nodes, edges


def render_network(
    pgraph: PropertyGraph,
    path: str | Path,
    *,
    title: str,
    focus: str | Sequence[str] | None = None,
    depth: int | None = None,
    legend: bool = True,
    hidden_types: Iterable[str] = ("Agent",),
    folded: bool = False,
) -> Path:
    """Write one self-contained HTML page of `pgraph`, or of the neighbourhood of `focus`.

    `focus` is one key or several (each a node id, DOI, label or IRI local name, as
    `resolve_focus` takes it); `depth` (default 2) is the number of hops kept around them.
    `legend=False` drops the legend and its type filter; `hidden_types` start unticked there
    (by default the curators' Agent node, which every fact links to). `folded` says the graph
    is an overview (see `overview`): its edges are drawn with their labels and carry the facts
    they fold.
    """
    # lazy: pyvis loads ~175 ms; the gap map and `views.source` import this package without drawing
    from pyvis.network import Network

    nodes, edges = list(pgraph.nodes), list(pgraph.edges)
    focus_ids = []
    if focus is not None:
        focus_ids = [resolve_focus(pgraph, key) for key in ([focus] if isinstance(focus, str)
                                                               else focus)]
        nodes, edges = ego(pgraph, focus_ids, 2 if depth is None else depth)
    ids = {n.id for n in nodes}
    edges = [e for e in edges if e.source in ids and e.target in ids]
    large = len(nodes) > LARGE
    styles = type_styles({n.label for n in nodes})
    if folded:
        styles = {t: {**style, "shape": "box"} for t, style in styles.items()}
    links = [(e.source, e.target) for e in edges]
    components = _components(nodes, edges)
    names = _names(nodes, edges)
    fixed = large or folded  # placed here, not by the page's physics
    shown = {i: _short(name, FOLDED_LABEL_MAX) for i, name in names.items()}
    positions = (column_layout(PropertyGraph(nodes, edges), shown) if folded
                 else force_layout([n.id for n in nodes], links) if large else {})
    fonts = {} if focus_ids else OVERVIEW_FONTS

    net = Network(directed=True)
    for n in nodes:
        fact = n.label in FACT_TYPES
        size = SIZES.get(n.label, FACT_SIZE if fact else VOCAB_SIZE)
        extra: dict[str, object] = ({"x": positions[n.id][0], "y": positions[n.id][1]}
                                    if fixed else {})
        if n.id in focus_ids:
            size, extra["borderWidth"] = round(size * 1.6), 4
        font = {"size": fonts.get(n.label, FACT_FONT if fact else NAMED_FONT)}
        if folded:  # a box that holds its label, bordered in its type's colour
            extra |= {"borderWidth": 2, "margin": 3}
            font = {"size": FOLDED_FONT}
        net.add_node(
            n.id,
            label=_short(names[n.id], FOLDED_LABEL_MAX if folded else LABEL_MAX),
            shape=styles[n.label]["shape"],
            color=({"background": "#ffffff", "border": styles[n.label]["color"]} if folded
                   else styles[n.label]["color"]),
            size=size,
            font=font,
            type=n.label,
            name=names[n.id],
            props=_shown_props(n.props),
            components=components.get(n.id, []),
            **extra,
        )
    for e in edges:
        if folded:  # the relation as the edge's colour, and as its label once zoomed in
            colour = EDGE_COLOURS.get(e.type, "#b0b0b0")
            net.add_edge(e.source, e.target, rel=e.type, label=e.type,
                         facts=[{k: _text(v) for k, v in f.items()} for f in e.props["facts"]],
                         color={"color": colour, "highlight": colour, "opacity": 0.55},
                         font={"size": FOLDED_EDGE_FONT, "align": "middle", "color": "#333"})
        else:
            net.add_edge(e.source, e.target, rel=e.type)
    net.toggle_hide_edges_on_drag(large)
    options = json.loads(net.options.to_json())
    options["nodes"] = {"scaling": {"label": {"drawThreshold": DRAW_THRESHOLD}}}
    options["edges"] |= {"smooth": {"enabled": not fixed, "type": "continuous"},
                         "color": {"color": "#b0b0b0", "highlight": "#333333"},
                         "arrows": {"to": {"enabled": not folded, "scaleFactor": 0.4}},
                         "scaling": {"label": {"drawThreshold": DRAW_THRESHOLD}}}
    options["physics"] = {
        "enabled": not fixed, "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "centralGravity": 0.012,
                             "springLength": 60, "springConstant": 0.06, "avoidOverlap": 0.4},
        "stabilization": {"enabled": True, "iterations": 400, "fit": True},
    }
    options["interaction"] |= {"hover": True, "tooltipDelay": 150}
    options["layout"] = {"improvedLayout": not fixed, "randomSeed": 1}

    hidden = set(hidden_types) if legend else set()
    data = {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        "focus": focus_ids,
        "hidden": [t for t in styles if t in hidden],
        "components": sorted(
            ({"id": n.id, "name": names[n.id]} for n in nodes if n.label == "DTAComponent"),
            key=lambda c: c["name"].lower(),
        ),
    }
    vis_js, app_js = asset(vis_dir() / "vis-network.min.js"), asset(ASSETS / "network.js")
    return write_page(
        "network.html",
        path,
        title=title,
        legend=legend,
        styles=styles,
        hidden=data["hidden"],
        counts=Counter(n.label for n in nodes),
        edge_colours={rel: EDGE_COLOURS[rel] for rel in EDGE_COLOURS
                      if any(e.type == rel for e in edges)} if folded else {},
        components=data["components"],
        data=json_island(data),
        csp=csp(vis_js, app_js),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        css=Markup(asset(vis_dir() / "vis-network.css") + asset(ASSETS / "network.css")),
    )


def render_overview(pgraph: PropertyGraph, path: str | Path, *, title: str) -> Path:
    """Write the overview of `pgraph`: its studies and the concepts they connect to, each
    study's facts folded into labelled edges (see `overview.overview`)."""
    return render_network(overview(pgraph), path, title=title, folded=True)


def render_result(pgraph: PropertyGraph, rows: Iterable[dict], path: str | Path, *, title: str,
                  depth: int = 1) -> Path:
    """Write a view of the nodes a query result names, and `depth` hops around them.

    Each text value of the `rows` (dicts, as query results come) that is a node's id, DOI,
    label or alternative label (see `resolve_focus`) is a focus; other values, and the
    `study_set` column, are ignored. Raises KeyError when no value names a node.
    """
    found = []
    # a study's set ('review' or 'living') names no node: the design 'review' is another thing
    for value in {v for row in rows for k, v in row.items()
                  if k != "study_set" and isinstance(v, str) and v.strip()}:
        try:
            found.append(resolve_focus(pgraph, value))
        except KeyError:
            continue
    if not found:
        raise KeyError("no value of the result names a node of the graph")
    return render_network(pgraph, path, title=title, focus=sorted(set(found)), depth=depth)


def render_focus_pages(
    pgraph: PropertyGraph, directory: str | Path, focus_ids: Iterable[str], *, depth: int = 2,
    title: str = "{label}"
) -> dict[str, Path]:
    """Write the folder `directory` (through `dta_kg.core.files.write_folder`) with a focused
    page per node id; return {id: path}.

    `title` is formatted with the node's display `label`. File names come from the IRI local
    name, so they are stable across runs.
    """
    by_id = {n.id: n for n in pgraph.nodes}
    names = {node_id: re.sub(r"[^a-z0-9]+", "-", _local(node_id).lower()).strip("-") or "node"
             for node_id in focus_ids}

    def fill(folder: Path) -> None:
        for node_id, name in names.items():
            render_network(pgraph, folder / f"{name}.html",
                           title=title.format(label=_display(by_id[node_id])), focus=node_id,
                           depth=depth)

    write_folder(Path(directory), fill)
    return {node_id: Path(directory) / f"{name}.html" for node_id, name in names.items()}


def _components(nodes: list[Node], edges: list[Edge]) -> dict[str, list[str]]:
    """For the component filter: each node id -> the DTA components within two hops of it."""
    adjacent = defaultdict(set)
    for e in edges:
        adjacent[e.source].add(e.target)
        adjacent[e.target].add(e.source)
    near = defaultdict(list)
    for c in (n.id for n in nodes if n.label == "DTAComponent"):
        ring = adjacent[c] | {c}
        for node_id in ring.union(*(adjacent[m] for m in ring)):
            near[node_id].append(c)
    return near


def _names(nodes: list[Node], edges: list[Edge]) -> dict[str, str]:
    """Display names; a node labelled only by its IRI (a fact without rdfs:label) is named
    after what it points to, e.g. "therapeutic bond · WAI-SR bond subscale"."""
    by_id = {n.id: n for n in nodes}
    names = {n.id: _display(n) for n in nodes}
    targets = defaultdict(list)
    for e in edges:
        if by_id[e.target].label not in UNNAMED_TARGETS:
            targets[e.source].append(names[e.target])
    studies = defaultdict(list)
    for e in edges:
        if by_id[e.target].label == "Study":
            studies[e.source].append(names[e.target])
    for n in nodes:
        if names[n.id] == _local(n.id) and targets[n.id]:
            names[n.id] = " · ".join(sorted(set(targets[n.id]), key=str.lower))
        for study in studies[n.id]:  # a fact drawn beside its study: "therapeutic bond", not
            names[n.id] = names[n.id].removeprefix(f"{study}: ")  # "Beatty et al 2022: ..."
    return names


def _display(node: Node) -> str:
    return str(node.props.get("label") or node.props.get("shortCitation") or _local(node.id))


def _short(text: str, most: int = LABEL_MAX) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _shown_props(props: dict) -> dict[str, str | list[str]]:
    """A node's properties as the panel shows them; its basis read as a person reads it
    ('inferred (low confidence)'), from its rank."""
    shown = {k: _text(v) for k, v in props.items() if v is not None and k != "basisRank"}
    if isinstance(props.get("basisRank"), int):
        shown["basis"] = label(level_at(props["basisRank"]))
    return shown


def _text(value: object) -> str | list[str]:
    """A property as the panel shows it: text, the review's math as text ("d = 0.83")."""
    if isinstance(value, list | tuple | set):
        return [math_as_text(str(v)) for v in value]
    return math_as_text(str(value))
