"""Result formatting: table, JSON (a list of objects), CSV, TSV and Markdown."""

from __future__ import annotations

import csv
import io
import json

import pytest

from dta_kg.core.output import default_format, render, render_chunks

ROWS = [{"study": "Beatty et al 2022", "year": 2022, "tags": ["a", "b"], "ok": True, "x": None},
        {"study": "He | et al", "year": 2022, "tags": [], "ok": False, "x": 0.83}]


def test_json_is_a_list_of_objects_in_column_order():
    data = json.loads(render(ROWS, "json", ["year", "study"]))
    assert data == [{"year": 2022, "study": "Beatty et al 2022"}, {"year": 2022, "study": "He | et al"}]
    assert render([], "json") == "[]"


def test_json_puts_one_row_on_each_line():
    lines = render(ROWS, "json", ["study", "tags"]).splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    assert [json.loads(line.rstrip(",")) for line in lines[1:-1]] == [
        {"study": "Beatty et al 2022", "tags": ["a", "b"]}, {"study": "He | et al", "tags": []}]


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("tsv", "\t")])
def test_csv_and_tsv_flatten_values(fmt, delimiter):
    rows = list(csv.reader(io.StringIO(render(ROWS, fmt)), delimiter=delimiter))
    assert rows == [["study", "year", "tags", "ok", "x"],
                    ["Beatty et al 2022", "2022", "a; b", "true", ""],
                    ["He | et al", "2022", "", "false", "0.83"]]
    assert render([], fmt, ["a", "b"]) == f"a{delimiter}b"


def test_table_aligns_and_wraps_long_cells():
    text = render([{"a": "word " * 30, "b": 1}], "table")
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b"] and set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) > 4 and max(len(line) for line in lines) < 70
    assert lines[-1] == "(1 row)"
    assert render([], "table", ["a"]).splitlines()[-1] == "(0 rows)"


def test_markdown_escapes_pipes():
    lines = render(ROWS, "markdown").splitlines()
    assert lines[:2] == ["| study | year | tags | ok | x |", "|---|---|---|---|---|"]
    assert lines[3].startswith("| He \\| et al |")


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render(ROWS, "xml")


def test_default_format_is_a_table_only_on_a_terminal(monkeypatch):
    class Stdout(io.StringIO):
        def __init__(self, tty):
            super().__init__()
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.setattr("sys.stdout", Stdout(True))
    assert default_format() == "table"
    monkeypatch.setattr("sys.stdout", Stdout(False))
    assert default_format() == "json"


def test_ask_answers_print_true_or_false_in_every_format():
    from dta_kg.core.output import render
    from dta_kg.core.registry import OUTPUT_FORMATS as FORMATS

    for fmt in FORMATS:
        assert render([{"ask": True}], fmt, ["ask"]) == "true"
        assert render([{"ask": False}], fmt, ["ask"]) == "false"
    # a SELECT that happens to have one column is rendered as rows
    assert render([{"ask": "yes"}], "csv", ["ask"]) == "ask\nyes"


def test_latex_math_in_quotes_is_shown_as_text_and_left_as_stored():
    from dta_kg.core.output import math_as_text, render

    rows = [{"quote": "compared to bibliotherapy with a Cohen $d=0.83$.", "cost": "$5 and $6"}]
    stored = dict(rows[0])
    assert "Cohen d = 0.83.,$5 and $6" in render(rows, "csv")
    assert '"quote": "compared to bibliotherapy with a Cohen d = 0.83."' in render(rows, "json")
    assert rows[0] == stored
    assert math_as_text("$p<.05$, $x \\leq 3$ and $n=12$") == "p < .05, x ≤ 3 and n = 12"


def test_text_sorts_by_reader_order_not_code_point():
    from dta_kg.core.output import sort_rows

    rows = [{"m": "User Engagement Scale"}, {"m": "eHealth Therapeutic Alliance Inventory"},
            {"m": "Élan"}, {"m": "elan"}, {"m": None}, {"m": "Rehabilitation"}]
    assert [r["m"] for r in sort_rows(rows, [("m", False)])] == [
        None, "eHealth Therapeutic Alliance Inventory", "elan", "Élan", "Rehabilitation",
        "User Engagement Scale"]


