"""What the views read from a built project: the property graph and the gap map's cell data.

Both first rebuild the project when its build is missing or stale (`dta_kg.pipeline.manifest.ensure_fresh`),
then read the build: the N-Triples file for the projection, the Oxigraph store for SPARQL.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import cast

from dta_kg.core.basis import STATED, UNGIVEN, at_least, level_at, rank, strongest
from dta_kg.core.paths import Project
from dta_kg.pipeline.projection import PropertyGraph, scoped
from dta_kg.pipeline.projection import project as projection
from dta_kg.query.session import Session
from dta_kg.stores.local import ensure_fresh, sparql_store, store_triples

from .neighbourhood import Neighbourhood
from .network import resolve_focus
from .page import ASSETS, asset

Notify = Callable[[str], None] | None


def load_projection(project: Project, *, include_retracted: bool = False, notify: Notify = None,
                    min_confidence: str = UNGIVEN) -> PropertyGraph:
    """The property-graph projection of the built graph (retracted facts left out by default,
    and the facts less sure than `min_confidence`), read from the Oxigraph store without
    building an rdflib graph."""
    ensure_fresh(project, notify)
    pgraph = projection(store_triples(sparql_store(project)), include_retracted=include_retracted)
    least = rank(min_confidence)
    gone = {n.id for n in pgraph.nodes if n.props.get("basisRank", least) < least}
    if not gone:
        return pgraph
    return PropertyGraph([n for n in pgraph.nodes if n.id not in gone],
                         [e for e in pgraph.edges if e.source not in gone and e.target not in gone])


def load_neighbourhood(project: Project, keys: list[str], depth: int, *,
                       include_retracted: bool = False, scope: str = "all",
                       notify: Notify = None) -> tuple[PropertyGraph, list[str]]:
    """The projection of the neighbourhood `depth` hops around the nodes `keys` name, read
    from the store alone (see `neighbourhood`), and their ids. A key not found by IRI, DOI or
    a name as written is looked up as `resolve_focus` does, in the whole graph (KeyError when
    nothing matches)."""
    ensure_fresh(project, notify)
    hood = Neighbourhood(sparql_store(project), include_retracted, scope)
    found = [hood.find(key) for key in keys]
    if None in found:
        whole = scoped(load_projection(project, include_retracted=include_retracted), scope)
        ids = [f or resolve_focus(whole, key) for key, f in zip(keys, found, strict=True)]
    else:
        ids = cast(list[str], found)
    return hood.graph(hood.reach(ids, depth)), ids


def load_result_neighbourhood(project: Project, rows: list[dict], depth: int, *,
                              include_retracted: bool = False) -> PropertyGraph:
    """The projection of the neighbourhood, `depth` hops, of the nodes a query result's values
    name by IRI, DOI or a name as written (as `render_result` draws it), read from the store
    alone; the whole graph when no value names a node so (`render_result` then looks further)."""
    ensure_fresh(project)
    hood = Neighbourhood(sparql_store(project), include_retracted, "all")
    values = {v for row in rows for k, v in row.items()
              if k != "study_set" and isinstance(v, str) and v.strip()}
    ids = sorted({found for value in values if (found := hood.find(value))})
    if not ids:
        return load_projection(project, include_retracted=include_retracted)
    return hood.graph(hood.reach(ids, depth))


def gap_map_data(project: Project, *, scope: str = "all", notify: Notify = None,
                 min_confidence: str = UNGIVEN) -> dict:
    """Keyword arguments for `render_gap_map`, from two SPARQL queries over the built graph
    (assets/gap-map-axes.rq and gap-map-cells.rq; retracted studies and facts left out).
    `scope` keeps the review's studies ("review"), those added after it ("living") or both;
    facts less sure than `min_confidence` are left out. Each study's `levels` say what each of
    its values stands on (the strongest of the facts that give it)."""
    session = Session(project, notify)
    axes: dict[str, list[str]] = defaultdict(list)
    stated, details = {}, {}
    for row in session.sparql(asset(ASSETS / "gap-map-axes.rq"), trusted=True).rows:
        name = row["name"]
        axes[row["axis"]].append(name)
        if row["stated"] is not None:
            stated[name] = int(row["stated"])
        if row["axis"] == "instruments":
            subscales = sorted(filter(None, (row["subscales"] or "").split("|")))
            details[name] = "; ".join(
                [row["kind"].lower()] + ([row["label"]] if row["label"] != name else [])
                + ([f"subscales: {', '.join(subscales)}"] if subscales else []))

    studies: dict[str, dict] = {}
    for row in session.sparql(asset(ASSETS / "gap-map-cells.rq"), trusted=True).rows:
        if scope != "all" and row["studySet"] != scope:
            continue
        level = STATED if row["rank"] is None else level_at(int(row["rank"]))
        if row["axis"] is not None and not at_least(level, min_confidence):
            continue
        study = studies.setdefault(row["study"], {
            "id": row["study"], "label": row["citation"], "doi": row["doi"],
            "title": row["title"], "year": row["year"], "scope": row["studySet"],
            "components": [],
            "intervention_types": [], "instruments": [], "instrument_uses": [], "levels": {}})
        axis = row["axis"]
        if axis is not None:
            value = row["component"] if axis == "components" else row["value"]
            known = study["levels"].setdefault(axis, {})
            known[value] = strongest([level, known.get(value, UNGIVEN)])
            if axis == "instruments":  # what the component of a measure's use stands on
                uses = study["levels"].setdefault("instrument_uses", {})
                key = f"{row['component']}\x1f{row['value']}"
                uses[key] = strongest([level, uses.get(key, UNGIVEN)])
        if axis in ("designs", "populations"):
            _add(study.setdefault(axis, []), row["value"])
        elif axis == "components":
            _add(study["components"], row["component"])
        elif axis == "intervention_types":
            _add(study["intervention_types"], row["value"])
        elif axis == "instruments":
            _add(study["instruments"], row["value"])
            _add(study["instrument_uses"], {"component": row["component"],
                                            "instrument": row["value"],
                                            "subscale": row["subscale"]})
    return {"studies": list(studies.values()), "components": axes["components"],
            "intervention_types": axes["intervention_types"],
            "instruments": axes["instruments"], "stated_counts": stated, "details": details}


def _add(items: list, item: object) -> None:
    if item not in items:
        items.append(item)
