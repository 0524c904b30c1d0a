"""Bounded reading: every file, stream and reply dta-kg reads has a size limit.

A read takes at most one byte more than its limit, so `/dev/zero`, `/dev/urandom`, a huge file
or an endless reply costs no more memory than the limit; going over it is a one-line error
naming the input and what to do.
"""

from __future__ import annotations

import errno
import io
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, AnyStr, TypeVar

from dta_kg.core.errors import DtaKgError, RecordError

MB = 1_000_000
RECORD_BYTES = 2 * MB  # a YAML record: review.yaml, instruments.yaml, a study (largest: 8 kB)
TEXT_BYTES = 2 * MB  # a study's text (`source add --text`, `suggest`); an article is ~100 kB
BIBLIOGRAPHY_BYTES = 32 * MB  # a BibTeX, RIS or CSL-JSON export (`study import`)
SEARCH_EXPORT_BYTES = 200 * 1024 * 1024  # a database search export (`screen import`)
DECISIONS_BYTES = 32 * MB  # a CSV of screening decisions (`screen decide --file`): ~100 bytes a row
# a search run's generated record (records/screening/runs/) holds its export's records, each
# text in quotes: up to about twice the export (10,000 records: ~4 MB)
SEARCH_RUN_BYTES = 2 * SEARCH_EXPORT_BYTES
STUDY_TITLES_BYTES = 256 * MB  # the build folder's cache of study titles: ~250 bytes a study
QUERY_BYTES = 1 * MB  # a query read with -f
# an ontology in Turtle (`docs --ontology`; ontology/dta.ttl: 137 kB): below Oxigraph's
# 16 MiB buffer for one token, so no token in it can overflow that buffer
ONTOLOGY_BYTES = 16 * MB
RELEASE_FILE_BYTES = 32 * MB  # a release's CHANGELOG.md or RO-Crate metadata (a few kB)
GRAPH_BYTES = 2_000 * MB  # an RDF graph given to `diff` (the review's dta-kg.nt: ~55 kB a study)
JOURNAL_BYTES = 64 * MB  # the records' journal of an interrupted write: ~150 bytes a file
REPLY_BYTES = 512 * MB  # a SPARQL endpoint's answer
CROSSREF_BYTES = 8 * MB  # one Crossref work record


class TooLarge(DtaKgError):
    """An input is larger than its limit."""


def too_large(name: str | Path, limit: int, what: str, fix: str) -> TooLarge:
    """The one-line error for `name` (a file, stream or URL) over `limit` bytes."""
    return TooLarge(f"{name}: is larger than {limit:,} bytes, the limit for {what}; {fix}")


def read_bytes(path: Path, limit: int, what: str, fix: str, follow_symlinks: bool = True) -> bytes:
    """The bytes of the file `path`, at most `limit` of them (else TooLarge). OSError is left
    to the caller, which knows what the file is for."""
    with open_regular(path, follow_symlinks) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(path, limit, what, fix)
    return data


def read_input(path: Path, limit: int, what: str, fix: str, follow_symlinks: bool = True) -> bytes:
    """`read_bytes` for a file given by the user or listed in the records: one too large, not
    a regular file or unreadable is a RecordError naming it."""
    try:
        return read_bytes(path, limit, what, fix, follow_symlinks)
    except TooLarge as exc:
        raise RecordError(path, "", str(exc).partition(": ")[2]) from None
    except OSError as exc:
        raise RecordError(path, "", f"cannot be read ({exc.strerror})", "check the path") from exc


class Capped:
    """`stream` for a parser that reads it in chunks itself (Oxigraph): a read past `limit`
    bytes in all raises TooLarge naming the stream."""

    def __init__(self, stream: IO[bytes], limit: int, what: str, fix: str) -> None:
        self.stream, self.left, self.limit, self.what, self.fix = stream, limit, limit, what, fix

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(self.left + 1 if size < 0 else min(size, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise too_large(getattr(self.stream, "name", self.what), self.limit, self.what,
                            self.fix)
        return data


def read_text_input(path: Path, limit: int, what: str, fix: str) -> str:
    """`read_input` decoded as UTF-8; text that is not is a RecordError naming `path`."""
    try:
        return read_input(path, limit, what, fix).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text", fix) from exc


def open_regular(path: str | Path, follow_symlinks: bool = True) -> io.BufferedReader:
    """`path` opened for reading when it is a regular file. It is opened without blocking and
    checked (fstat) before a byte is read, so a FIFO with no writer or a device is refused at
    once, as an OSError the caller reports in its one line like any unreadable file. Without
    `follow_symlinks` a symlink at `path` itself is refused the same way (O_NOFOLLOW)."""
    # named `path` in errors and `.name`
    return open(path, "rb", opener=_regular_fd if follow_symlinks else _unlinked_fd)


def _unlinked_fd(path: str, flags: int) -> int:
    try:
        return _regular_fd(path, flags | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise OSError(errno.ELOOP, "a symbolic link, which is not followed here; put the "
                      "file itself in its place", str(path)) from None


def _regular_fd(path: str, flags: int) -> int:
    fd = os.open(path, flags | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file but a pipe, socket or device; give "
                          "the path of a file", str(path))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_stream(stream: IO[AnyStr], limit: int, what: str, fix: str) -> AnyStr:
    """What `stream` (an open file, a pipe, an HTTP reply) holds, at most `limit` bytes or
    characters of it (else TooLarge)."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(getattr(stream, "name", None) or getattr(stream, "url", None) or what,
                        limit, what, fix)
    return data


def load_json(data: str | bytes) -> Any:
    """`json.loads` for data from outside (a reply, a marker, a cache): nesting too deep for
    the decoder's recursion is a ValueError like any other malformed JSON, so every caller
    that reports bad JSON in one line reports this too (never a RecursionError traceback)."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


T = TypeVar("T")


def in_time(seconds: float, exchange: Callable[[], T]) -> T:
    """What `exchange()` returns when it is done within `seconds`, else TimeoutError: one
    deadline on a whole network exchange (connect, headers, body). A socket's timeout bounds
    each read only, so a server dripping a byte a second would hold it for ever; a late
    exchange is left to its daemon thread, whose socket timeout ends it."""
    done: list[tuple[bool, Any]] = []

    def run() -> None:
        try:
            done.append((True, exchange()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            done.append((False, exc))

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if not done:
        raise TimeoutError(f"no complete answer within {seconds:.3g} s")
    ok, value = done[0]
    if not ok:
        raise value
    return value
