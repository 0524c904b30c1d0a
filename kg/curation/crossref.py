"""Bibliographic data of a DOI from the Crossref REST API, as Zotero's add-by-identifier.

A polite client (https://api.crossref.org/swagger-ui/index.html, "Etiquette"): a User-Agent
naming the tool and a `mailto` contact, a timeout, and a few retries with growing pauses on
a lost connection, a 429 or a 5xx. The base URL is configurable (`DTA_KG_CROSSREF_URL`), so
tests answer from a local server. An unknown DOI or an unreachable service raises
`CrossrefError`, one line; nothing is written by this module.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import version
from typing import Any

from dta_kg.core.errors import DtaKgError
from dta_kg.core.iris import normalise_doi
from dta_kg.core.limits import CROSSREF_BYTES, in_time, load_json, read_stream
from dta_kg.loaders.bibliography import BibEntry, author_name

DEFAULT_URL = "https://api.crossref.org"
URL_VARIABLE, MAILTO_VARIABLE = "DTA_KG_CROSSREF_URL", "DTA_KG_MAILTO"
DEFAULT_MAILTO = "dta-kg@users.noreply.github.com"
TIMEOUT, RETRIES, BACKOFF = 10.0, 3, 0.5  # seconds, attempts after the first, first pause
RETRIED = {429, 500, 502, 503, 504}


class CrossrefError(DtaKgError):
    """Crossref had no record of the DOI, or could not be reached."""


class NotRegistered(CrossrefError):
    """Crossref has no record of the DOI (its answer was 404)."""


def user_agent(mailto: str) -> str:
    return f"dta-kg/{version('dta-kg')} (https://w3id.org/dta-kg; mailto:{mailto})"


def _get(url: str, headers: dict[str, str], timeout: float, retries: int, backoff: float,
         sleep: Callable[[float], None]) -> bytes:
    problem = ""
    deadline = time.monotonic() + timeout * (retries + 1)  # all attempts, connect to last byte

    def exchange() -> bytes:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=timeout) as answer:
            return read_stream(answer, CROSSREF_BYTES, "a Crossref work record",
                               "check --crossref-url (it should be Crossref's API)")

    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        if time.monotonic() >= deadline:
            break
        try:
            return in_time(min(timeout, deadline - time.monotonic()), exchange)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise
            problem = f"HTTP {exc.code}"
            if exc.code not in RETRIED:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            problem = str(getattr(exc, "reason", exc))
    raise CrossrefError(f"Crossref could not be reached at {url.split('/works/')[0]} "
                        f"({problem}, {retries + 1} tries); nothing was written")


def service_url(base_url: str | None = None) -> str:
    """The Crossref API asked: `base_url`, else $DTA_KG_CROSSREF_URL, else Crossref's own; an
    address that is not http(s) is refused."""
    base = (base_url or os.environ.get(URL_VARIABLE) or DEFAULT_URL).rstrip("/")
    parts = urllib.parse.urlsplit(base)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise CrossrefError(f"the Crossref URL '{base}' is not an http(s) address; give "
                            f"--crossref-url (or {URL_VARIABLE}) as https://host[/path]")
    return base


def fetch_work(doi: str, *, base_url: str | None = None, mailto: str | None = None,
               timeout: float = TIMEOUT, retries: int = RETRIES, backoff: float = BACKOFF,
               sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """The Crossref `message` for `doi`."""
    base = service_url(base_url)
    contact = mailto or os.environ.get(MAILTO_VARIABLE) or DEFAULT_MAILTO
    key = normalise_doi(doi)
    url = f"{base}/works/{urllib.parse.quote(key, safe='/')}?mailto={urllib.parse.quote(contact)}"
    headers = {"User-Agent": user_agent(contact), "Accept": "application/json"}
    try:
        body = _get(url, headers, timeout, retries, backoff, sleep)
    except urllib.error.HTTPError:
        raise NotRegistered(f"Crossref has no record of the DOI '{key}'; check it, or give "
                            "--title, --year and --author instead of --fetch") from None
    try:
        message = load_json(body)["message"]
    except (ValueError, KeyError, TypeError):
        raise CrossrefError(f"Crossref's answer for '{key}' is not a work record; "
                            "nothing was written") from None
    if not isinstance(message, dict):
        raise CrossrefError(f"Crossref's answer for '{key}' is not a work record")
    return message


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return " ".join(str(value).split()) if value not in (None, "") else None


def entry_from_work(work: dict[str, Any], doi: str) -> BibEntry:
    """A Crossref work as a BibEntry: authors 'Surname Initials', the abbreviated venue."""
    people = [a for a in work.get("author") or [] if isinstance(a, dict)]
    authors = tuple(author_name(a["family"], a.get("given", "")) if a.get("family")
                    else _first(a.get("name")) or "" for a in people)
    issued = (work.get("issued") or work.get("published-print") or work.get("published-online")
              or {}).get("date-parts") or [[None]]
    year = issued[0][0] if issued and issued[0] else None
    return BibEntry(record=doi, doi=_first(work.get("DOI")) or doi, title=_first(work.get("title")),
                    year=str(year) if year else None, authors=tuple(a for a in authors if a),
                    venue=_first(work.get("short-container-title")) or _first(work.get("container-title")),
                    volume=_first(work.get("volume")), issue=_first(work.get("issue")),
                    pages=_first(work.get("page")) or _first(work.get("article-number")))


def fetch_entry(doi: str, *, base_url: str | None = None, **given: Any) -> BibEntry:
    """The bibliographic entry Crossref holds for `doi`; the fields in `given` that have a
    value (title, year, authors, venue, ...) replace Crossref's."""
    work = fetch_work(doi, base_url=base_url)
    try:
        entry = entry_from_work(work, doi)
    except (TypeError, AttributeError, KeyError, IndexError, ValueError):
        raise CrossrefError(f"Crossref's answer for '{normalise_doi(doi)}' is not a work record "
                            "dta-kg can read; give --title, --year and --author instead of "
                            "--fetch") from None
    return replace(entry, **{k: v for k, v in given.items() if v})


def describe(entry: BibEntry) -> str:
    """One line a curator can check: authors (year). Title. Venue volume(issue):pages. DOI."""
    where = " ".join(filter(None, (entry.venue, entry.volume)))
    where += f"({entry.issue})" if entry.issue else ""
    where += f":{entry.pages}" if entry.pages else ""
    return (f"{'; '.join(entry.authors)} ({entry.year}). {entry.title}. {where}. "
            f"doi:{entry.doi}")
