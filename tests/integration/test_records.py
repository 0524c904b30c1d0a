"""Loading curated records: facts by DOI, and one-line errors naming file, record and field."""

from __future__ import annotations

import pytest

from dta_kg.core.errors import RecordError
from dta_kg.core.model import Review
from dta_kg.loaders.fields import Fields
from dta_kg.loaders.record_reader import read_record
from dta_kg.loaders.records import read_corpus, read_study, study_from_data
from dta_kg.loaders.yaml_io import read_yaml

BEATTY = "10.3389/fdgth.2022.847991"
HE = "10.1186/s12889-022-13115-x"
JEONG = "10.1145/3568162.3578625"
LIU = "10.1016/j.invent.2022.100495"


def by_doi(corpus):
    return {s.doi.lower(): s for s in corpus.studies}


def test_the_28_included_studies_are_references_20_25_and_37_to_62(corpus):
    refs = sorted(s.ref for s in corpus.studies)
    assert refs == [20, 25, *range(37, 63)]


def test_bond_is_measured_with_wai_sr_by_exactly_beatty_he_and_jeong(corpus):
    dois = {s.doi.lower() for s in corpus.studies for f in s.findings
            if f.component == "therapeutic-bond" and f.instrument == "wai-sr"
            and f.retracted is None}
    assert dois == {BEATTY, HE, JEONG}


def test_liu_2022_carries_cohens_d_of_083(corpus):
    liu = by_doi(corpus)[LIU]
    results = [f.result for f in liu.findings if f.result]
    assert any(r.kind == "cohens-d" and r.value == pytest.approx(0.83) for r in results)
    assert liu.short_citation == "Liu et al 2022"


def test_short_citations_follow_author_count(corpus):
    cites = {s.ref: s.short_citation for s in corpus.studies}
    assert cites[25] == "Beatty et al 2022"
    assert cites[50] == "Plakun 2023"
    assert cites[57] == "Goonesekera and Donkin 2022"


def test_every_fact_has_a_quote_and_a_section(corpus):
    facts = [f for s in corpus.studies for f in s.facts()]
    assert len(facts) > 100
    assert all(f.evidence.quote and f.evidence.section for f in facts)


def test_at_least_25_factor_reports_with_both_polarities(corpus):
    factors = [f for s in corpus.studies for f in s.factors]
    assert len(factors) >= 25
    assert {f.polarity for f in factors} == {"facilitator", "barrier"}


def beatty_data(project):
    path = next(project.studies.glob("ref-25-*.yaml"))
    return path, read_yaml(path)


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d.update(doi="not-a-doi"), "doi", "is not a DOI"),
    (lambda d: d.update(year=3025), "year", "out of range"),
    (lambda d: d.update(year="soon"), "year", "not a whole number"),
    (lambda d: d.update(title="  "), "title", "is empty"),
    (lambda d: d.pop("authors"), "authors", "is empty"),
    (lambda d: d["findings"][0].update(component="rapport"), "findings[0].component",
     "unknown component 'rapport'"),
    (lambda d: d["findings"][0].update(instrument="wai"), "findings[0].instrument",
     "unknown measure"),
    (lambda d: d["findings"][0]["evidence"].update(quote="words the review never says"),
     "findings[0].evidence.quote", "not verbatim"),
    (lambda d: d["findings"][0]["evidence"].pop("quote"), "findings[0].evidence.quote",
     "is missing"),
    (lambda d: d["findings"][0]["evidence"].update(section="Results > Bond"),
     "findings[0].evidence.section", "unknown section"),
    (lambda d: d["factors"][0].update(polarity="neutral"), "factors[0].polarity",
     "unknown polarity"),
    (lambda d: d["factors"].append(dict(d["factors"][0])), "factors[", "duplicate fact id"),
    # found by probing the record schema: each was accepted, crashed or misreported before
    (lambda d: d.update(authors_truncated="no"), "authors_truncated", "is not true or false"),
    (lambda d: d.update(pmid="PMC35480848"), "pmid", "is not a PMID"),
    (lambda d: d["designs"][0].update(added={"by": "Ada", "at": "yesterday"}),
     "designs[0].added.at", "not an ISO 8601 date-time"),
    (lambda d: d["findings"][0].update(retracted={"by": "Ada", "at": "2026-06-02T09:30:00Z"}),
     "findings[0].retracted.reason", "is missing"),
    (lambda d: d["findings"][0].update(instrument="wai-sr-goal", subscale=None),
     "findings[0].instrument", "is a subscale"),
])
def test_bad_fields_name_file_record_and_field(project_copy, vocab, mutate, field, words):
    path, data = beatty_data(project_copy)
    mutate(data)
    with pytest.raises(RecordError) as err:
        study_from_data(data, path, vocab)
    message = str(err.value)
    assert path.name in message and field in message and words in message
    assert "\n" not in message


def test_unknown_component_lists_the_closest_choices(project_copy, vocab):
    path, data = beatty_data(project_copy)
    data["findings"][0]["component"] = "therapeutic-bnd"
    with pytest.raises(RecordError, match="use one of: therapeutic-bond"):
        study_from_data(data, path, vocab)


def test_unsafe_yaml_tag_is_refused(project_copy, vocab):
    path = project_copy.studies / "evil.yaml"
    path.write_text("doi: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(RecordError, match="unsafe or unknown YAML tag"):
        read_study(path, vocab)


def test_binary_file_is_refused(project_copy, vocab):
    path = project_copy.studies / "binary.yaml"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(RecordError, match="binary"):
        read_study(path, vocab)


def test_duplicate_doi_across_records_is_refused(project_copy, vocab):
    source = next(project_copy.studies.glob("ref-25-*.yaml"))
    (project_copy.studies / "zz-copy.yaml").write_bytes(source.read_bytes())
    with pytest.raises(RecordError, match="duplicate DOI"):
        read_corpus(project_copy, vocab)


def test_study_names_are_the_yaml_files_sorted_without_hidden_ones(tmp_path):
    """A folder named like a record is listed, so that reading it refuses it in one line
    rather than the record being left out unseen (tests/security/test_attack_inputs.py)."""
    from dta_kg.loaders.records import study_names

    for name in ("ref-10-b.yaml", "ref-02-a.yaml", ".ref-03-hidden.yaml", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "ref-04-folder.yaml").mkdir()
    assert study_names(tmp_path) == ["ref-02-a.yaml", "ref-04-folder.yaml", "ref-10-b.yaml"]
    assert study_names(tmp_path / "missing") == []


def review_data(project):
    return project.review, read_yaml(project.review)


@pytest.mark.parametrize(("mutate", "field", "words"), [
    (lambda d: d["claims"][0].update(value=True), "claims[0].value", "neither a count nor text"),
    (lambda d: d["claims"][0].update(value=[1294]), "claims[0].value", "neither a count nor text"),
    (lambda d: d["claims"].append(dict(d["claims"][0])), "claims[", "duplicate claim id"),
    (lambda d: d["search_end"].update(value="December 2024"), "search_end.value",
     "is not a year and month"),
    (lambda d: d.update(license="javascript:alert(1)"), "license", "is not a web address"),
])
def test_bad_review_fields_name_file_and_field(project_copy, vocab, mutate, field, words):
    path, data = review_data(project_copy)
    mutate(data)
    with pytest.raises(RecordError) as err:
        read_record(Fields(data, path, "", "review"), Review, vocab, path=path)
    message = str(err.value)
    assert path.name in message and field in message and words in message
    assert "\n" not in message
