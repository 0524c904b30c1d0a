"""What a fact stands on: stated by its source, or a curator's inference with a confidence.

The one order of bases, strongest first, that every answer, page and export uses: a fact is
`stated` (its source says it in so many words) or inferred with confidence `high`, `medium` or
`low`. An inference whose record gives no confidence counts as `low` (and is shown so). A row
that rests on several facts shows the weakest of them; where several facts could each support
the same row, the strongest one counts.

In the graph each fact carries the derived `dta:basis` ("stated" or "inferred") and
`dta:basisRank` (its place in `LEVELS`, counted from the weakest, so 0 is low and 3 stated);
the named queries return `basis_rank`, which `with_basis` turns into `basis` and `confidence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from dta_kg.core.registry import BASES, CONFIDENCE_LEVELS, CONFIDENCES

STATED, INFERRED = BASES
LEVELS = CONFIDENCE_LEVELS  # of `--min-confidence`, strongest first
UNGIVEN = "low"  # what an inference without a confidence counts as
RANK_COLUMN = "basis_rank"  # the column a named query gives it in
BASIS_COLUMNS = ("basis", "confidence")  # what `with_basis` puts in its place


def level_of(inferred: str | None, confidence: str | None) -> str:
    """The level of a fact from its evidence: stated, or its inference's confidence."""
    if not inferred:
        return STATED
    return confidence if confidence in CONFIDENCES else UNGIVEN


def rank(level: str) -> int:
    """The rank of `level`: 0 for low up to 3 for stated (bigger is stronger)."""
    return len(LEVELS) - 1 - LEVELS.index(level)


def level_at(rank_value: int) -> str:
    return LEVELS[len(LEVELS) - 1 - rank_value]


def weakest(levels: Iterable[str]) -> str:
    """The weakest of `levels` (stated when there are none: nothing inferred)."""
    return min(levels, key=rank, default=STATED)


def strongest(levels: Iterable[str]) -> str:
    """The strongest of `levels`, the one that counts where each could support the same row."""
    return max(levels, key=rank)


def columns(level: str) -> tuple[str, str | None]:
    """(basis, confidence) of a level: ('stated', None) or ('inferred', 'medium')."""
    return (STATED, None) if level == STATED else (INFERRED, level)


def basis_of(inferred: str | None, confidence: str | None) -> dict[str, str | None]:
    """{'basis': ..., 'confidence': ...} of a fact from its evidence, as answers show it."""
    basis, level = columns(level_of(inferred, confidence))
    return {"basis": basis, "confidence": level}


def label(level: str) -> str:
    """How a person reads a level: 'stated' or 'inferred (medium confidence)'."""
    return STATED if level == STATED else f"{INFERRED} ({level} confidence)"


def at_least(level: str, minimum: str) -> bool:
    """Whether `level` is as strong as `minimum` (any level is at least 'low')."""
    return rank(level) >= rank(minimum)


def with_basis(column_names: list[str], rows: Iterable[dict],
               minimum: str = UNGIVEN) -> tuple[list[str], Iterator[dict]]:
    """An answer's columns and rows with its `basis_rank` column read as `basis` and
    `confidence`, and only the rows at least as strong as `minimum`; an answer without that
    column passes unchanged."""
    if RANK_COLUMN not in column_names:
        return column_names, iter(rows)
    at = column_names.index(RANK_COLUMN)
    named = [*column_names[:at], *BASIS_COLUMNS, *column_names[at + 1:]]
    least = rank(minimum)

    def read() -> Iterator[dict]:
        for row in rows:
            value = row.get(RANK_COLUMN)
            level = level_at(int(value)) if value is not None else STATED
            if rank(level) < least:
                continue
            basis, confidence = columns(level)
            yield {name: (basis if name == "basis" else confidence if name == "confidence"
                          else row.get(name)) for name in named}

    return named, read()
