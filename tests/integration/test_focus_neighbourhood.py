"""A focused view reads only its neighbourhood from the store, and draws exactly what the same
view of the whole graph draws (issue 26: focus views cost what their neighbourhood costs)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from dta_kg.cli import main
from dta_kg.pipeline.projection import scoped
from dta_kg.views import resolve_focus
from dta_kg.views import source as view_source
from dta_kg.views.network import ego
from dta_kg.views.source import load_neighbourhood, load_projection

BEATTY = "10.3389/fdgth.2022.847991"


def drawn(pgraph, focus: list[str], depth: int) -> tuple[set, set]:
    nodes, edges = ego(pgraph, focus, depth)
    return ({(n.id, n.label, repr(sorted(n.props.items()))) for n in nodes},
            {(e.source, e.type, e.target) for e in edges})


@pytest.mark.parametrize(("key", "depth", "retracted", "scope"), [
    (BEATTY, 1, False, "all"),
    (BEATTY, 2, False, "all"),
    (BEATTY, 3, True, "all"),
    (f"https://doi.org/{BEATTY}", 2, False, "review"),
    ("WAI-SR", 1, False, "all"),
    ("anonymity", 2, False, "all"),
    ("Beatty et al 2022", 2, False, "all"),
    ("ref 25", 2, False, "all"),  # found on the whole graph, as before
    ("10.1186/s12889-022-13115-x", 2, True, "review"),
])
def test_the_neighbourhood_draws_what_the_whole_graph_draws(built_project, key, depth, retracted,
                                                            scope):
    whole = scoped(load_projection(built_project, include_retracted=retracted), scope)
    focus = resolve_focus(whole, key)
    small, ids = load_neighbourhood(built_project, [key], depth, include_retracted=retracted,
                                    scope=scope)
    assert ids == [focus]
    assert len(small.nodes) < len(whole.nodes)
    assert drawn(small, ids, depth) == drawn(whole, [focus], depth)


def test_a_focused_view_by_doi_never_reads_the_whole_store(built_project, tmp_path, monkeypatch):
    def whole(*args, **kwargs):
        raise AssertionError("the whole graph was read")

    monkeypatch.setattr(view_source, "load_projection", whole)
    out = tmp_path / "beatty.html"
    result = CliRunner().invoke(main, ["view", "-o", str(out), "--focus", BEATTY, "--records",
                                       str(built_project.records), "--build-dir",
                                       str(built_project.build)])
    assert result.exit_code == 0, result.output
    assert "Beatty et al 2022" in out.read_text(encoding="utf-8")


def test_the_view_of_a_query_result_draws_what_the_whole_graph_draws(built_project):
    from dta_kg.query.session import Session
    from dta_kg.views.source import load_result_neighbourhood

    rows = Session(built_project).named("studies-by-instrument", {"instrument": "WAI-SR"}).rows
    whole = load_projection(built_project)
    values = {v for row in rows for k, v in row.items() if k != "study_set" and isinstance(v, str)}
    focus = set()
    for value in values:
        try:
            focus.add(resolve_focus(whole, value))
        except KeyError:
            continue
    small = load_result_neighbourhood(built_project, rows, 1)
    assert len(small.nodes) < len(whole.nodes)
    assert drawn(small, sorted(focus), 1) == drawn(whole, sorted(focus), 1)
