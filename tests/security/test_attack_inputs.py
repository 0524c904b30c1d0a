"""Third attack pass on issue 21: inputs that escaped the bounded reads. `screen decide --file`
and `screen import` read with no limit and no regular-file check (a FIFO hung, `/dev/zero` ended
in a MemoryError), and a parser's own failure (a CSV cell over the csv module's limit, braces
nested past the LaTeX decoder's recursion) ended in a traceback. Expected: one line naming the
file (and the row or entry), a non-zero exit, the records byte-identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import LIVING_BIB, one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.errors import RecordError
from dta_kg.core.paths import Project
from dta_kg.curation.screening import read_wanted
from dta_kg.loaders.bibliography import read_bibliography
from dta_kg.loaders.search_exports import read_search_export

SCREEN_IMPORT = ("screen", "import", "--database", "X", "--date", "2025-01-01", "--query", "q")


def _screen(project: Project, *args: str, path: Path | str) -> list[str]:
    """`dta-kg screen import|decide` on `path`, with the project's options after the verb."""
    options = ["--records", str(project.records), "--build-dir", str(project.build)]
    if args[1] == "decide":
        return [*args, "--file", str(path), *options]
    return [*args[:2], str(path), *args[2:], *options]


def _not_regular(tmp_path: Path) -> list[Path]:
    """A FIFO with no writer, devices (directly and through a symlink) and a folder."""
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    (tmp_path / "folder.csv").mkdir()
    return [fifo, Path("/dev/zero"), Path("/dev/urandom"), tmp_path / "zero.csv",
            tmp_path / "folder.csv"]


@pytest.mark.parametrize("verb", [SCREEN_IMPORT, ("screen", "decide")])
def test_screening_inputs_that_are_not_files_are_one_line(verb: tuple[str, ...], tmp_path: Path,
                                                          project_copy: Project) -> None:
    """Attack: `screen decide --file FIFO` and `screen import FIFO` hung; `/dev/zero` grew until
    a MemoryError. Expected: each refused at once in one line naming it."""
    before = snapshot(project_copy.records)
    for path in _not_regular(tmp_path):
        result = CliRunner().invoke(main, _screen(project_copy, *verb, path=path))
        one_line_error(result, str(path))
    assert snapshot(project_copy.records) == before


