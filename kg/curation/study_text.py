"""A study's own text read for suggestions: checked, cut into sections and sentences, and
normalised into match keys (case, plural and inflection, hyphenation, British and American
spelling) so that the vocabulary's phrases can be found in it.

Sentences come from syntok (rule-based, no model); keys are Snowball (Porter 2) stems of the
words after their spelling is folded to one variety, so 'randomized trials' and 'randomised
trial' give the same key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError
from dta_kg.core.limits import TEXT_BYTES, TooLarge, read_bytes
from dta_kg.loaders.fields import STUDY_SECTIONS

MAX_HEADING_WORDS = 8

# heading words -> the study section they open (STUDY_SECTIONS)
SECTION_OF = {
    "title": "Title", "abstract": "Abstract", "summary": "Abstract",
    "introduction": "Introduction", "background": "Introduction",
    "methods": "Methods", "method": "Methods", "materials and methods": "Methods",
    "methodology": "Methods", "results": "Results", "findings": "Results",
    "discussion": "Discussion", "conclusions": "Conclusions", "conclusion": "Conclusions",
}
assert set(SECTION_OF.values()) <= set(STUDY_SECTIONS)

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$|^\s*(?:\d+(?:\.\d+)*\.?\s+)?"
                      r"([A-Za-z][A-Za-z ]{2,40}?)\s*:?\s*$")
_WORD = re.compile(r"[^\W_]+")
# prefixes written both joined and hyphenated: 'non-judgmental' is 'nonjudgmental'
_JOINED_PREFIXES = frozenset({"non", "e", "co", "pre", "re", "anti", "multi", "semi", "post"})
_SPELLING = (  # British and American spellings folded to one
    (re.compile(r"iz(e|es|ed|ing|ation|ations|er|ers)$"), r"is\1"),
    (re.compile(r"yz(e|es|ed|ing)$"), r"ys\1"),
    (re.compile(r"(?<=\w{3})our(s|al|ally|ed|ing|ite|ites)?$"), r"or\1"),
    (re.compile(r"(?<=\w{3})tre(s)?$"), r"ter\1"),
    (re.compile(r"ogue(s)?$"), r"og\1"),
    (re.compile(r"(?<=\w{2})ell(ed|ing|er|ers)$"), r"el\1"),
    (re.compile(r"dgement"), "dgment"),
    (re.compile(r"^(p|h|an)ae"), r"\1e"),
    (re.compile(r"^programme(s)?$"), r"program\1"),
)


@dataclass(frozen=True)
class Token:
    """A word of the text: where it is and its match key."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class Sentence:
    """One sentence: its place in the text, its section (None before any heading), its words."""

    start: int
    end: int
    section: str | None
    tokens: tuple[Token, ...]


def read_study_text(path: Path, record: str = "") -> str:
    """The text of a document at `path` (`suggest`, `source add`), refused with a one-line
    error when it is missing, too large, binary, not UTF-8 or empty."""
    try:  # read no further than the limit: /dev/zero or a pipe has no size to check first
        raw = read_bytes(path, TEXT_BYTES, "a document's text", "give the document's text "
                         "alone, as plain text, without figures or supplements")
    except TooLarge as exc:
        raise RecordError(path, "", str(exc).partition(": ")[2], record=record) from None
    except OSError as exc:
        raise RecordError(path, "", f"cannot be read ({exc.strerror})", "check the path",
                          record) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text (binary?)",
                          "give the document's text as a UTF-8 text or Markdown file",
                          record) from exc
    if "\x00" in text or not text.strip():
        raise RecordError(path, "", "is binary or empty, not the document's text",
                          "give the document's text as a UTF-8 text or Markdown file", record)
    return text


