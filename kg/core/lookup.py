"""Find a study by what people know of it: its DOI (any case, with or without a resolver
prefix), its citation ('Liu et al 2022', 'Liu 2022', 'Liu et al., 2022') or its number in the
review's reference list ('44', 'ref 44', '[44]')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dta_kg.core.errors import DtaKgError
from dta_kg.core.iris import normalise_doi
from dta_kg.core.model import surname

_REF = re.compile(r"^\s*(?:ref(?:erence)?\.?\s*|#|\[)?\s*(\d{1,4})\s*\]?\s*$", re.IGNORECASE)
_NOISE = re.compile(r"\bet\s+al\b\.?|\band\b|&|[.,;()\[\]]", re.IGNORECASE)


@dataclass(frozen=True)
class StudyKey:
    """What identifies one study: normalised DOI, reference number, citation, first author."""

    doi: str
    citation: str
    first_author: str = ""
    year: str = ""
    ref: int | None = None

    def __str__(self) -> str:
        ref = f", ref {self.ref}" if self.ref is not None else ""
        return f"{self.citation} ({self.doi}{ref})"


class AmbiguousStudy(DtaKgError):
    """A name that fits more than one study."""

    def __init__(self, text: str, matches: list[StudyKey]):
        self.text, self.matches = text, matches
        self.listing = f"matches {len(matches)} studies: " + "; ".join(map(str, matches[:8]))
        super().__init__(f"'{text}' {self.listing}; give the DOI, the year or the reference number")


def _words(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text.casefold()).split())


def find_studies(text: str, keys: list[StudyKey]) -> list[StudyKey]:
    """The studies `text` names: by DOI, else by reference number, else by citation (the
    review's short citation, or first author with or without the year)."""
    doi = normalise_doi(text)
    found = [k for k in keys if k.doi == doi]
    if found:
        return found
    ref = _REF.match(text)
    if ref:
        return [k for k in keys if k.ref == int(ref.group(1))]
    wanted = _words(text)
    if not wanted:
        return []
    exact = [k for k in keys if _words(k.citation) == wanted
             or _words(f"{k.first_author} {k.year}") == wanted]
    return exact or [k for k in keys if _words(k.first_author) == wanted]


def find_study(text: str, keys: list[StudyKey]) -> StudyKey | None:
    """The one study `text` names; None when none; AmbiguousStudy when several."""
    found = find_studies(text, keys)
    if len(found) > 1:
        raise AmbiguousStudy(text, found)
    return found[0] if found else None


def citation(authors: list[str], truncated: bool, year: object) -> str:
    """The review's short citation of a study from its authors ('Surname Initials') and year:
    'Plakun 2023', 'Goonesekera and Donkin 2022', 'Beatty et al 2022'."""
    names = [surname(a) for a in authors] or ["Anonymous"]
    if len(names) == 1 and not truncated:
        who = names[0]
    elif len(names) == 2 and not truncated:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al"
    return f"{who} {year}"
