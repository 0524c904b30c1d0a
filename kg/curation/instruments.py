"""Curator-added instruments and subscales, kept in records/instruments.yaml."""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import slug
from dta_kg.core.paths import Project
from dta_kg.curation.curate import Quote, Where
from dta_kg.curation.transaction import transaction
from dta_kg.curation.yaml_nodes import block, flow_list, stamp
from dta_kg.loaders.terms import project_vocabulary, reserved_problem

INSTRUMENTS_HEADER = ("Instruments added by curators (`dta-kg instrument add`); the ontology "
                      "holds those the review names.\nEach becomes a term like the ontology's.\n")


@dataclass(frozen=True)
class SubscaleSpec:
    """'wai-sr-bond:therapeutic-bond[:label]' from the command line."""

    id: str
    component: str
    label: str | None = None

    @classmethod
    def parse(cls, text: str) -> SubscaleSpec:
        parts = [p.strip() for p in text.split(":", 2)]
        if len(parts) < 2 or not all(parts[:2]):
            raise RecordError("instrument add", "subscale", f"'{text}' is not ID:COMPONENT",
                              "write e.g. --subscale cars-bond:therapeutic-bond")
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 and parts[2] else None)


def add_instrument(project: Project, label: str, *, measures: tuple[str, ...], definition: str,
                   quote: Quote, by: str, instrument_id: str | None = None,
                   alt_labels: tuple[str, ...] = (), subscales: tuple[SubscaleSpec, ...] = (),
                   note: str | None = None) -> list[str]:
    """Add an instrument (and its subscales) to records/instruments.yaml; returns the new ids."""
    vocab = project_vocabulary(project)
    name = Where("instrument add", instrument_id or label)
    label = name.need("label", label, "give the instrument's name")
    new_id = slug(instrument_id or (alt_labels[0] if alt_labels else label))
    components = [name.term(vocab, "component", c, "measures") for c in measures]
    subs = []
    for s in subscales:
        comp = name.term(vocab, "component", s.component, "subscale")
        comp_label = vocab.terms[comp].label
        subs.append(block(id=slug(s.id), label=s.label or f"{label} {comp_label} subscale",
                          definition=f"The subscale of the {label} that measures {comp_label}.",
                          measures=flow_list([comp])))
    components += [s["measures"][0] for s in subs if s["measures"][0] not in components]
    if not components:
        name.fail("measures", "names no component", "give --measures COMPONENT or --subscale")
    for new in [new_id, *(s["id"] for s in subs)]:
        if reserved_problem(new, vocab):
            name.fail("id", str(reserved_problem(new, vocab)), "choose another id with --id")
        if new in vocab.terms:
            name.fail("id", f"'{new}' is already the term '{vocab.terms[new].label}'",
                      "choose another id with --id or another subscale id")
    where = Where(project.instruments, new_id)
    item = block(id=new_id, label=label, alt_labels=flow_list(alt_labels) if alt_labels else None,
                 definition=name.need("definition", definition, "give --definition"),
                 measures=flow_list(components), subscales=CommentedSeq(subs) if subs else None,
                 evidence=quote.evidence(where), added=stamp(by, note))
    with transaction(project) as tx:
        data = tx.load(project.instruments)
        if data is None:
            data = CommentedMap()
            data.yaml_set_start_comment(INSTRUMENTS_HEADER)
        if not isinstance(data.get("instruments"), list) or not data["instruments"]:
            data["instruments"] = CommentedSeq()  # the shipped `instruments: []` becomes a block list
        data["instruments"].append(item)
        tx.stage(project.instruments, data)
    return [new_id, *(s["id"] for s in subs)]