def heading_section(line: str) -> tuple[bool, str | None]:
    """(whether `line` is a heading, the study section it opens or None if it opens none).
    A Markdown heading is always a heading; a bare line only when it names a section."""
    found = _HEADING.match(line)
    if not found:
        return False, None
    words = " ".join((found.group(2) or found.group(3) or "").lower().split())
    words = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", words).rstrip(":")
    section = SECTION_OF.get(words)
    if found.group(1):
        return len(words.split()) <= MAX_HEADING_WORDS * 2, section
    return section is not None, section


def blocks(text: str) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, section) of each run of text between headings; a subheading that names
    no section stays in the section above it, and a level-1 one is the title."""
    section, start, at = None, 0, 0
    for line in text.splitlines(keepends=True):
        is_heading, opens = heading_section(line)
        if is_heading:
            if at > start:
                yield start, at, section
            title = re.match(r"#\s+(?=\S)", line)
            if title and opens is None:  # a level-1 heading naming no section is the title
                yield at + title.end(), at + len(line.rstrip()), "Title"
            section = opens or section
            start = at + len(line)
        at += len(line)
    if at > start:
        yield start, at, section


def sentences(text: str) -> list[Sentence]:
    """Every sentence of `text` with its section and its words' match keys."""
    # lazy: syntok (and its regex module) loads ~35 ms; only `suggest` splits sentences
    from syntok import segmenter

    found = []
    for start, end, section in blocks(text):
        chunk = text[start:end]
        for paragraph in segmenter.analyze(chunk):
            for sent in paragraph:
                if not sent:
                    continue
                first = start + sent[0].offset
                last = start + sent[-1].offset + len(sent[-1].value)
                found.append(Sentence(first, last, section, tuple(tokens(text, first, last))))
    return found


def tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """The words of text[start:end] with their match keys; a possessive 's is dropped and a
    hyphenated prefix ('non-', 'e-') is joined to its word."""
    stop = len(text) if end is None else end
    pending: Token | None = None
    for found in _WORD.finditer(text, start, stop):
        word, at = found.group(), found.start()
        if word.lower() == "s" and at > 0 and text[at - 1] in "'’":
            continue
        if pending is not None and at == pending.end + 1 and text[pending.end] == "-":
            yield Token(pending.start, found.end(), key(text[pending.start:pending.end] + word))
            pending = None
            continue
        if pending is not None:
            yield pending
            pending = None
        token = Token(at, found.end(), key(word))
        if word.lower() in _JOINED_PREFIXES and found.end() < stop and text[found.end()] == "-":
            pending = token
        else:
            yield token
    if pending is not None:
        yield pending


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """The match key of a word: an acronym as written ('WAI', 'UES'), otherwise the stem of its
    lower-case, spelling-folded form."""
    if 2 <= len(word) <= 6 and word.isupper():
        return word
    folded = word.lower()
    for pattern, replacement in _SPELLING:
        folded = pattern.sub(replacement, folded)
    return stem(folded)


@lru_cache(maxsize=4096)
def phrase_key(text: str) -> tuple[str, ...]:
    """The match keys of a phrase, as `tokens` gives them."""
    return tuple(t.key for t in tokens(text))


@cache
def _stemmer() -> Any:
    # lazy: snowballstemmer loads ~30 ms; only `suggest` and its benchmark stem words
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@cache
def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def quote_span(text: str, sentence: Sentence, focus: tuple[int, int], max_words: int) -> str:
    """The sentence as written (white space folded), or the `max_words` words of it centred
    on `focus` (a character range) when it is longer."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[sentence.start:sentence.end])]
    if len(words) <= max_words:
        return " ".join(text[sentence.start:sentence.end].split())
    middle = (focus[0] + focus[1]) // 2 - sentence.start
    centre = next((i for i, (_, e) in enumerate(words) if e > middle), len(words) - 1)
    first = min(max(0, centre - max_words // 2), len(words) - max_words)
    span = text[sentence.start + words[first][0]:sentence.start + words[first + max_words - 1][1]]
    return " ".join(span.split())
