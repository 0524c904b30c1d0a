"""The registry in core is the one source of every list a user chooses from (issue 25, item 1):
each command's choices are one of its lists, the export dispatch and the release's media types
follow its formats, and the model's classes come from the record classes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from rdflib import OWL, RDF, Graph, URIRef

from dta_kg.cli import main
from dta_kg.core import registry
from dta_kg.core.paths import ONTOLOGY, Project
from dta_kg.core.registry import CHOICES, FILE_FORMATS, FileFormat


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    """Every command of the CLI, subcommands included, with its full name."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        full = (*path, name)
        yield " ".join(full), command
        if isinstance(command, click.Group):
            yield from commands(command, full)


def choice_params() -> list[tuple[str, click.Parameter]]:
    return [(f"{name} {param.name}", param) for name, command in commands(main)
            for param in command.params if isinstance(param.type, click.Choice)]


# the registry's list each command's choice offers: a new choice must be named here
EXPECTED = {
    "check fmt": "report formats", "study show fmt": "report formats",
    "compare fmt": "output formats", "cypher fmt": "output formats", "query list fmt": "output formats",
    "query run fmt": "output formats", "sparql fmt": "output formats", "study list fmt": "output formats",
    "vocab fmt": "output formats", "studies fmt": "studies formats", "diff fmt": "diff formats",
    "export fmt": "export formats", "neo4j push dialect": "cypher dialects",
    "export scope": "scopes", "map scope": "scopes", "studies scope": "scopes", "view scope": "scopes",
    "query run lang": "query languages", "query show lang": "query languages",
    "studies lang": "query languages", "study set confidence": "confidences",
    "vocab name": "vocabulary lists", "suggest kinds": "suggestion kinds",
    "suggest fmt": "suggestion formats", "suggest section": "study sections",
    "suggest confidence": "confidences", "compare min_confidence": "confidence levels",
    "map min_confidence": "confidence levels", "query run min_confidence": "confidence levels",
    "site min_confidence": "confidence levels", "studies min_confidence": "confidence levels",
    "prisma scope": "scopes", "screen import fmt": "search export formats",
    "screen list fmt": "output formats", "screen conflicts fmt": "output formats",
    "screen status fmt": "output formats", "screen next fmt": "output formats",
    "screen reason list fmt": "output formats",
}


def test_the_cli_has_choices_to_check():
    assert len(choice_params()) >= 20


@pytest.mark.parametrize(("where", "param"), choice_params(),
                         ids=lambda x: x if isinstance(x, str) else "")
def test_every_choice_of_every_command_is_its_list_of_the_registry(where, param):
    assert where in EXPECTED, f"{where}: name the registry list it offers in EXPECTED"
    offered = tuple(param.type.choices)
    assert offered == CHOICES[EXPECTED[where]], (
        f"{where} offers {offered}, not the registry's {EXPECTED[where]} {CHOICES[EXPECTED[where]]}")


def test_export_offers_every_registered_export_format_and_serve_the_registry_port():
    export = main.get_command(click.Context(main), "export")
    fmt = next(p for p in export.params if p.name == "fmt")
    assert tuple(fmt.type.choices) == registry.EXPORT_FORMATS
    assert set(registry.EXPORT_FORMATS) == {f.name for f in FILE_FORMATS.values()
                                            if f.family in ("rdf", "property-graph")}
    serve = main.get_command(click.Context(main), "serve")
    assert next(p for p in serve.params if p.name == "port").default == registry.DEFAULT_PORT


def test_every_registered_format_has_a_writer_a_media_type_and_a_suffix():
    for fmt in FILE_FORMATS.values():
        assert callable(fmt.load()), fmt.name
        assert "/" in fmt.media_type, fmt.name
        assert fmt.suffix.startswith(".") or (fmt.suffix == "" and fmt.name == "neo4j-csv"), fmt.name
    with pytest.raises(ValueError, match="twice"):
        registry.register("ttl", "rdf", "text/turtle", ".ttl", "x:y", "again")


def test_export_dispatches_to_the_writer_the_registry_names(monkeypatch, tmp_path):
    """A format registered with a writer is written by that writer: the sinks keep no list."""
    from dta_kg.sinks.exports import export

    seen = []

    def writer(job) -> str:
        seen.append((job.fmt, job.out, job.scope))
        return "written"

    monkeypatch.setitem(FILE_FORMATS, "probe", FileFormat(
        "probe", "rdf", "text/plain", ".probe", f"{__name__}:_probe_writer", "a test format"))
    monkeypatch.setattr(f"{__name__}._probe_writer", writer, raising=False)
    project = Project(records=tmp_path / "records", build=tmp_path / "build")
    (tmp_path / "records").mkdir()
    assert export(project, "probe", tmp_path / "out.probe", scope="living") == "written"
    assert seen == [("probe", tmp_path / "out.probe", "living")]


def test_release_media_types_are_the_registry_s():
    from dta_kg.site.metadata import media_type

    for name in ("ttl", "nt", "jsonld", "trig", "graphml", "gexf", "cypher"):
        fmt = FILE_FORMATS[name]
        assert media_type(Path(f"dta-kg{fmt.suffix}")) == fmt.media_type, name


def test_the_model_s_classes_are_the_record_classes_and_the_ontology_declares_each():
    classes = registry.model_classes()
    assert {"dta:Study", "dta:Finding", "dta:IntegrativeReview", "dta:ReviewClaim",
            "oa:Annotation"} <= set(classes)
    assert len(classes) == len(registry.RECORD_CLASSES) + 1
    ontology = Graph().parse(ONTOLOGY)
    for curie, iri in classes.items():
        if curie.startswith("dta:"):
            assert (URIRef(iri), RDF.type, OWL.Class) in ontology, f"dta.ttl does not declare {curie}"


def test_the_site_lists_components_in_the_registry_s_order():
    from dta_kg.site.pages import components

    class Snap:
        terms = {f"x{i}": {"kind": "DTAComponent", "id": name}
                 for i, name in enumerate(reversed(registry.COMPONENTS))}

    assert [t["id"] for t in components(Snap())] == list(registry.COMPONENTS)  # type: ignore[arg-type]
