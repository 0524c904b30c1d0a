"""Items 13 and 14 of issue 14: what is written into spreadsheets and Cypher scripts."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.output import FORMULA_STARTS, render


def test_csv_and_tsv_defuse_spreadsheet_formulas():
    """Attack: a title starting with =, +, -, @ (or a tab or carriage return) went out as it
    was in --format csv and tsv, and a spreadsheet opening the file would run it as a formula.
    Expected: such text gets a leading apostrophe (OWASP); numbers, negative ones included,
    stay as they are."""
    rows = [{"title": '=HYPERLINK("http://evil.example","x")', "n": -1.5},
            {"title": "+cmd|' /C calc'!A0", "n": 2}, {"title": "-2+3", "n": 0},
            {"title": "@SUM(A1)", "n": 1}, {"title": "A plain title", "n": 3}]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        back = list(csv.reader(io.StringIO(render(rows, fmt)), delimiter=delimiter))
        assert [r[0] for r in back[1:]] == ["'" + r["title"] for r in rows[:4]] + ["A plain title"]
        assert [r[1] for r in back[1:]] == ["-1.5", "2", "0", "1", "3"]


@pytest.mark.parametrize("graph", ["x\nMATCH (n) DETACH DELETE n;\n//", "urn:x'}) DELETE n //",
                                   "no scheme", ""])
def test_cypher_script_refuses_graph_names_that_break_out(graph, built_project, tmp_path):
    """Attack: `export --format cypher --graph $'x\\nMATCH (n) DETACH DELETE n;\\n//'` wrote a
    live statement into the script. Expected: a graph name that is not an IRI (line breaks,
    quotes, spaces, no scheme) is refused with one line and no file is written."""
    out = tmp_path / "push.cypher"
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    before = snapshot(built_project.records)
    result = CliRunner().invoke(main, ["export", "--format", "cypher", "--graph", graph,
                                       "-o", str(out), *where])
    if graph:
        one_line_error(result, "--graph", "not an IRI")
        assert not out.exists()
    assert snapshot(built_project.records) == before


def test_cypher_script_writes_the_graph_name_only_as_a_literal(built_project, tmp_path):
    """Attack: a valid IRI still carrying Cypher syntax (`'` cannot occur, but `//` can) in the
    header comment. Expected: every line of the script is a comment, a statement or blank;
    the graph name appears only inside quoted literals."""
    out = tmp_path / "push.cypher"
    graph = "urn:a//b;MATCH"
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    assert CliRunner().invoke(main, ["export", "--format", "cypher", "--graph", graph,
                                     "-o", str(out), *where]).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "\n".join(text.splitlines()[:1]).count("'urn:a//b;MATCH'") == 1
    assert all(line.startswith(("//", "CREATE", "UNWIND", "MATCH", "MERGE", "SET", "ON", " ",
                                "WITH", "RETURN", "FOREACH", "CALL")) or not line.strip()
               for line in text.splitlines())


@settings(max_examples=200, deadline=None)
@given(first=st.sampled_from(["=", "+", "-", "@", "\t", "\r"]), rest=st.lists(
    st.text(min_size=1, max_size=8), max_size=3), lead=st.text(max_size=8))
def test_formula_cells_are_defused_inside_list_values(first, rest, lead):
    """Attack: `cypher --format csv` wrote a list value (s.authors) whose first item started
    with '=' as a live formula. Expected: the cell gets its apostrophe as text values do."""
    value = [first + lead + "x", *rest]
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        back = list(csv.reader(io.StringIO(render([{"authors": value}], fmt)), delimiter=delimiter))
        assert not back[1][0].startswith(FORMULA_STARTS), (value, back)
    assert render([{"n": -3}, {"n": [1, 2]}], "csv").splitlines()[1:] == ["-3", "1; 2"]


# '^' is left out: it is written {\textasciicircum}, which the reader's LaTeX decoding
# (pylatexenc) reads back as U+02C6
SPECIAL = st.text(alphabet=st.sampled_from(list("abcXYZ {}&%$#_~\\\"'é-ü,.<>|")), min_size=1,
                  max_size=25).filter(lambda t: t.strip() and "," not in t)
NAME = st.builds(lambda family, initials: f"{family.strip()} {initials}",
                 SPECIAL.filter(lambda t: t.strip()[:1].isalpha() and " and " not in t.lower()),
                 st.sampled_from(["J", "CG", "AB"]))


@settings(max_examples=150, deadline=None)
@given(title=SPECIAL, authors=st.lists(NAME, min_size=1, max_size=3), venue=SPECIAL,
       truncated=st.booleans(), fmt=st.sampled_from(["bibtex", "ris"]))
def test_references_with_special_characters_round_trip(tmp_path_factory, title, authors, venue,
                                                       truncated, fmt):
    """Attack: an author or title with '}' (or %, #, &, a backslash) made the BibTeX entry
    unparseable, or changed the text a reference manager read back. Expected: written through
    bibtexparser and rispy, every field reads back unchanged."""
    from dta_kg.loaders.bibliography import BibEntry, read_bibliography
    from dta_kg.loaders.reference_files import write_references

    flat = " ".join(title.split())
    entry = BibEntry(record="x", doi="10.1234/abc", title=flat, year="2022",
                     authors=tuple(" ".join(a.split()) for a in authors), authors_truncated=truncated,
                     venue=" ".join(venue.split()), volume="4", issue="2", pages="1-9", pmid="123")
    path = tmp_path_factory.mktemp("refs") / ("x.bib" if fmt == "bibtex" else "x.ris")
    path.write_text(write_references([entry], fmt), encoding="utf-8")
    (back,) = read_bibliography(path)
    assert (back.title, back.authors, back.venue, back.pages) == \
        (entry.title, entry.authors, entry.venue, entry.pages), path.read_text(encoding="utf-8")
    if fmt == "bibtex":
        assert back.authors_truncated == truncated and back.pmid == "123"


def test_bibtex_titles_keep_their_acronyms():
    from dta_kg.loaders.bibliography import BibEntry
    from dta_kg.loaders.reference_files import to_bibtex

    text = to_bibtex([BibEntry(record="x", doi="10.1/x", year="2022", authors=("Li X",),
                               title="iCBT and CBT with the WAI-SR in mHealth for Adults")])
    assert "{{iCBT} and {CBT} with the {WAI}-{SR} in {mHealth} for Adults}" in text


def test_cypher_csv_defuses_a_formula_in_a_list(built_project):
    where = ["--records", str(built_project.records), "--build-dir", str(built_project.build)]
    result = CliRunner().invoke(main, ["cypher", "RETURN ['=1+1', 'x'] AS a, -3 AS n",
                                       "--format", "csv", *where])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "'=1+1; x,-3"