def test_a_decisions_file_over_its_limit_is_one_line(tmp_path: Path, project_copy: Project,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The decisions CSV has a limit of its own; over it is one line saying so."""
    import dta_kg.curation.screening as screening

    monkeypatch.setattr(screening, "DECISIONS_BYTES", 100)
    big = tmp_path / "decisions.csv"
    big.write_text("candidate,decision\n" + "s-1,include\n" * 20)
    result = CliRunner().invoke(main, _screen(project_copy, "screen", "decide", path=big))
    one_line_error(result, "decisions.csv", "larger than 100 bytes")


@pytest.mark.parametrize("verb", [SCREEN_IMPORT, ("screen", "decide")])
@pytest.mark.parametrize("body", [
    "title,candidate,decision\n" + "a" * 140_000 + ",s-1,include\n",
    "candidate,decision\ns-1,\"" + "a" * 400_000,
    "a" * 400_000,
])
def test_a_csv_cell_over_the_csv_limit_is_one_line(verb: tuple[str, ...], body: str,
                                                   tmp_path: Path, project_copy: Project) -> None:
    """Attack: a CSV cell over 131,072 characters ended in `_csv.Error`. Expected: one line
    naming the file and the line."""
    path = tmp_path / "big.csv"
    path.write_text(body)
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, _screen(project_copy, *verb, path=path))
    one_line_error(result, "big.csv [line ", "not readable CSV")
    assert snapshot(project_copy.records) == before


CSV_PIECES = ["title", "candidate", "decision", ",", '"', '""', "\r", "\n", "\r\n", "\x00",
              "s-1", "include", " ", "\t", ";", "\u2028", "\ufeff", "a" * 140_000, "é"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(CSV_PIECES), max_size=30))
def test_generated_csv_is_read_or_refused_as_a_record_error(tmp_path: Path,
                                                            parts: list[str]) -> None:
    """Any text of CSV pieces (stray quotes, lone carriage returns, NUL, huge cells) is read or
    refused with a RecordError, by both CSV readers; never another exception."""
    path = tmp_path / "generated.csv"
    path.write_text("".join(parts), encoding="utf-8")
    for read in (read_wanted, lambda p: read_search_export(p, "csv")):
        try:
            read(path)
        except RecordError as exc:
            assert str(path) in str(exc)


BIB_PIECES = ["@article{k,\n", "title={t},\n", "author={", "{", "}", "\\textbf{", "$", " and ",
              "doi={10.1/x},\n", "@string{a = {x}}\n", "#", "=", ",", "\\", "\n", "}\n"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(BIB_PIECES), max_size=40), depth=st.integers(0, 3000))
def test_generated_bibtex_is_read_or_refused_as_a_record_error(tmp_path: Path, parts: list[str],
                                                               depth: int) -> None:
    """Attack: an author nested 300 braces deep ended in a RecursionError (pylatexenc decodes
    by recursion). Expected: any BibTeX of these pieces, with braces `depth` deep in an author,
    is read or refused with a RecordError, by `study import` and `screen import` alike."""
    path = tmp_path / "generated.bib"
    deep = "@article{d, title={t}, author={" + "{" * depth + "A" + "}" * depth + "}}\n"
    path.write_text("".join(parts) + deep, encoding="utf-8")
    for read in (read_bibliography, read_search_export):
        try:
            read(path)
        except RecordError as exc:
            assert str(path) in str(exc)


def test_deep_braces_in_an_author_are_one_line(tmp_path: Path, project_copy: Project) -> None:
    """Through the command line: `study import` and `screen import` of that entry."""
    path = tmp_path / "deep.bib"
    path.write_text(LIVING_BIB.replace("Smith, Jane A.", "{" * 2000 + "Smith" + "}" * 2000))
    before = snapshot(project_copy.records)
    options = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    for argv in (["study", "import", str(path), *options],
                 _screen(project_copy, *SCREEN_IMPORT, path=path)):
        one_line_error(CliRunner().invoke(main, argv), "deep.bib [smith2025]", "too deeply")
    assert snapshot(project_copy.records) == before


TURTLE_PIECES = ["ex:a", " ex:b ", " .\n", ";", ",", "[", "]", "(", ")", '"x"', '"""', "'", "<",
                 ">", "^^", "@en", "@en--ltr", "_:b", "\\", "#", "\n", "{", "}", "<<(", ")>>",
                 "~", "{|", "|}", 'VERSION "1.2"\n', "?x", "a,b", "<http://e/x>", "@base <r> .",
                 "@prefix : <http://e/> .\n", ":a"]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(TURTLE_PIECES), max_size=30), depth=st.integers(0, 3000))
def test_generated_turtle_is_an_ontology_or_a_record_error(tmp_path: Path, parts: list[str],
                                                          depth: int) -> None:
    """Attack: `docs --ontology` of `a,b` ended in rdflib's BadSyntax traceback, and rdflib's
    Turtle parser also ends malformed text in AssertionError, IndexError or AttributeError and
    nesting 500 deep in RecursionError. Expected: any text of these pieces (RDF 1.2 terms
    included), with `depth` nested blank nodes, is an ontology or a RecordError naming it."""
    from dta_kg.views.docs import read_ontology

    path = tmp_path / "generated.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b " + "[ ex:p " * depth + "1" +
                    "]" * depth + " .\n" + "".join(parts), encoding="utf-8")
    try:
        read_ontology(path)
    except RecordError as exc:
        assert str(path) in str(exc)


def test_a_bad_ontology_is_one_line(tmp_path: Path, project_copy: Project) -> None:
    """Through `dta-kg docs --ontology`: malformed Turtle, an RDF 1.2 triple term, a FIFO,
    a device behind a .ttl name, an ontology over its limit; nothing is written."""
    bad, star, big, fifo, zero = (tmp_path / n for n in ("bad.ttl", "star.ttl", "big.ttl",
                                                         "fifo.ttl", "zero.ttl"))
    bad.write_text("a,b\n")
    star.write_text("@prefix ex: <http://e/> .\nex:a ex:b <<( ex:a ex:b ex:c )>> .\n")
    big.write_text("@prefix ex: <http://e/> .\nex:a ex:b \"" + "a" * 17_000_000 + "\" .\n")
    os.mkfifo(fifo)
    zero.symlink_to("/dev/zero")
    options = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    for path, says in ((bad, "not valid Turtle"), (star, "rdflib cannot read"),
                       (big, "larger than"), (fifo, "not a regular file"),
                       (zero, "not a regular file")):
        result = CliRunner().invoke(main, ["docs", "-o", str(tmp_path / "out"), "--no-examples",
                                           "--ontology", str(path), *options])
        one_line_error(result, path.name, says)
        assert not (tmp_path / "out").exists()


