"""Generate the SHACL shapes (`ontology/shapes.ttl`) from the record schema.

The shapes are a release file, as an ODK ontology's are: edit the slots of
`dta_kg.core.model` (a record's fields) or the graph rules below (the triples the loaders
derive beyond those fields), then run `make generate`. A test fails while the file differs from
what this module generates.

Each record class becomes a node shape `dtash:<Class>Shape` targeting its ontology class,
with one property shape per slot that maps to a predicate: `minCount 1` for a required field,
`maxCount 1` for a single value, and the value's class, datatype, pattern or allowed values.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from dta_kg.core.iris import DOI_PATTERN, SHAPES_IRI, expand
from dta_kg.core.model import STUDY_FACTS, Claim, Fact, Result, Review, Study
from dta_kg.core.rdfterms import Triple, lit
from dta_kg.core.record_schema import (
    DATATYPES,
    DOI,
    INTEGER,
    IRI,
    ITEMS,
    RECORD,
    SCALARS,
    TERM,
    TERMS,
    TEXT,
    Slot,
    slots,
)
from dta_kg.core.registry import STUDY_SETS
from dta_kg.core.screening_model import Candidate, Decision, ExclusionReason, SearchRun
from dta_kg.core.vocabulary import KINDS
from dta_kg.loaders.fields import STUDY_SECTIONS
from dta_kg.loaders.ntriples import nt_line
from dta_kg.loaders.review_text import MAX_QUOTE_WORDS, SECTIONS

from .rdf_text import ordered_prefixes, write_turtle
from .shape_graph import (
    RDF_TYPE,
    SHAPES_NS,
    Blanks,
    Curie,
    Node,
    Prop,
    node_triples,
    prop_triples,
)

# --- property shapes from slots ---------------------------------------------------------------

def spaced(name: str) -> str:
    """'FactorReport' -> 'factor report'."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def slot_prop(owner: str, s: Slot) -> Prop:
    """The property shape of a slot of the record class named `owner` ('Study', 'Finding')."""
    assert s.predicate is not None
    c: dict[str, Any] = {}
    if s.required:
        c["minCount"] = 1
    if s.single:
        c["maxCount"] = 1
    if s.values:
        c["in"] = [Curie(v) for v in s.values]
        described = f", {' or '.join(s.values)}"
    elif s.kind in (TERM, TERMS, ITEMS) or s.range:
        cls = s.range or f"dta:{KINDS[str(s.vocab)][0]}"
        c["class"] = Curie(cls)
        described = f", {'an' if cls[0] in 'aeiou' else 'a'} {cls}"
    elif s.kind == IRI:
        c["nodeKind"] = Curie("sh:IRI")
        described = ", an IRI"
        if s.pattern:
            c["pattern"] = s.pattern
            described += f" matching {s.pattern}"
    elif s.node:
        c["node"] = Curie(f"dtash:{s.node}")
        described = ", a non-empty rdf:List"
    else:
        c["datatype"] = Curie(DATATYPES[s.kind])
        described = f" of type {DATATYPES[s.kind]}"
        pattern = DOI_PATTERN.pattern if s.kind == DOI else s.pattern
        if pattern:
            c["pattern"] = pattern
            described += f" matching {pattern}"
        elif s.kind == TEXT:
            c["minLength"] = 1
            described = f", a non-empty {DATATYPES[TEXT]}"
        if s.bounds and s.kind == INTEGER:
            c["minInclusive"] = s.bounds[0]
            described += f" from {s.bounds[0]}"
    count = ("exactly one" if s.required and s.single else "at most one" if s.single
             else "at least one" if s.required else "any number of")
    about = s.about or spaced(s.predicate.split(":")[1])
    return Prop(f"{owner}-{s.key}", s.predicate, f"{spaced(owner)} has {count} {about}",
                f"{owner} must have {count} {s.predicate}{described}.", c)


