"""Bounded reading: every file, stream and reply dta-kg reads has a size limit.

A read takes at most one byte more than its limit, so `/dev/zero`, `/dev/urandom`, a huge file
or an endless reply costs no more memory than the limit; going over it is a one-line error
naming the input and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, AnyStr

from dta_kg.core.errors import DtaKgError

MB = 1_000_000
RECORD_BYTES = 2 * MB  # a YAML record: review.yaml, instruments.yaml, a study (largest: 8 kB)
TEXT_BYTES = 2 * MB  # a study's text (`source add --text`, `suggest`); an article is ~100 kB
BIBLIOGRAPHY_BYTES = 32 * MB  # a BibTeX, RIS or CSL-JSON export (`study import`)
QUERY_BYTES = 1 * MB  # a query read with -f
REPLY_BYTES = 512 * MB  # a SPARQL endpoint's answer
CROSSREF_BYTES = 8 * MB  # one Crossref work record


class TooLarge(DtaKgError):
    """An input is larger than its limit."""


def too_large(name: str | Path, limit: int, what: str, fix: str) -> TooLarge:
    """The one-line error for `name` (a file, stream or URL) over `limit` bytes."""
    return TooLarge(f"{name}: is larger than {limit:,} bytes, the limit for {what}; {fix}")


def read_bytes(path: Path, limit: int, what: str, fix: str) -> bytes:
    """The bytes of the file `path`, at most `limit` of them (else TooLarge). OSError is left
    to the caller, which knows what the file is for."""
    with open(path, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(path, limit, what, fix)
    return data


def read_stream(stream: IO[AnyStr], limit: int, what: str, fix: str) -> AnyStr:
    """What `stream` (an open file, a pipe, an HTTP reply) holds, at most `limit` bytes or
    characters of it (else TooLarge)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(getattr(stream, "name", None) or getattr(stream, "url", None) or what,
                        limit, what, fix)
    return data
