"""Triples per class (the build's summary and `build -v`): each subject's triples are counted
under one class, its dta: class when it has one, else the first of its classes by IRI."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from dta_kg.core.iris import DTA
from dta_kg.core.rdfterms import RDF, Lit
from dta_kg.pipeline.chunks import class_counts

TYPE = RDF + "type"
CLASSES = [DTA + "Study", DTA + "Finding", "http://www.w3.org/ns/oa#Annotation",
           "https://example.org/other#Study", "http://purl.org/dc/terms/Agent"]
SUBJECTS = [f"https://w3id.org/dta-kg/id/s{i}" for i in range(6)]


def by_definition(triples: list) -> Counter:
    """Each triple under its subject's class, chosen triple by triple."""
    counts: Counter = Counter()
    for s, _, _ in triples:
        types = sorted(o for t, p, o in triples if t == s and p == TYPE and isinstance(o, str))
        if types:
            chosen = ([c for c in types if c.startswith(DTA)] or types)[0]
            counts[chosen.rsplit("#", 1)[-1].rsplit("/", 1)[-1]] += 1
    return counts


triple = st.one_of(
    st.tuples(st.sampled_from(SUBJECTS), st.just(TYPE), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(SUBJECTS), st.just(DTA + "title"), st.builds(Lit, st.text(max_size=3))),
    st.tuples(st.sampled_from(SUBJECTS), st.just(DTA + "about"), st.sampled_from(SUBJECTS)))


@given(st.lists(triple, max_size=30))
def test_each_subjects_triples_are_counted_under_one_class(triples):
    assert class_counts(triples) == by_definition(triples)


def test_classes_of_one_local_name_in_two_namespaces_add_up():
    triples = [(SUBJECTS[0], TYPE, DTA + "Study"), (SUBJECTS[1], TYPE, CLASSES[3]),
               (SUBJECTS[1], DTA + "about", SUBJECTS[0])]
    assert class_counts(triples) == Counter({"Study": 3})
