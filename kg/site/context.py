"""Quotes in context: the paragraph of the review a quote comes from, split around the span."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from dta_kg.loaders.review_text import SOURCE, normalise, sections

WINDOW = 400  # characters of the section shown either side when no paragraph holds the quote


@cache
def paragraphs(source: Path = SOURCE) -> tuple[str, ...]:
    """The review's paragraphs (blocks between blank lines), white space folded."""
    text = source.read_text(encoding="utf-8")
    return tuple(p for p in (normalise(b) for b in re.split(r"\n\s*\n", text)) if p)


def in_context(quote: str | None, section: str | None = None,
               source: Path = SOURCE) -> tuple[str, str, str] | None:
    """(text before, the span, text after) in the paragraph holding `quote`; else around it in
    its section (a quote across paragraphs); None for a quote the review does not hold (one
    from a study's own text)."""
    if not quote:
        return None
    span = normalise(quote)
    for para in paragraphs(source):
        at = para.find(span)
        if at >= 0:
            return para[:at], para[at:at + len(span)], para[at + len(span):]
    text = sections(source).get(section or "", "")
    at = text.find(span)
    if at < 0:
        return None
    before, after = text[max(0, at - WINDOW):at], text[at + len(span):at + len(span) + WINDOW]
    return "…" + before if at > WINDOW else before, span, after + "…"
