"""Quotes in context, as the review prints them: the paragraph (or the one reference entry) a
quote comes from, its Markdown rendered (links, italics), its math as text, and the quoted
span marked exactly as printed, curly quotes and italics included.

The review's text is escaped before Markdown renders it, so it can add no markup of its own;
links keep only http(s) addresses, and any element Markdown makes beyond a paragraph's inline
ones is left out, its text kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from dta_kg.core.output import math_as_text
from dta_kg.loaders.review_text import SOURCE, normalise, normalise_with_positions, passages

OPEN, CLOSE = "\ue000", "\ue001"  # private-use characters: where the span starts and ends
SPAN_PASSAGES = 3  # a quote may run over this many consecutive paragraphs
INLINE = frozenset({"p", "em", "strong", "code", "br", "a"})
_TAG = re.compile(r"(<[^>]*>)")
_HREF = re.compile(r'\bhref="(https?://[^"]*)"')
_NAME = re.compile(r"</?([a-zA-Z0-9]+)")
_ENTRY = re.compile(r"^(\d+)\. ", re.M)  # "51. Russo A" would start an ordered list at 1


def in_context(quote: str | None, section: str | None = None,
               source: Path = SOURCE) -> Markup | None:
    """The passage of the review holding `quote` (in `section` when it has one there) as
    HTML, the span inside <mark>; None for a quote the review does not hold (one from a
    study's own text)."""
    if not quote:
        return None
    found = locate(normalise(quote), section, source)
    if found is None:
        return None
    return render_passage(*found)


def render_passage(text: str, start: int, end: int) -> Markup:
    """`text` (the review's Markdown) as HTML, its characters start to end inside <mark>."""
    clean = text.replace(OPEN, "").replace(CLOSE, "")  # the review's own would move the span
    start -= text[:start].count(OPEN) + text[:start].count(CLOSE)
    end -= text[:end].count(OPEN) + text[:end].count(CLOSE)
    marked = clean[:start] + OPEN + clean[start:end] + CLOSE + clean[end:]
    return Markup("".join(_marks(_render(marked))))


def locate(span: str, section: str | None, source: Path) -> tuple[str, int, int] | None:
    """(passage text as printed, start, end of the span in it): the first passage, or run of
    up to SPAN_PASSAGES passages, of `section` that holds `span`, else of any section."""
    blocks = passages(source)
    for wanted in ((section,) if section else ()) + (None,):
        for count in range(1, SPAN_PASSAGES + 1):
            for i in range(len(blocks) - count + 1):
                run = blocks[i:i + count]
                if wanted is not None and run[0][0] != wanted:
                    continue
                text = "\n\n".join(b for _, b in run)
                folded, positions = _folded(text)
                at = folded.find(span)
                if at >= 0:
                    return text, positions[at], positions[at + len(span) - 1] + 1
    return None


@cache
def _folded(text: str) -> tuple[str, list[int]]:
    return normalise_with_positions(text)


def _render(text: str) -> str:
    """Markdown of escaped `text`, math as text, without the paragraph around one paragraph."""
    # lazy: markdown loads ~40 ms; only pages that show quotes need it
    import markdown

    body = _ENTRY.sub(r"\1\\. ", math_as_text(text))
    html = markdown.markdown(str(escape(body)))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def _marks(html: str) -> Iterator[str]:
    """`html` with the text between OPEN and CLOSE in <mark> elements, one per text run, so
    that a span across an italic or a link stays well nested; tags beyond INLINE left out, a
    link kept only with an http(s) address."""
    marking = False
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            for ch in piece:
                marking = _toggle(ch, marking)
            tag = piece.replace(OPEN, "").replace(CLOSE, "")
            name = _NAME.match(tag)
            if name is None or name.group(1).lower() not in INLINE:
                continue
            if tag.startswith("<a "):
                href = _HREF.search(tag)
                tag = f'<a href="{href.group(1)}" rel="noopener noreferrer">' if href else "<a>"
            yield tag
            continue
        for part in re.split(f"([{OPEN}{CLOSE}])", piece):
            if part in (OPEN, CLOSE):
                marking = part == OPEN
            elif part:
                yield f"<mark>{part}</mark>" if marking else part


def _toggle(ch: str, marking: bool) -> bool:
    return True if ch == OPEN else False if ch == CLOSE else marking