def record_props(owner: str, cls: type, inherited: type | None = None,
                 optional: bool = False) -> list[Prop]:
    """The property shapes of the slots of `cls`, leaving out those it inherits from
    `inherited`. A nested record's slots describe the same node; when the nested record is
    `optional`, so are its fields."""
    skip = {s.name for s in slots(inherited)} if inherited else set()
    props = []
    for s in slots(cls):
        if s.name in skip:
            continue
        if s.kind == RECORD and s.predicate is None:
            props += record_props(owner, s.record, optional=optional or not s.required)
        elif s.predicate and s.shape and (s.kind in SCALARS or s.custom):
            props.append(slot_prop(owner, replace(s, required=s.required and not optional)))
    return props


# --- the rules about derived triples (not fields of a record) --------------------------------

def one(name: str, path: str | tuple[str, ...], what: str, message: str, **c: Any) -> Prop:
    return Prop(name, path, what, message, {"minCount": 1, "maxCount": 1, **c})


ABOUT_STUDY = one("Fact-aboutStudy", "dta:aboutStudy", "fact is about exactly one study",
                  "Fact must have exactly one dta:aboutStudy, a dta:Study.",
                  **{"class": Curie("dta:Study")})
NON_EMPTY_LIST = Node("NonEmptyListShape", "non-empty list",
                      "Value must be a non-empty rdf:List (one rdf:first and one rdf:rest).",
                      props=[one("NonEmptyList-first", "rdf:first", "list head has one rdf:first",
                                 "Value must be a non-empty rdf:List (one rdf:first)."),
                             one("NonEmptyList-rest", "rdf:rest", "list head has one rdf:rest",
                                 "Value must be a non-empty rdf:List (one rdf:rest).")])


def section_pattern() -> str:
    """The headings of the review, and those of a study's own text (for a quote from a study
    added after the review); a pattern rather than sh:in, so "x" and "x"^^xsd:string match."""
    escaped = (re.sub(r"([.^$*+?()\[\]{}|\\])", r"\\\1", s) for s in (*SECTIONS, *STUDY_SECTIONS))
    return f"^({'|'.join(dict.fromkeys(escaped))})$"


