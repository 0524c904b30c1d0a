"""What a SPARQL text may do, decided on how the engines parse it, never on how it looks.

Two rules hold for every text a user or a remote client sends: it must be a query (SPARQL
Update is refused), and it may not use SERVICE (a federated query would make the engine fetch
any URL, internal ones included) unless the local user allowed it.

* Oxigraph's own parser decides first. The text, with an `&` put inside every spelling of the
  letters of `service` (any case, glued to anything), must parse as a query; it is run on an
  empty store, where it cannot reach anything. An `&` is harmless in a string, an IRI or a
  comment and a syntax error anywhere else (no name, tag or keyword holds one, whatever the
  prefixes declared), so the altered text parses only when the letters stand in strings,
  IRIs or comments: then the text is a query (not an update) without SERVICE. The word
  outside them, even as a variable or a local name, refuses the text.
  Oxigraph never reads a keyword out of escapes, so a text without the letters has no
  SERVICE in Oxigraph's reading either. This holds for texts only Oxigraph reads (its
  LATERAL, RDF 1.2 syntax).
* Otherwise rdflib's parser says what the text is: an update is refused; a query whose syntax
  tree holds a SERVICE pattern anywhere (nested groups, sub-selects, EXISTS, after VALUES,
  SILENT or not) is refused; a text with the letters that Oxigraph would not parse once they
  were altered is refused as well. rdflib alone would not do: it ends a comment only at a line
  feed, where Oxigraph also ends it at a carriage return, and it expands `\\u` escapes before
  parsing, where Oxigraph expands them inside strings and IRIs only; either lets a SERVICE
  that Oxigraph runs hide from rdflib.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from typing import Any, cast

import pyoxigraph

from dta_kg.core.iris import PREFIXES
from dta_kg.query.child import forked
from dta_kg.query.guards import MAX_NESTING, NESTING_REFUSED, ReadOnlyViolation

UPDATE_REFUSED = ("SPARQL Update is not allowed: dta-kg only reads the graph (edit the records "
                  "and run dta-kg build to change it)")
SERVICE_REFUSED = ("SERVICE (federated queries) is disabled: dta-kg makes no outbound requests; "
                   "query the other endpoint with --endpoint instead")
_KEYWORD = re.compile("service", re.IGNORECASE)  # its letters, wherever they are
# what the nesting scan skips: strings (long first), IRIs, comments (ended at CR as Oxigraph
# ends them, or LF); anything else is one character, a bracket counted
_SKIPPED = re.compile(r"""'{3}(?:[^'\\]|\\.|'(?!''))*(?:'{3}|$)|"{3}(?:[^"\\]|\\.|"(?!""))*(?:"{3}|$)"""
                      r"""|'(?:[^'\\\n\r]|\\.)*'?|"(?:[^"\\\n\r]|\\.)*"?"""
                      r"""|<[^<>"{}|^`\\\x00-\x20]*>|#[^\r\n]*|[^'"<#(){}\[\]]+|.""", re.DOTALL)


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise ReadOnlyViolation when `text` opens brackets more than `limit` deep outside its
    strings, IRIs and comments: before any parser sees it (5,000 levels crash them)."""
    depth = 0
    for match in _SKIPPED.finditer(text):
        char = match.group()
        if char in "({[":
            depth += 1
            if depth > limit:
                raise ReadOnlyViolation(NESTING_REFUSED.format(limit=limit))
        elif char in ")}]":
            depth = max(depth - 1, 0)


def _nodes(node: Any) -> Iterator[Any]:
    """Every node of an rdflib syntax tree (CompValues, results, lists, values)."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):  # rdflib's CompValue is a dict
            stack.extend(item.values())
        elif not isinstance(item, str | bytes) and hasattr(item, "__iter__"):  # parse results
            stack.extend(item)


_RDFLIB = threading.Lock()


