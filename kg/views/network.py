"""Interactive network pages of a property graph, built with pyvis and drawn by vis-network.

`pgraph` is anything with `.nodes` (items with `.id`, `.label` = node type, `.props`) and `.edges`
(items with `.source`, `.target`, `.type`, `.props`), as `dta_kg.projection.project` returns.
Record-derived text travels only in a JSON data island and reaches the page as DOM text nodes;
no node or edge gets a vis `title`, so vis's HTML tooltip path is never taken.
"""

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
from markupsafe import Markup
from pyvis.network import Network

from .layout import force_layout
from .page import ASSETS, VIS_DIR, asset, csp, json_island, write_page

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


def type_styles(types: set[str]) -> dict[str, dict[str, str]]:
    """Colour and shape for each node type, stable for a given set of types."""
    extra = sorted(types - STYLES.keys())
    styles = {t: STYLES[t] for t in STYLES if t in types}
    styles |= {t: (FALLBACK[i % len(FALLBACK)], "dot") for i, t in enumerate(extra)}
    return {t: {"color": c, "shape": s} for t, (c, s) in styles.items()}


def resolve_focus(pgraph, key: str) -> str:
    """The id of the node whose id, else DOI, else IRI local name, else display label is `key`.

    Matching ignores case; raises KeyError when nothing matches.
    """
    wanted = key.strip().lower()
    for name_of in (lambda n: n.id, lambda n: n.props.get("doi"), lambda n: _local(n.id),
                    _display):
        for node in pgraph.nodes:
            if str(name_of(node) or "").lower() == wanted:
                return node.id
    raise KeyError(f"no node matches {key!r}")


def ego(pgraph, focus: str, depth: int):
    """The nodes within `depth` hops of `focus` (either direction) and the edges among them."""
    g = nx.Graph()
    g.add_nodes_from(n.id for n in pgraph.nodes)
    g.add_edges_from((e.source, e.target) for e in pgraph.edges)
    keep = set(nx.ego_graph(g, focus, radius=depth))
    nodes = [n for n in pgraph.nodes if n.id in keep]
    edges = [e for e in pgraph.edges if e.source in keep and e.target in keep]
    return nodes, edges


def render_network(
    pgraph,
    path: str | Path,
    *,
    title: str,
    focus: str | None = None,
    depth: int | None = None,
    legend: bool = True,
) -> Path:
    """Write one self-contained HTML page of `pgraph`, or of the ego graph around `focus`.

    `focus` is a node id, DOI, display label or IRI local name; `depth` (default 2) is the
    number of hops kept around it. `legend=False` drops the legend and its type filter.
    """
    nodes, edges = list(pgraph.nodes), list(pgraph.edges)
    focus_id = None
    if focus is not None:
        focus_id = resolve_focus(pgraph, focus)
        nodes, edges = ego(pgraph, focus_id, 2 if depth is None else depth)
    ids = {n.id for n in nodes}
    edges = [e for e in edges if e.source in ids and e.target in ids]
    large = len(nodes) > LARGE
    styles = type_styles({n.label for n in nodes})
    links = [(e.source, e.target) for e in edges]
    positions = force_layout([n.id for n in nodes], links) if large else {}
    components = _components(nodes, edges)

    net = Network(directed=True)
    for n in nodes:
        size = SIZES.get(n.label, FACT_SIZE if "quote" in n.props else VOCAB_SIZE)
        extra = {"x": positions[n.id][0], "y": positions[n.id][1]} if large else {}
        if n.id == focus_id:
            size, extra["borderWidth"] = size * 1.6, 4
        net.add_node(
            n.id,
            label=_short(_display(n)),
            shape=styles[n.label]["shape"],
            color=styles[n.label]["color"],
            size=size,
            type=n.label,
            name=_display(n),
            props={k: _text(v) for k, v in n.props.items() if v is not None},
            components=components.get(n.id, []),
            **extra,
        )
    for e in edges:
        net.add_edge(e.source, e.target, rel=e.type)
    net.toggle_physics(not large)
    net.toggle_hide_edges_on_drag(large)
    options = json.loads(net.options.to_json())
    options["edges"] |= {"smooth": {"enabled": not large, "type": "continuous"},
                         "color": {"color": "#b0b0b0", "highlight": "#333333"},
                         "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}}
    options["physics"]["stabilization"]["iterations"] = 300
    options["interaction"] |= {"hover": True, "tooltipDelay": 150}
    options["layout"] = {"improvedLayout": not large, "randomSeed": 1}

    data = {
        "nodes": net.nodes,
        "edges": net.edges,
        "options": options,
        "focus": focus_id,
        "components": sorted(
            ({"id": n.id, "name": _display(n)} for n in nodes if n.label == "DTAComponent"),
            key=lambda c: c["name"].lower(),
        ),
    }
    vis_js, app_js = asset(VIS_DIR / "vis-network.min.js"), asset(ASSETS / "network.js")
    return write_page(
        "network.html",
        path,
        title=title,
        legend=legend,
        styles=styles,
        counts=Counter(n.label for n in nodes),
        components=data["components"],
        data=json_island(data),
        csp=csp(vis_js, app_js),
        vis_js=Markup(vis_js),
        app_js=Markup(app_js),
        css=Markup(asset(VIS_DIR / "vis-network.css") + asset(ASSETS / "network.css")),
    )


def render_focus_pages(
    pgraph, directory: str | Path, focus_ids, *, depth: int = 2, title: str = "{label}"
) -> dict[str, Path]:
    """Write a focused page per node id into `directory`; return {id: path}.

    `title` is formatted with the node's display `label`. File names come from the IRI local
    name, so they are stable across runs.
    """
    by_id = {n.id: n for n in pgraph.nodes}
    pages = {}
    for node_id in focus_ids:
        name = re.sub(r"[^a-z0-9]+", "-", _local(node_id).lower()).strip("-") or "node"
        pages[node_id] = render_network(
            pgraph,
            Path(directory) / f"{name}.html",
            title=title.format(label=_display(by_id[node_id])),
            focus=node_id,
            depth=depth,
        )
    return pages


def _components(nodes, edges) -> dict[str, list[str]]:
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


def _display(node) -> str:
    return str(node.props.get("label") or node.props.get("shortCitation") or _local(node.id))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _text(value) -> str | list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple | set) else str(value)