def derived_nodes() -> list[Node]:
    """Rules about the triples the loaders derive: provenance, definitions, evidence annotations,
    retractions."""
    fact = Node("EvidencedFactShape", "evidenced fact rules",
                "A dta:EvidencedFact must have evidence and provenance.",
                ("targetClass", "dta:EvidencedFact"), [
                    Prop("Fact-derivedFrom", "prov:wasDerivedFrom",
                         "fact is derived from the review or a study",
                         "Fact must prov:wasDerivedFrom the dta:IntegrativeReview "
                         "(or a dta:Study it quotes).",
                         {"minCount": 1, "or": [{"class": Curie("dta:IntegrativeReview")},
                                                {"class": Curie("dta:Study")}]}),
                    Prop("Fact-attributedTo", "prov:wasAttributedTo",
                         "fact is attributed to an agent",
                         "Fact must prov:wasAttributedTo at least one prov:Agent.",
                         {"minCount": 1, "class": Curie("prov:Agent")}),
                    one("Fact-generatedAt", "prov:generatedAtTime",
                        "fact has exactly one generation time",
                        "Fact must have exactly one prov:generatedAtTime of type xsd:dateTime.",
                        datatype=Curie("xsd:dateTime"))])
    definition = Node("DefinitionShape", "definition rules",
                      "A dta:Definition must satisfy the definition rules.",
                      ("targetClass", "dta:Definition"), [
                          one("Definition-text", "rdf:value", "definition has exactly one text",
                              "Definition must have exactly one non-empty rdf:value string.",
                              datatype=Curie("xsd:string"), minLength=1),
                          one("Definition-defines", "dta:defines",
                              "definition defines exactly one concept",
                              "Definition must dta:defines exactly one skos:Concept.",
                              **{"class": Curie("skos:Concept")}),
                          one("Definition-evidence", "dta:evidence",
                              "definition has exactly one evidence annotation",
                              "Definition must have exactly one dta:evidence, an oa:Annotation.",
                              **{"class": Curie("oa:Annotation")})])
    retraction = Node(
        "RetractionShape", "retraction rules",
        "A retracted statement (dta:retracted true) must give a reason, a time and the agent "
        "who retracted it.", ("targetSubjectsOf", "dta:retracted"),
        [Prop("Retraction-flag", "dta:retracted", "retraction flag is one boolean",
              "dta:retracted must be a single xsd:boolean.",
              {"maxCount": 1, "datatype": Curie("xsd:boolean")})],
        {"or": [{"path": Curie("dta:retracted"), "hasValue": False},
                {"and": [{"path": Curie("dta:retractionReason"), "minCount": 1, "minLength": 1},
                         {"path": Curie("prov:invalidatedAtTime"), "minCount": 1, "maxCount": 1,
                          "datatype": Curie("xsd:dateTime")},
                         {"path": Curie("dta:retractedBy"), "minCount": 1,
                          "class": Curie("prov:Agent")}]}]})
    words_max = MAX_QUOTE_WORDS - 1
    evidence = Node("EvidenceShape", "evidence annotation rules",
                    "An evidence oa:Annotation must name one section and quote the review.",
                    ("targetClass", "oa:Annotation"), [
                        one("Evidence-section", "dta:section", "evidence names exactly one section",
                            "Evidence must have exactly one dta:section, a heading of the review "
                            "(or of a study it quotes).", datatype=Curie("xsd:string"),
                            pattern=section_pattern()),
                        one("Evidence-target", "oa:hasTarget", "evidence has exactly one target",
                            "Evidence must have exactly one oa:hasTarget, an oa:SpecificResource.",
                            **{"class": Curie("oa:SpecificResource")}),
                        one("Evidence-source", ("oa:hasTarget", "oa:hasSource"),
                            "evidence target has exactly one source",
                            "Evidence target must have exactly one oa:hasSource IRI (the review).",
                            nodeKind=Curie("sh:IRI")),
                        one("Evidence-selector", ("oa:hasTarget", "oa:hasSelector"),
                            "evidence target has exactly one text quote selector",
                            "Evidence target must have exactly one oa:hasSelector, an "
                            "oa:TextQuoteSelector.", **{"class": Curie("oa:TextQuoteSelector")}),
                        one("Evidence-exact", ("oa:hasTarget", "oa:hasSelector", "oa:exact"),
                            f"evidence quote is one string of 1 to {MAX_QUOTE_WORDS} words",
                            "Evidence selector must have exactly one oa:exact string of 1 to "
                            f"{MAX_QUOTE_WORDS} words.", datatype=Curie("xsd:string"),
                            minLength=1, pattern=rf"^\s*\S+(\s+\S+){{0,{words_max}}}\s*$"),
                        Prop("Evidence-inference", "dta:curatorInference",
                             "evidence has at most one curator inference",
                             "Evidence must have at most one non-empty dta:curatorInference string.",
                             {"maxCount": 1, "datatype": Curie("xsd:string"), "minLength": 1})])
    return [fact, definition, retraction, evidence, NON_EMPTY_LIST]


