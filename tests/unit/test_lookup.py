"""Finding a study by DOI, citation or reference number (dta_kg.core.lookup)."""

from __future__ import annotations

import pytest

from dta_kg.core.lookup import AmbiguousStudy, StudyKey, citation, find_study

KEYS = [StudyKey("10.1016/j.invent.2022.100495", "Liu et al 2022", "Liu", "2022", 44),
        StudyKey("10.1037/cou0000382", "Goldberg et al 2020", "Goldberg", "2020", 48),
        StudyKey("10.1177/10731911211015310", "Goldberg et al 2022", "Goldberg", "2022", 49),
        StudyKey("10.1000/two", "Goonesekera and Donkin 2022", "Goonesekera", "2022", None)]


@pytest.mark.parametrize("text", [
    "10.1016/J.INVENT.2022.100495", "https://doi.org/10.1016/j.invent.2022.100495",
    "doi:10.1016/j.invent.2022.100495", "Liu et al 2022", "Liu et al., 2022", "liu 2022",
    "Liu", "44", "ref 44", "Ref. 44", "[44]", "reference 44"])
def test_a_study_is_found_by_what_people_know(text):
    assert find_study(text, KEYS) == KEYS[0]


def test_two_author_citations_and_years_pick_one_study():
    assert find_study("Goonesekera and Donkin 2022", KEYS) == KEYS[3]
    assert find_study("Goonesekera & Donkin 2022", KEYS) == KEYS[3]
    assert find_study("Goldberg 2022", KEYS) == KEYS[2]


def test_an_ambiguous_name_lists_the_candidates():
    with pytest.raises(AmbiguousStudy) as caught:
        find_study("Goldberg", KEYS)
    message = str(caught.value)
    assert "matches 2 studies" in message
    assert "Goldberg et al 2020 (10.1037/cou0000382, ref 48)" in message
    assert "Goldberg et al 2022" in message


def test_nothing_matches_an_unknown_name_or_number():
    assert find_study("Nobody 2020", KEYS) is None
    assert find_study("ref 99", KEYS) is None


def test_citation_follows_the_review():
    assert citation(["Plakun EM"], False, 2023) == "Plakun 2023"
    assert citation(["Goonesekera Y", "Donkin L"], False, 2022) == "Goonesekera and Donkin 2022"
    assert citation(["Beatty C", "Malik T", "Meheli S"], False, 2022) == "Beatty et al 2022"
    assert citation(["Liu H"], True, 2022) == "Liu et al 2022"
