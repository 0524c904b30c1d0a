"""Field access for curated records: every accessor raises RecordError naming file, record and field."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal, NoReturn, overload

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DOI_PATTERN, is_iri, normalise_doi
from dta_kg.core.limits import RECORD_BYTES, TooLarge, read_bytes
from dta_kg.core.model import Evidence, Stamp
from dta_kg.core.record_schema import record_keys
from dta_kg.core.registry import CONFIDENCES, STUDY_SECTIONS
from dta_kg.core.vocabulary import Vocabulary

from .review_text import (
    MAX_QUOTE_WORDS,
    MIN_QUOTE_WORDS,
    SECTIONS,
    SOURCES,
    held_text,
    normalise,
    quote_problem,
    source_text_path,
)

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line breaks


class Fields:
    """A mapping from a record, with accessors that raise RecordError naming the field."""

    def __init__(self, data: Any, path: Path, where: str, record: str = ""):
        self.path, self.where, self.record = path, where, record
        if not isinstance(data, dict):
            self.fail("", f"expected a mapping, found {type(data).__name__}",
                      "write 'key: value' lines")
        self.data = data

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str, fix: str = "") -> NoReturn:
        raise RecordError(self.path, self.name(key), problem, fix, self.record)

    def allow(self, keys: Iterable[str]) -> None:
        """Refuse a key outside `keys` (a misspelling would drop its data silently), naming
        the line it is on and the nearest valid key."""
        known = list(keys)
        for key in self.data:
            if key not in known:
                close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
                fix = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(known)}"
                line = key_line(self.path, str(key))
                at = f" (line {line})" if line else ""
                self.fail(str(key), f"unknown key{at}", fix)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key, default)
        return default if value is None else value

    @overload
    def text(self, key: str, required: Literal[True] = True) -> str: ...
    @overload
    def text(self, key: str, required: bool) -> str | None: ...

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}: ...'")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.fail(key, f"expected text, found {type(value).__name__}", "write plain text")
        value = str(value).strip()
        bad = CONTROL.search(value)
        if bad:
            self.fail(key, f"contains the control character U+{ord(bad.group()):04X}",
                      "remove it (terminal escapes and bells do not belong in a record)")
        if required and not value:
            self.fail(key, "is empty", f"give '{key}' a value")
        return value or None

    def iri(self, key: str, required: bool = True, example: str | None = None) -> str | None:
        value = self.text(key, required)
        if value is not None and not is_iri(value):
            self.fail(key, f"'{value}' is not an IRI",
                      f"write an absolute IRI such as {example or 'https://example.org/x'}")
        return value

    @overload
    def integer(self, key: str, required: Literal[True] = True,
                bounds: tuple[int, int] | None = None) -> int: ...
    @overload
    def integer(self, key: str, required: bool, bounds: tuple[int, int] | None = None) -> int | None: ...

    def integer(self, key: str, required: bool = True,
                bounds: tuple[int, int] | None = None) -> int | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}: <number>'")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
            else:
                self.fail(key, f"'{value}' is not a whole number", "write digits only")
        if bounds and not bounds[0] <= value <= bounds[1]:
            self.fail(key, f"{value} is out of range", f"use a value from {bounds[0]} to {bounds[1]}")
        return value

    def items(self, key: str) -> list[Fields]:
        value = self.get(key, [])
        if not isinstance(value, list):
            self.fail(key, "expected a list", f"write '{key}:' followed by '- ...' items")
        return [Fields(v, self.path, f"{self.name(key)}[{i}]", self.record)
                for i, v in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "expected a list of non-empty text", f"write '{key}: [a, b]'")
        return tuple(v.strip() for v in value)

    @overload
    def term(self, key: str, kind: str, vocab: Vocabulary, required: Literal[True] = True) -> str: ...
    @overload
    def term(self, key: str, kind: str, vocab: Vocabulary, required: bool) -> str | None: ...

    def term(self, key: str, kind: str, vocab: Vocabulary, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is None:
            return None
        if value not in vocab.ids(kind):
            choices = ", ".join(vocab.closest(kind, value))
            self.fail(key, f"unknown {kind} '{value}'", f"use one of: {choices}")
        return value

    @overload
    def sub(self, key: str, required: Literal[True] = True) -> Fields: ...
    @overload
    def sub(self, key: str, required: bool) -> Fields | None: ...

    def sub(self, key: str, required: bool = True) -> Fields | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail(key, "is missing", f"add '{key}:' with its fields")
            return None
        return Fields(value, self.path, self.name(key), self.record)


def key_line(path: Path, key: str) -> int | None:
    """The first line of the file at `path` that sets `key`, for error messages."""
    pattern = re.compile(rf"^\s*(?:-\s+)*['\"]?{re.escape(key)}['\"]?\s*:")
    try:
        lines = read_bytes(Path(path), RECORD_BYTES, "a YAML record", "",
                           follow_symlinks=False).decode("utf-8").splitlines()
    except (OSError, TooLarge, UnicodeDecodeError):
        return None
    return next((i for i, line in enumerate(lines, 1) if pattern.match(line)), None)


def read_evidence(fields: Fields, key: str = "evidence") -> Evidence:
    ev = fields.sub(key)
    ev.allow(record_keys(Evidence))
    section = ev.text("section")
    source = ev.text("source", required=False)
    if source is not None:  # a quote from a study's own text, which is not held here to match
        source = normalise_doi(source)
        if not DOI_PATTERN.match(source):
            ev.fail("source", f"'{source}' is not a DOI", "give the DOI of the quoted document")
        if section not in STUDY_SECTIONS:
            ev.fail("section", f"'{section}' is not a section of a study",
                    f"use one of: {', '.join(STUDY_SECTIONS)}")
    elif section not in SECTIONS:
        ev.fail("section", f"unknown section '{section}'",
                "use a heading such as 'Results > Therapeutic Bond' (see records/README.md)")
    quote = ev.text("quote")
    verified = True
    words = len(quote.split())
    if source is None:
        problem = quote_problem(section, quote)
    elif words > MAX_QUOTE_WORDS:
        problem = f"the quote has {words} words, more than {MAX_QUOTE_WORDS}"
    elif words < MIN_QUOTE_WORDS and section != "Title":  # a title may be short
        problem = f"the quote has {words} word(s); quote at least {MIN_QUOTE_WORDS}"
    else:
        problem = None
        records = records_folder(fields.path)
        held = source_text_path(records, source) if records else None
        text = held_text(held) if held else None
        if held is None or text is None:
            verified = False  # shown as unverified wherever the evidence appears
        elif normalise(quote) not in text:
            problem = (f"the quote is not verbatim in the registered text of {source} "
                       f"(records/{SOURCES}/{held.name})")
    if problem:
        ev.fail("quote", problem, "copy a span of at most 30 words from that section verbatim")
    inferred = ev.text("inferred", required=False)
    confidence = ev.text("confidence", required=False)
    if confidence is not None and (inferred is None or confidence not in CONFIDENCES):
        ev.fail("confidence", f"'{confidence}' is not the confidence of an inference",
                "give 'inferred: <reason>' and 'confidence: high', 'medium' or 'low'")
    return Evidence(section=section, quote=quote, inferred=inferred, source=source,
                    confidence=confidence, verified=verified)


def records_folder(path: Path | str) -> Path | None:
    """The records folder a record file belongs to (the one holding review.yaml)."""
    for folder in Path(path).parents[:2]:
        if (folder / "review.yaml").exists():
            return folder
    return None


def read_stamp(fields: Fields, key: str, text_key: str = "note") -> Stamp | None:
    """A stamp `{by, at, <text_key>}` (the text key is 'note', or 'reason' for a retraction)."""
    stamp = fields.sub(key, required=False)
    if stamp is None:
        return None
    stamp.allow(("by", "at", text_key))
    at = stamp.text("at")
    try:
        datetime.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        stamp.fail("at", f"'{at}' is not an ISO 8601 date-time", "write it like 2026-06-02T09:30:00Z")
    # a retraction or restoration says why; a note is optional
    return Stamp(by=stamp.text("by"), at=at, text=stamp.text(text_key, text_key == "reason"))