def record_nodes() -> list[Node]:
    """A node shape per record class, its property shapes generated from the slots."""
    study = Node("StudyShape", "study rules", "A dta:Study must satisfy the study rules.",
                 ("targetClass", "dta:Study"), [
                     *record_props("Study", Study),
                     Prop("Study-scope", "dta:studyScope",
                          "study is in the review or in the living review",
                          'Study must have at most one dta:studyScope, "review" or "living".',
                          {"maxCount": 1, "in": list(STUDY_SETS)})])
    review = Node("ReviewShape", "review rules",
                  "A dta:IntegrativeReview must satisfy the review rules.",
                  ("targetClass", "dta:IntegrativeReview"), [
                      *record_props("Review", Review),
                      Prop("Review-includesStudy", "dta:includesStudy", "review includes studies",
                           "Review must have any number of dta:includesStudy, a dta:Study.",
                           {"class": Curie("dta:Study")}),
                      Prop("Review-definition", "dta:proposesDefinition",
                           "review proposes definitions",
                           "Review must have any number of dta:proposesDefinition, a "
                           "dta:Definition.", {"class": Curie("dta:Definition")}),
                      Prop("Review-searchEndDate", "dta:searchEndDate",
                           "review has at most one search end date",
                           "Review must have at most one dta:searchEndDate of type xsd:gYearMonth.",
                           {"maxCount": 1, "datatype": Curie("xsd:gYearMonth")})])
    nodes = [study, review]
    base = [ABOUT_STUDY, *record_props("Fact", Fact)]
    for cls in STUDY_FACTS:
        name = cls.__name__
        node = Node(f"{name}Shape", f"{spaced(name)} rules",
                    f"A dta:{cls.rdf_class} must satisfy the {spaced(name)} rules.",
                    ("targetClass", f"dta:{cls.rdf_class}"), [*base, *record_props(name, cls, Fact)])
        if cls.__name__ == "Finding":
            node.message = "A dta:Finding with a result value must give its result kind."
            kind = next(s for s in slots(Result) if s.name == "kind")
            value = next(s for s in slots(Result) if s.name == "value")
            node.constraints = {
                "or": [{"path": Curie(str(value.predicate)), "maxCount": 0},
                       {"path": Curie(str(kind.predicate)), "minCount": 1}]}
        nodes.append(node)
    claim = Node("ReviewClaimShape", "review claim rules",
                 "A dta:ReviewClaim must satisfy the review claim rules.",
                 ("targetClass", f"dta:{Claim.rdf_class}"), [
                     *record_props("ReviewClaim", Claim),
                     one("ReviewClaim-review", "dta:aboutReview",
                         "review claim is about exactly one review",
                         "ReviewClaim must have exactly one dta:aboutReview, a "
                         "dta:IntegrativeReview.", **{"class": Curie("dta:IntegrativeReview")}),
                     one("ReviewClaim-value", "dta:claimedValue",
                         "review claim has exactly one claimed value",
                         "ReviewClaim must have exactly one dta:claimedValue, an xsd:integer or "
                         "xsd:string.", **{"or": [{"datatype": Curie("xsd:integer")},
                                                  {"datatype": Curie("xsd:string")}]})])
    screening = [Node(f"{cls.rdf_class}Shape", f"{spaced(cls.rdf_class).lower()} rules",
                      f"A dta:{cls.rdf_class} must satisfy the {spaced(cls.rdf_class).lower()} "
                      "rules.", ("targetClass", f"dta:{cls.rdf_class}"),
                      record_props(cls.rdf_class, cls))
                 for cls in (SearchRun, Candidate, Decision, ExclusionReason)]
    return [*nodes, claim, *screening]


def shape_triples() -> Iterator[Triple]:
    """Every triple of the shapes graph."""
    blanks = Blanks()
    header = SHAPES_IRI
    yield header, RDF_TYPE, expand("owl:Ontology")
    yield header, expand("rdfs:label"), lit("dta-kg SHACL shapes")
    yield header, expand("rdfs:comment"), lit(
        "Constraints on the dta-kg instance data (studies, evidenced facts and their evidence "
        "annotations), generated from the record schema by `make generate`; validate data merged "
        "with the dta-kg ontology.")
    yield header, expand("dcterms:license"), "https://creativecommons.org/licenses/by/4.0/"
    written: set[str] = set()
    for shape in (*record_nodes(), *derived_nodes()):
        yield from node_triples(shape, blanks)
        for prop in shape.props:
            if prop.name not in written:  # a shared property shape (Fact-aboutStudy) once
                written.add(prop.name)
                yield from prop_triples(prop, blanks)


HEADER = """# dta-kg SHACL shapes: GENERATED by `make generate` from the record schema
# (kg/core/model.py, the slots of each record class) and the graph rules of
# kg/pipeline/shapes.py. Do not edit this file: edit those, then run `make generate`.
# Validate the instance data merged with ontology/dta.ttl (the sh:class checks rely on
# its rdfs:subClassOf axioms and the types of the vocabulary individuals).

"""


def shapes_text() -> str:
    """The shapes graph as Turtle, as ontology/shapes.ttl holds it (see `views.generated`)."""
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "shapes.nt"
        nt.write_text("".join(nt_line(t) for t in shape_triples()), encoding="utf-8")
        out = io.StringIO()
        out.write(HEADER)
        write_turtle(nt, out, prefixes={"dtash": SHAPES_NS, **ordered_prefixes()})
        return out.getvalue()
