"""Find duplicates among search records: by DOI, then by normalised title and year.

A title is normalised by dropping accents, case and punctuation; two titles of the same year
whose normalised forms are within a short edit distance (rapidfuzz's Levenshtein) and hold the
same numbers ("Part 1" is not "Part 2") are the same record. Every duplicate points to its
original (a study of the graph or an earlier candidate), never to another duplicate."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

MAX_EDITS = 3  # a title this close (after normalising) is the same title
MIN_FUZZY_LENGTH = 25  # shorter titles must match exactly: 'Chatbots' vs 'Chatbot' are not one
_NOT_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+")


def normalise_title(title: str) -> str:
    """'Le Bond Thérapeutique: un Essai!' -> 'le bond therapeutique un essai'."""
    plain = title  # ASCII has no accents to drop
    if not title.isascii():
        decomposed = unicodedata.normalize("NFKD", title)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", plain.casefold()).strip()


@dataclass(frozen=True)
class Original:
    """What a duplicate duplicates: a candidate (its id) or a study of the graph (its DOI)."""

    candidate: str | None = None
    study: str | None = None


@dataclass
class DuplicateIndex:
    """The originals seen so far, by DOI and by normalised title within a year."""

    by_doi: dict[str, Original] = field(default_factory=dict)
    by_title: dict[tuple[str, int | None], Original] = field(default_factory=dict)
    # (year, length) -> normalised titles: only titles within MAX_EDITS in length can be close
    titles: dict[tuple[int | None, int], list[str]] = field(default_factory=dict)

    def add(self, original: Original, doi: str | None, title: str, year: int | None,
            norm: str | None = None) -> None:
        if doi:
            self.by_doi.setdefault(doi.casefold(), original)
        key = (normalise_title(title) if norm is None else norm, year)
        if key not in self.by_title:
            self.by_title[key] = original
            self.titles.setdefault((year, len(key[0])), []).append(key[0])

    def find(self, doi: str | None, title: str, year: int | None,
             norm: str | None = None) -> tuple[Original, str] | None:
        """The original this record duplicates and the rule that found it, or None."""
        if doi and doi.casefold() in self.by_doi:
            return self.by_doi[doi.casefold()], "doi"
        norm = normalise_title(title) if norm is None else norm
        if (norm, year) in self.by_title:
            return self.by_title[(norm, year)], "title"
        if len(norm) < MIN_FUZZY_LENGTH:
            return None
        numbers = _NUMBER.findall(norm)
        for size in range(len(norm) - MAX_EDITS, len(norm) + MAX_EDITS + 1):
            for near, _, _ in process.extract(norm, self.titles.get((year, size), ()),
                                              scorer=Levenshtein.distance,
                                              score_cutoff=MAX_EDITS, limit=None):
                if _NUMBER.findall(near) == numbers:
                    return self.by_title[(near, year)], "title"
        return None
