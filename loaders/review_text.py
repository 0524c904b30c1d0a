"""The review's text split into its sections, for checking that quotes are verbatim."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import normalise_doi, slug
from dta_kg.core.limits import TEXT_BYTES, read_input
from dta_kg.core.paths import REVIEW_TEXT

SOURCE = REVIEW_TEXT  # package data, so quotes are checked wherever dta-kg is installed

# (heading line, section name); None marks a parent heading whose text is its subsections'.
HEADINGS: tuple[tuple[str, str | None], ...] = (
    ("Abstract", "Abstract"),
    ("Introduction", "Introduction"),
    ("Methods", None),
    ("Search Strategies", "Methods > Search Strategies"),
    ("Study Eligibility", "Methods > Study Eligibility"),
    ("Data Extraction", "Methods > Data Extraction"),
    ("Data Analysis", "Methods > Data Analysis"),
    ("Quality Assessment", "Methods > Quality Assessment"),
    ("Results", None),
    ("Description of Studies", "Results > Description of Studies"),
    ("Goal Alignment", "Results > Goal Alignment"),
    ("Task Agreement", "Results > Task Agreement"),
    ("Therapeutic Bond", "Results > Therapeutic Bond"),
    ("User Engagement", "Results > User Engagement"),
    ("Facilitators and Barriers", "Results > Facilitators and Barriers"),
    ("Quality Assessment of the Identified Studies",
     "Results > Quality Assessment of the Identified Studies"),
    ("Definition of the DTA", "Results > Definition of the DTA"),
    ("Discussion", None),
    ("Principal Results", "Discussion > Principal Results"),
    ("Comparison With Prior Work", "Discussion > Comparison With Prior Work"),
    ("Limitations", "Discussion > Limitations"),
    ("Conclusions", "Discussion > Conclusions"),
    ("Acknowledgments", None),
    ("References", "References"),
    ("Abbreviations", None),
)
SECTIONS = tuple(name for _, name in HEADINGS if name)
MAX_QUOTE_WORDS = 30
MIN_QUOTE_WORDS = 3  # "a" or "the" is verbatim almost anywhere: it proves nothing
SOURCES = "sources"  # records/sources/<DOI slug>.txt: texts registered by `dta-kg source add`

_SPACE = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "*": None})


def normalise(text: str) -> str:
    """Fold white space, curly quotes and '*' emphasis so quotes match across line breaks."""
    return _SPACE.sub(" ", text.translate(_FOLD)).strip()


def normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """`normalise(text)` and, for each of its characters, where it comes from in `text` (a
    folded run of white space: its first character), so a span found in the normalised text
    can be shown as the source prints it."""
    out: list[str] = []
    positions: list[int] = []
    space = False
    for at, ch in enumerate(text):
        if ch.isspace():
            space = True
            continue
        folded = ch.translate(_FOLD)
        if not folded:
            continue
        if space and out:
            out.append(" ")
            positions.append(at - 1)
        space = False
        out.append(folded)
        positions.append(at)
    return "".join(out), positions


@lru_cache(maxsize=4)
def passages(source: Path = SOURCE) -> tuple[tuple[str | None, str], ...]:
    """(section, text as printed) for each paragraph of the review, in order: the blocks
    between blank lines, each entry of the reference list on its own; headings left out."""
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", source.read_text(encoding="utf-8"))]
    found: list[tuple[str | None, str]] = []
    section: str | None = None
    expected = iter(HEADINGS)
    heading, name = next(expected)
    for block in filter(str.strip, blocks):
        if block.strip() == heading:
            section = name  # None under a parent heading, whose text is its subsections'
            heading, name = next(expected, ("", None))
            continue
        if re.match(r"\d+\. ", block):  # the reference list: one entry a line
            found += [(section, line) for line in block.splitlines() if line.strip()]
        else:
            found.append((section, block))
    if heading:
        raise ValueError(f"{source}: heading '{heading}' not found on a line of its own")
    return tuple(found)


@lru_cache(maxsize=4)
def sections(source: Path = SOURCE) -> dict[str, str]:
    """Map each section name to its normalised text."""
    lines = source.read_text(encoding="utf-8").splitlines()
    starts: list[tuple[int, str | None]] = []
    at = 0
    for heading, name in HEADINGS:
        for i in range(at, len(lines)):
            if lines[i].strip() == heading:
                starts.append((i, name))
                at = i + 1
                break
        else:
            raise ValueError(f"{source}: heading '{heading}' not found")
    texts = {}
    for (start, name), (end, _) in zip(starts, starts[1:] + [(len(lines), None)], strict=True):
        if name:
            texts[name] = normalise("\n".join(lines[start + 1:end]))
    return texts


def source_text_path(records: Path, doi: str) -> Path:
    """Where the registered text of the document `doi` is kept in a records folder."""
    return records / SOURCES / f"{slug(normalise_doi(doi))}.txt"


@lru_cache(maxsize=64)
def _held_text(path: Path, stamp: tuple[int, int]) -> str:
    raw = read_input(path, TEXT_BYTES, "a document's text", "register a shorter text",
                     follow_symlinks=False)  # a record: a regular file in the records folder
    try:
        return normalise(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text", "register the text again") from exc


def held_text(path: Path) -> str | None:
    """The normalised text of a registered source, None when the project does not hold it."""
    try:
        info = path.stat()
    except OSError:
        return None
    return _held_text(path, (info.st_mtime_ns, info.st_size))


def quote_problem(section: str, quote: str) -> str | None:
    """Why `quote` is not a valid evidence span of `section`, or None when it is."""
    texts = sections()
    if section not in texts:
        return f"unknown section '{section}'"
    words = len(quote.split())
    if not quote.strip():
        return "the quote is empty"
    if words > MAX_QUOTE_WORDS:
        return f"the quote has {words} words, more than {MAX_QUOTE_WORDS}"
    if words < MIN_QUOTE_WORDS:
        return f"the quote has {words} word(s); quote at least {MIN_QUOTE_WORDS}"
    if normalise(quote) not in texts[section]:
        found = [name for name, text in texts.items() if normalise(quote) in text]
        where = f" (it is in '{found[0]}')" if found else ""
        return f"the quote is not verbatim in section '{section}'{where}"
    return None
