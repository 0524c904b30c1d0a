"""A value that must be an IRI is checked before any N-Triples are written (issue 13, defect 3)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from support.project import snapshot

from dta_kg.cli import main
from dta_kg.core.errors import InvalidIri
from dta_kg.core.rdfterms import Lit
from dta_kg.loaders.ntriples import nt_line

LICENSE = "license: https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("command", ["build", "validate"])
def test_a_licence_that_is_not_an_iri_is_a_one_line_error_naming_file_and_field(command, project_copy):
    review = project_copy.review
    text = review.read_text(encoding="utf-8")
    assert LICENSE in text
    review.write_text(text.replace(LICENSE, "license: CC BY 4.0"), encoding="utf-8")
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, [command, "--records", str(project_copy.records),
                                       "--build-dir", str(project_copy.build)])
    message = result.output.strip()
    assert result.exit_code == 1, message
    assert message.startswith("Error: ") and "\n" not in message, message
    assert f"{review}" in message and "field 'license'" in message
    assert "'CC BY 4.0' is not an IRI" in message
    assert "https://creativecommons.org/licenses/by/4.0/" in message
    assert snapshot(project_copy.records) == before
    assert not (project_copy.build / "dta-kg.nt").exists()


@pytest.mark.parametrize("triple", [
    ("https://example.org/s", "http://purl.org/dc/terms/license", "CC BY 4.0"),
    ("https://example.org/s", "http://purl.org/dc/terms/license", "https://example.org/a>b"),
    ("not an iri", "http://purl.org/dc/terms/title", Lit("x")),
    ("https://example.org/s", "title", Lit("x")),
    ("https://example.org/s", "http://purl.org/dc/terms/date", Lit("2020", "gYear")),
])
def test_the_ntriples_writer_refuses_every_value_that_is_not_an_iri(triple):
    with pytest.raises(InvalidIri, match="is not an IRI"):
        nt_line(triple)


def test_the_ntriples_writer_writes_iris_blank_nodes_and_literals():
    assert nt_line(("_:b1", "https://example.org/p", "https://example.org/o")) == \
        "_:b1 <https://example.org/p> <https://example.org/o> .\n"
    assert nt_line(("urn:x:1", "https://example.org/p", Lit('say "hi"'))) == \
        '<urn:x:1> <https://example.org/p> "say \\"hi\\"" .\n'
