"""Reading reference-manager exports: the same reference from BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

import json

import pytest

from dta_kg.core.errors import RecordError
from dta_kg.loaders.bibliography import author_name, parse_author, read_bibliography

EXPECTED = dict(doi="10.1016/j.invent.2023.100668", year="2023",
                authors=("Escobar-Viera CG", "Porta G", "Coulter RWS"),
                title="A chatbot-delivered intervention for rural-living LGBTQ+ youth",
                venue="Internet Interv", volume="34", pages="100668")
EXPORTS = {
    "refs.bib": """@article{escobar2023,
  author = {Escobar-Viera, C{\\'e}sar G. and Porta, Giovanna and Coulter, Robert W. S.},
  title = {A chatbot-delivered intervention for rural-living {LGBTQ+} youth},
  shortjournal = {Internet Interv}, journal = {Internet Interventions},
  year = {2023}, volume = {34}, pages = {100668},
  doi = {https://doi.org/10.1016/J.INVENT.2023.100668}
}
""",
    "refs.ris": """TY  - JOUR
AU  - Escobar-Viera, César G.
AU  - Porta, Giovanna
AU  - Coulter, Robert W. S.
TI  - A chatbot-delivered intervention for rural-living LGBTQ+ youth
J2  - Internet Interv
T2  - Internet Interventions
PY  - 2023/12/01/
VL  - 34
SP  - 100668
DO  - doi:10.1016/j.invent.2023.100668
ER  -
""",
    "refs.json": json.dumps([{
        "id": "escobar2023", "DOI": "10.1016/j.invent.2023.100668",
        "title": "A chatbot-delivered intervention for rural-living LGBTQ+ youth",
        "author": [{"family": "Escobar-Viera", "given": "César G."},
                   {"family": "Porta", "given": "Giovanna"},
                   {"family": "Coulter", "given": "Robert W. S."}],
        "issued": {"date-parts": [[2023, 12]]}, "container-title": "Internet Interventions",
        "container-title-short": "Internet Interv", "volume": "34", "page": "100668"}]),
}


@pytest.mark.parametrize("name", EXPORTS)
def test_each_format_gives_the_same_entry(name, tmp_path):
    path = tmp_path / name
    path.write_text(EXPORTS[name], encoding="utf-8")
    [entry] = read_bibliography(path)
    assert {k: getattr(entry, k) for k in EXPECTED} == EXPECTED


def test_format_is_sniffed_when_the_extension_says_nothing(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(EXPORTS["refs.ris"], encoding="utf-8")
    assert read_bibliography(path)[0].doi == EXPECTED["doi"]


def test_author_names_are_written_as_in_the_reference_list():
    assert author_name("Escobar-Viera", "César G.") == "Escobar-Viera CG"
    assert author_name("Lee", "Min-Ji") == "Lee MJ"
    assert parse_author("Doe, Jane") == "Doe J"
    assert parse_author("Beatty C") == "Beatty C"


def test_others_marks_a_truncated_author_list(tmp_path):
    path = tmp_path / "a.bib"
    path.write_text("@article{a, author = {Lee, M and others}, title = {T}, year = 2024, "
                    "doi = {10.1234/a}}", encoding="utf-8")
    [entry] = read_bibliography(path)
    assert entry.authors == ("Lee M",) and entry.authors_truncated


def test_an_empty_export_is_refused(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(RecordError, match="holds no references"):
        read_bibliography(path)