def test_a_bad_graph_to_diff_is_one_line(tmp_path: Path, project_copy: Project,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: `diff big.nt big.nt` with one 20 MB token ended in Oxigraph's MemoryError
    (its 16 MiB token buffer). Expected: one line naming the file for that, for JSON-LD
    nested 100,000 deep, a FIFO named .nt, a folder whose dta-kg.nt is a device, a file with
    no RDF suffix, and a graph over its limit."""
    import dta_kg.site.snapshot as snapshot_module

    token, deep, fifo, folder, plain, over = (
        tmp_path / n for n in ("token.nt", "deep.jsonld", "fifo.nt", "release", "graph",
                               "over.nt"))
    token.write_bytes(b"a" * 20_000_000)
    deep.write_text('{"@id": "http://a", "http://b": ' + "[" * 100_000 + "1" + "]" * 100_000 + "}")
    os.mkfifo(fifo)
    folder.mkdir()
    (folder / "dta-kg.nt").symlink_to("/dev/zero")
    plain.write_text("<http://a> <http://b> <http://c> .\n")
    over.write_text("<http://a> <http://b> <http://c> .\n" * 100)
    monkeypatch.setattr(snapshot_module, "GRAPH_BYTES", 1000)
    options = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    for path in (token, deep, fifo, folder, plain, over):
        result = CliRunner().invoke(main, ["diff", str(path), str(path), *options])
        one_line_error(result, path.name)
    assert "larger than 1,000 bytes" in result.output


def _plant(kind: str, where: Path, outside: Path) -> None:
    """Put at `where` a record that is not a regular file of the records folder."""
    if kind == "fifo":
        os.mkfifo(where)
    elif kind == "folder":
        where.mkdir()
    elif kind == "dangling symlink":
        where.symlink_to(outside.parent / "nowhere.yaml")
    else:
        where.symlink_to({"symlink to a device": Path("/dev/zero"),
                          "symlink out of the records": outside,
                          "symlink within the records": where.parent / "kept.yaml.txt"}[kind])


RECORD_KINDS = ["fifo", "folder", "symlink to a device", "symlink out of the records",
                "symlink within the records", "dangling symlink"]


@pytest.mark.parametrize("kind", RECORD_KINDS)
@pytest.mark.parametrize("record", ["studies/zz.yaml", "review.yaml", "instruments.yaml",
                                   "screening/runs/zz.yaml"])
def test_a_record_that_is_not_a_regular_file_is_refused(kind: str, record: str, tmp_path: Path,
                                                        project_copy: Project) -> None:
    """Attack: a FIFO, a symlink to a device or a folder named studies/zz.yaml was skipped
    unseen and `validate` said OK for 28 records. Expected: every record name is read and
    each of these refused in one line naming it, for a study, the review, the instruments
    and a search run alike. A symlink is refused wherever it points (within the records too):
    a record is a regular file, so no record can be read from outside the records folder."""
    records = project_copy.records
    outside = tmp_path / "outside.yaml"
    outside.write_bytes((records / "review.yaml").read_bytes())
    (records / "studies" / "kept.yaml.txt").write_text("doi: 10.1/x\n")
    where = records / record
    where.parent.mkdir(parents=True, exist_ok=True)
    if where.exists():
        where.unlink()
    _plant(kind, where, outside)
    result = CliRunner().invoke(main, ["validate", "--records", str(records),
                                       "--build-dir", str(project_copy.build)])
    one_line_error(result, record)


@pytest.mark.parametrize("kind", RECORD_KINDS[:4])
def test_curator_commands_refuse_such_a_record_and_write_nothing(kind: str, tmp_path: Path,
                                                                 project_copy: Project) -> None:
    """The same record stops a curator's write (`study add`, `screen import`) before it
    copies or writes anything: one line naming it, the records byte-identical."""
    _plant(kind, project_copy.studies / "zz.yaml", tmp_path / "outside.yaml")
    (tmp_path / "outside.yaml").write_text("doi: 10.1/x\n")
    before = snapshot(project_copy.records)
    options = ["--records", str(project_copy.records), "--build-dir", str(project_copy.build)]
    export = Path(__file__).parents[1] / "fixtures" / "screening" / "search.ris"
    for argv in (["study", "add", "--doi", "10.5555/zz1", "--title", "T", "--year", "2024",
                  "--author", "Doe, J", "--yes", *options],
                 _screen(project_copy, *SCREEN_IMPORT, path=export)):
        one_line_error(CliRunner().invoke(main, argv), "zz.yaml")
    assert snapshot(project_copy.records) == before


SWAPPED_IN = ["a0: &a0 [x, x]\na1: &a1 [*a0, *a0, *a0, *a0]\na2: [*a1, *a1, *a1, *a1]\n",
              "doi: 10.1/x\nk:\n" + "".join(" " * i + "- \n" for i in range(1, 400)),
              "doi: 10.1/x\n? [a, b]\n: c\n", "doi: !!python/name:os.system x\n",
              "doi: 10.1/x\nbig: " + "a" * 3_000_000 + "\n"]


@pytest.mark.parametrize("swapped", SWAPPED_IN)
def test_a_record_swapped_after_its_check_is_not_what_is_loaded(
        swapped: str, tmp_path: Path, project_copy: Project,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: `Transaction.load` and `study import FRAGMENT` checked a file with read_yaml,
    then read it again for the round-trip loader: a file swapped in between (an alias bomb,
    nesting 400 deep, a list key, a Python tag, 3 MB) skipped every check. Here the swap
    happens right after the check. Expected: the round-trip loader gets the bytes checked,
    read once; the swapped-in text is never parsed."""
    import dta_kg.loaders.yaml_io as yaml_io
    from dta_kg.curation.accept import import_fragment
    from dta_kg.curation.transaction import Transaction

    checked, pending = yaml_io.parse_yaml, set()

    def check_then_swap(raw: bytes, path: Path, limit: int = yaml_io.RECORD_BYTES) -> object:
        data = checked(raw, path, limit)
        if path in pending:  # the attacker's swap, right after the check
            pending.remove(path)
            path.write_text(swapped)
        return data

    monkeypatch.setattr(yaml_io, "parse_yaml", check_then_swap)
    record = sorted(project_copy.studies.glob("*.yaml"))[0]
    original = record.read_text()
    pending.add(record)
    data = Transaction(project_copy).load(record)
    assert data["doi"] in original and "a0" not in data and "big" not in data
    assert not pending and record.read_text() == swapped
    record.write_text(original)
    fragment = tmp_path / "fragment.yaml"
    fragment.write_text("doi: 10.5555/unknown\n")
    pending.add(fragment)
    with pytest.raises(RecordError) as refused:  # read from the bytes checked: an unknown DOI
        import_fragment(project_copy, fragment)
    assert "10.5555/unknown" in str(refused.value)


@pytest.mark.parametrize("kind", RECORD_KINDS[:4])
def test_a_registered_text_that_is_not_a_regular_file_is_refused(kind: str, tmp_path: Path,
                                                                 project_copy: Project) -> None:
    """Attack: a FIFO or a device symlink as a registered text (records/sources/) was read
    with `read_text`, unbounded: the check of a quote hung or grew without end. Expected: the
    check refuses it in one line naming it, and `source add` of that document neither hangs
    nor streams it (it registers the text anew or refuses)."""
    from dta_kg.curation.accept import text_change
    from dta_kg.loaders.review_text import held_text, source_text_path

    held = source_text_path(project_copy.records, "10.5555/held")
    held.parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "outside.yaml").write_text("some text\n")
    _plant(kind, held, tmp_path / "outside.yaml")
    with pytest.raises(RecordError, match="cannot be read") as refused:
        held_text(held)
    assert held.name in str(refused.value)
    with pytest.raises(RecordError, match="10.5555/held"):  # no study has it: refused
        text_change(project_copy, "10.5555/held", "some text\n")