def rdflib_reading(text: str) -> str:
    """'update' or 'query' as rdflib parses `text` ('service' for a query with SERVICE), or
    'unparsed' when rdflib's parser reads it as neither."""
    # lazy: rdflib's parser loads ~220 ms; only a text Oxigraph does not parse needs it
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parserutils import CompValue

    with _RDFLIB:  # pyparsing sets itself up on first use, which threads at once break for good
        try:
            tree = parser.parseQuery(text)
        except Exception:  # noqa: BLE001 - pyparsing's errors, and whatever else rdflib raises
            try:
                parser.parseUpdate(text)
            except Exception:  # noqa: BLE001 - as above: a text rdflib cannot read
                return "unparsed"
            return "update"
    if any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern" for n in _nodes(tree)):
        return "service"
    return "query"


def _altered(text: str) -> str:
    """`text` with an `&` before the last letter of every spelling of `service`: unchanged in
    meaning inside a string, an IRI or a comment, and a syntax error anywhere else, where no
    declaration can make it valid (an `&` stands in no name, tag or keyword; only `&&` is)."""
    return _KEYWORD.sub(lambda m: f"{m.group()[:-1]}&{m.group()[-1]}", text)


@functools.lru_cache(maxsize=256)  # a verdict, not a refusal: exceptions are not cached
def oxigraph_query_error(text: str, timeout: float | None = None) -> str:
    """'' when Oxigraph parses `text` as a query (run on an empty store), with the usual
    prefixes the command line's store knows, else its error. With a `timeout` the run is
    bounded (an ASK, an aggregate or an ORDER BY over VALUES cross products is evaluated at
    once, for minutes even on nothing, and cannot be interrupted): it runs in a forked child,
    killed at the timeout, and a check still running then is refused, since it may still be
    parsing."""
    if timeout is not None:
        outcome = forked(lambda: oxigraph_query_error(text), timeout)
        if outcome.kind == "late":
            raise ReadOnlyViolation(f"checking the query took longer than {timeout:g} s (an "
                                    "expensive query over literal values?): narrow it or raise "
                                    "--timeout")
        if outcome.kind != "answer":
            raise ReadOnlyViolation(f"Oxigraph could not check the query ({outcome.detail}), "
                                    "so it is not run: rewrite it")
        return cast(str, outcome.answer)
    try:
        pyoxigraph.Store().query(text, prefixes=PREFIXES, named_graphs=[])
    except SyntaxError as exc:
        return " ".join(str(exc).split())[:200] or "syntax error"
    except (OSError, RuntimeError, ValueError):  # parsed; evaluation on nothing failed
        return ""
    return ""


def is_update(text: str) -> bool:
    """True when rdflib's parser reads `text` as SPARQL Update."""
    return rdflib_reading(text) == "update"


@functools.lru_cache(maxsize=256)
def check_sparql(text: str, allow_service: bool = False, parsed: bool = False,
                 timeout: float | None = None) -> None:
    """Raise ReadOnlyViolation when `text` is SPARQL Update, or uses SERVICE while not
    `allow_service`, as Oxigraph or rdflib parses it; when `parsed`, also when neither parser
    reads it (a text for another engine, which might read it as anything); the check itself
    is bounded by `timeout`. (Decisions are cached by text: a server answers the same queries
    again and again.)"""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # no engine reads it; Oxigraph's check would not refuse it
        raise ReadOnlyViolation(f"the query is not UTF-8 text (character {exc.start + 1} is a "
                                "lone surrogate): save it as UTF-8") from None
    check_nesting(text)
    altered = _altered(text)
    error = oxigraph_query_error(altered, timeout)
    if not error:
        return
    reading = rdflib_reading(text)
    if parsed and reading == "unparsed":  # (the text itself is never run here)
        raise ReadOnlyViolation(f"neither Oxigraph nor rdflib reads this SPARQL query, so it is "
                                f"not sent: {error}")
    if reading == "update":
        raise ReadOnlyViolation(UPDATE_REFUSED)
    if allow_service:
        return
    if reading == "service":
        raise ReadOnlyViolation(SERVICE_REFUSED)
    if altered != text:
        raise ReadOnlyViolation(f"{SERVICE_REFUSED} (the query uses SERVICE, or is malformed "
                                f"where the word appears: {error})")
