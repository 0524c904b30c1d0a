"""`dta-kg check --registry`: each study's DOI, first author, title, year and venue against the
record the DOI registry (Crossref) holds for it.

Read-only for the records: every difference is a warning naming both values, for a curator to
judge. Crossref's answers are kept in the build folder (`crossref/`) with the service that
gave them, so a second audit of that service asks nothing of the network unless told to
refresh; a DOI Crossref has no record of is kept too.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from dta_kg.core.files import owning, write_atomic
from dta_kg.core.iris import normalise_doi, slug
from dta_kg.core.limits import CROSSREF_BYTES, TooLarge, load_json, read_bytes
from dta_kg.core.model import Corpus, Study, surname
from dta_kg.core.paths import Project
from dta_kg.loaders.bibliography import author_name
from dta_kg.loaders.records import read_corpus
from dta_kg.loaders.terms import project_vocabulary

from .audit import Notice
from .crossref import NotRegistered, fetch_work, service_url

CACHE = "crossref"  # folder of the build that keeps Crossref's answers
# words an abbreviated journal title leaves out ('J Med Internet Res' = Journal of Medical ...)
VENUE_STOP_WORDS = frozenset("of the and in for on de la le des du".split())
_TAGS = re.compile(r"<[^>]+>")  # Crossref titles may carry JATS or HTML markup: <i>, <sub>

Fetch = Callable[[str], dict[str, Any]]


def folded(text: str) -> str:
    """`text` without case, accents, markup, punctuation or spaces: 'Macrynika' and
    'MACRYNIKA', or two titles that differ only in punctuation, fold alike."""
    plain = unicodedata.normalize("NFKD", _TAGS.sub("", text).casefold())
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", _TAGS.sub("", text).casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.findall(r"[^\W_]+", plain)


def abbreviates(short: str, full: str) -> bool:
    """True when each word of `short` begins the next word of `full` that is not a stop word,
    and no such word is left: 'J Med Internet Res' abbreviates 'Journal of Medical Internet
    Research', 'Front Digit Health' 'Frontiers in Digital Health'."""
    long = [w for w in words(full) if w not in VENUE_STOP_WORDS]
    brief = [w for w in words(short) if w not in VENUE_STOP_WORDS]
    return len(brief) == len(long) > 0 and all(b == w[:len(b)] for b, w in zip(brief, long,
                                                                              strict=True))


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [" ".join(str(v).split()) for v in items if isinstance(v, str | int) and str(v).strip()]


def _years(work: dict[str, Any]) -> list[int]:
    """The years Crossref gives: issued, then printed and online (a reference list may cite
    either)."""
    found = []
    for key in ("issued", "published-print", "published-online", "published"):
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        year = parts[0][0] if parts and parts[0] else None
        if isinstance(year, int) and year not in found:
            found.append(year)
    return found


def _first_author(work: dict[str, Any]) -> str | None:
    people = [a for a in work.get("author") or [] if isinstance(a, dict)]
    first = next((a for a in people if a.get("sequence") == "first"), people[0] if people else None)
    if first is None:
        return None
    if first.get("family"):
        return author_name(str(first["family"]), str(first.get("given") or ""))
    names = _texts(first.get("name"))  # an organisation as author
    return names[0] if names else None


def compare_study(study: Study, work: dict[str, Any]) -> list[str]:
    """How the study's record differs from Crossref's `work`, one sentence per field, each
    with both values."""
    found = []
    theirs = _texts(work.get("DOI"))
    if theirs and normalise_doi(theirs[0]) != normalise_doi(study.doi):
        found.append(f"DOI: the records print '{study.doi}', Crossref has '{theirs[0]}'")
    author = _first_author(work)
    if study.authors and author and folded(study.first_author_surname) != folded(surname(author)):
        found.append(f"first author: the records print '{study.authors[0]}', "
                     f"Crossref has '{author}'")
    titles = _texts(work.get("title"))
    subtitles = _texts(work.get("subtitle"))
    candidates = titles + [f"{t}: {s}" for t in titles for s in subtitles]
    if titles and folded(study.title) not in {folded(t) for t in candidates}:
        shown = candidates[-1] if subtitles else titles[0]
        found.append(f"title: the records print '{study.title}', Crossref has "
                     f"'{_TAGS.sub('', shown)}'")
    years = _years(work)
    if years and study.year not in years:
        found.append(f"year: the records print {study.year}, Crossref has "
                     f"{' / '.join(map(str, years))} (issued / print / online)")
    short, full = _texts(work.get("short-container-title")), _texts(work.get("container-title"))
    if study.venue and (short or full) and not (
            folded(study.venue) in {folded(v) for v in short + full}
            or any(abbreviates(study.venue, v) for v in full)):
        found.append(f"venue: the records print '{study.venue}', Crossref has "
                     f"'{'; '.join(dict.fromkeys(short + full))}'")
    return found


def cache_path(project: Project, doi: str) -> Path:
    key = normalise_doi(doi)
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return project.build / CACHE / f"{slug(key)[:80]}-{digest}.json"


def cached_work(project: Project, doi: str, fetch: Fetch, refresh: bool,
                source: str) -> dict[str, Any] | None:
    """Crossref's work for `doi` (None: Crossref has no record of it), from the build folder's
    cache when `source` (the service asked) gave it and not `refresh`, else asked with `fetch`
    and kept."""
    path, key = cache_path(project, doi), normalise_doi(doi)
    if not refresh and path.is_file():
        try:
            kept = load_json(read_bytes(path, CROSSREF_BYTES, "a kept Crossref work", ""))
        except (OSError, ValueError, TooLarge):  # asked again
            kept = None
        if isinstance(kept, dict) and (kept.get("doi"), kept.get("source")) == (key, source) \
                and "work" in kept:
            return kept["work"]
    try:
        work: dict[str, Any] | None = fetch(key)
    except NotRegistered:
        work = None
    with owning(project.build):  # the cache is the build folder's, beside (never in) its stores
        write_atomic(path, json.dumps({"doi": key, "source": source, "work": work},
                                      ensure_ascii=False, sort_keys=True).encode(), parents=True)
    return work


def registry_checks(project: Project, corpus: Corpus, *, base_url: str | None = None,
                    refresh: bool = False, fetch: Fetch | None = None) -> list[Notice]:
    """A warning per study whose DOI Crossref does not know, and per field that differs."""
    source = service_url(base_url)
    ask = fetch or (lambda doi: fetch_work(doi, base_url=source))
    notices = []
    for study in _checked(corpus.studies):
        where = f" (ref {study.ref})" if study.ref else ""
        work = cached_work(project, study.doi, ask, refresh, source)
        if work is None:
            notices.append(Notice("registry", "warning", study.doi,
                                  f"the DOI '{study.doi}'{where} does not resolve: Crossref has "
                                  "no record of it", stated=study.doi))
            continue
        for difference in compare_study(study, work):
            notices.append(Notice("registry", "warning", study.doi, f"{difference}{where}"))
    return notices


def registry_audit(project: Project, *, base_url: str | None = None,
                   refresh: bool = False) -> list[Notice]:
    """`registry_checks` on `project`'s records."""
    return registry_checks(project, read_corpus(project, project_vocabulary(project)),
                           base_url=base_url, refresh=refresh)


def _checked(studies: Iterable[Study]) -> list[Study]:
    return sorted((s for s in studies if not s.retracted),
                  key=lambda s: (s.ref is None, s.ref or 0, s.doi))