def test_table_fits_the_width_given_and_keeps_iris_whole():
    from dta_kg.core.output import table

    iri = "https://example.org/a/very/long/iri/that/has/no/known/prefix/at/all"
    rows = [{"s": "https://w3id.org/dta-kg/ontology#therapeutic-bond", "o": iri, "t": "word " * 40}]
    text = table(rows, ["s", "o", "t"], width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    assert "dta:therapeutic-bond" in text and iri in text
    narrow = table(rows, ["s", "o", "t"], width=50)
    assert "2 column(s) left out" in narrow and "dta:therapeutic-bond" in narrow


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "markdown", "table"])
def test_chunks_add_up_to_the_whole_rendering_in_every_format(fmt):
    rows = [*ROWS, {"study": "=cmd|' /C calc'!A0", "year": 2023, "tags": ["$d=0.83$"]}]
    cols = ["study", "year", "tags", "ok", "x"]
    for some in (rows, rows[:1], []):
        assert "".join(render_chunks(some, fmt, cols)) == render(some, fmt, cols) + "\n"
    ask = [{"ask": True}]
    assert "".join(render_chunks(ask, fmt, ["ask"])) == "true\n"


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "markdown"])
def test_each_row_is_rendered_before_the_next_is_read(fmt):
    """Streaming: the text of row n is handed out while the source has given only n rows."""
    read = []

    def source():
        for row in ROWS:
            read.append(row["study"])
            yield row

    chunks = render_chunks(source(), fmt, ["study", "year"])
    text = ""
    for n, row in enumerate(ROWS, 1):
        while row["study"].split()[0] not in text:
            text += next(chunks)
        assert len(read) == n
    assert text + "".join(chunks) == render(ROWS, fmt, ["study", "year"]) + "\n"


def test_nothing_is_rendered_before_the_first_row_is_read():
    """Not even a header: a query that fails before its first row writes nothing."""
    def failing():
        raise RuntimeError("no rows")
        yield  # pragma: no cover

    for fmt in ("json", "csv", "markdown"):
        with pytest.raises(RuntimeError):
            next(render_chunks(failing(), fmt, ["study"]))


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120])
def test_a_narrow_table_leaves_out_context_before_a_comparisons_result(width):
    from dta_kg.core.output import table
    from dta_kg.site.compare import COLUMNS

    row = {"study": "Liu et al 2022", "doi": "10.1016/j.invent.2022.100495", "year": 2022,
           "set": "review", "components": ["therapeutic bond"],
           "instrument": ["therapeutic alliance score"], "subscale": [], "result": ["0.83"],
           "result_kind": ["Cohen's d"], "comparator": ["bibliotherapy"],
           "design": ["randomised controlled trial"], "population": ["university students"],
           "intervention_type": ["AI-powered chatbot"], "intervention": ["XiaoE"]}
    text = table([row], COLUMNS, width=width)
    header = text.splitlines()[0].split()
    assert header[0] == "study" and {"result", "comparator"} <= set(header), text
    assert "0.83" in text and "bibliotherapy" in text
    left_out = [c for c in COLUMNS if c not in header]
    if "result_kind" in left_out or "components" in left_out:  # only once all context is gone
        assert {"doi", "year", "set", "design", "population", "intervention"} <= set(left_out)
    assert max(len(line) for line in text.splitlines()[:-3]) <= max(width, 40)


def test_a_table_leaves_out_unnamed_columns_from_the_right_before_the_kept_ones():
    from dta_kg.core.output import _leave_out_order

    cols = ["study", "alpha", "result", "beta", "title", "doi"]
    assert [cols[i] for i in _leave_out_order(cols)] == ["title", "doi", "beta", "alpha", "result"]
