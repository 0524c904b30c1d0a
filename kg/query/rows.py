"""Rows of an answer as the local engines give them, made plain and put in order: SPARQL's
ORDER BY applied to Oxigraph terms, Cypher values as plain data and Cypher's final ORDER BY read
from the query text; an answer whole (`Result`) or as its rows are read (`Stream`), an engine's
failure while reading them as a one-line error."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph

from dta_kg.core.errors import DtaKgError
from dta_kg.core.output import text_key
from dta_kg.core.rdfterms import DECIMALS, INTEGERS


@dataclass
class Result:
    columns: list[str]
    rows: list[dict]


@dataclass
class Stream:
    """An answer's columns, and its rows as they are read; `close()` stops the reading early."""

    columns: list[str]
    rows: Iterator[dict]
    close: Callable[[], None]


# ladybug column types whose values come out as plain Python values
SCALARS = {"STRING", "BOOL", "INT64", "INT32", "INT16", "INT8", "UINT64", "UINT32", "UINT16",
           "UINT8", "DOUBLE", "FLOAT", "SERIAL"}


# a term's place in SPARQL's ORDER BY (see `order_key`)
SortKey = tuple[int] | tuple[int, str] | tuple[int, int, float | tuple[str, str]]


def order_key(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None
              ) -> SortKey:
    """A term's place in SPARQL's ORDER BY: unbound, blank nodes, IRIs, then literals, numbers
    by value and other literals by their text."""
    if term is None:
        return (0,)
    if isinstance(term, pyoxigraph.BlankNode):
        return (1, term.value)
    if isinstance(term, pyoxigraph.NamedNode):
        return (2, term.value)
    kind = term.datatype.value
    if kind in INTEGERS:
        return (3, 0, int(term.value))
    if kind in DECIMALS:
        number = float(term.value)
        return (3, 0, number) if number == number else (3, 1, text_key(term.value))  # NaN as text
    return (3, 1, text_key(term.value))  # text as a reader sorts it, not by code point


def _key_at(i: int, row: list) -> SortKey:
    return order_key(row[i])


def sorted_solutions(solutions: list[list], at: list[int],
                     order: list[tuple[str, bool]]) -> list[list]:
    """`solutions` sorted as SPARQL's ORDER BY sorts them, by the values at positions `at`."""
    if len({descending for _, descending in order}) == 1:  # one sort on all keys
        solutions.sort(key=lambda row: [order_key(row[i]) for i in at], reverse=order[0][1])
    else:  # stable sorts, last key first
        for i, (_, descending) in reversed(list(zip(at, order, strict=True))):
            solutions.sort(key=functools.partial(_key_at, i), reverse=descending)
    return solutions


def cypher_value(value: object) -> object:
    """A Cypher value as plain data: a node or relationship is its label and set properties."""
    if isinstance(value, dict):
        return {k: cypher_value(v) for k, v in value.items()
                if v is not None and k not in ("_ID", "_SRC", "_DST")}
    if isinstance(value, list):
        return [cypher_value(v) for v in value]
    return value


_CYPHER_ORDER = re.compile(r"\bORDER\s+BY\s+((?:\w+(?:\s+(?:ASC|DESC))?\s*,\s*)*"
                           r"\w+(?:\s+(?:ASC|DESC))?)\s*;?\s*$", re.IGNORECASE)


def as_text_lists(row: dict) -> dict:
    """A Cypher row with each list (a `collect`) as its items sorted and joined by '; ', as
    the SPARQL twin's GROUP_CONCAT writes it."""
    return {k: "; ".join(sorted(map(str, v), key=text_key)) if isinstance(v, list) else v
            for k, v in row.items()}


def cypher_order(text: str) -> list[tuple[str, bool]]:
    """The final ORDER BY of a Cypher query as (column, descending) pairs, when it sorts by
    plain returned names; otherwise none."""
    match = _CYPHER_ORDER.search(text)
    if not match:
        return []
    keys = [part.split() for part in match.group(1).split(",")]
    return [(k[0], len(k) > 1 and k[1].upper() == "DESC") for k in keys]


def read_failed(exc: BaseException) -> DtaKgError:
    """The one-line error of an engine's failure while reading an answer."""
    return DtaKgError(f"SPARQL query failed: {' '.join(str(exc).split())[:300]}")


def reading(rows: Iterator[dict]) -> Iterator[dict]:
    """`rows`, an engine's failure while reading them raised as a one-line error."""
    try:
        yield from rows
    except (OSError, RuntimeError) as exc:
        raise read_failed(exc) from exc
