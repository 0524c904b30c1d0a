"""What a SPARQL text may do, decided on how the engines parse it, never on how it looks.

Two rules hold for every text a user or a remote client sends: it must be a query (SPARQL
Update is refused), and it may not use SERVICE (a federated query would make the engine fetch
any URL, internal ones included) unless the local user allowed it.

* rdflib parses the text. A text it parses as an update is refused; a query whose syntax tree
  holds a SERVICE pattern anywhere (a nested group, a sub-select, EXISTS, after VALUES, SILENT
  or not) is refused.
* rdflib and Oxigraph do not read every text alike: Oxigraph ends a comment at a carriage
  return, where rdflib reads on to the line feed, and rdflib expands `\\u` escapes before
  parsing, where Oxigraph expands them inside strings and IRIs only. So whenever the letters
  of the keyword appear in the text at all (any case, glued to anything), Oxigraph's own parser
  decides too: the text, with those letters altered so that they can no longer be a keyword,
  must still be a query Oxigraph parses. Had any of them been SERVICE to Oxigraph, the altered
  text would not parse. Oxigraph never reads a keyword out of escapes, so a text without the
  letters has no SERVICE in Oxigraph's reading either. Texts only Oxigraph parses (its LATERAL,
  RDF 1.2 syntax) are judged by that second rule alone: pyoxigraph's `query` runs no update.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pyoxigraph

from dta_kg.query.guards import ReadOnlyViolation

UPDATE_REFUSED = ("SPARQL Update is not allowed: dta-kg only reads the graph (edit the records "
                  "and run dta-kg build to change it)")
SERVICE_REFUSED = ("SERVICE (federated queries) is disabled: dta-kg makes no outbound requests; "
                   "query the other endpoint with --endpoint instead")
_KEYWORD = re.compile("service", re.IGNORECASE)  # its letters, wherever they are


def _nodes(node: Any) -> Iterator[Any]:
    """Every node of an rdflib syntax tree (CompValues, results, lists, values)."""
    # lazy: rdflib's parser loads ~220 ms; queries without the letters of SERVICE skip it
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue | dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)


def rdflib_reading(text: str) -> str:
    """'update' or 'query' as rdflib parses `text` ('service' for a query with SERVICE), or
    'unparsed' when rdflib's parser reads it as neither."""
    # lazy: rdflib's parser loads ~220 ms; only a query that needs checking pays it
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql import parser
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parser.parseQuery(text)
    except (ParseBaseException, ValueError, TypeError, RecursionError):
        try:
            parser.parseUpdate(text)
        except (ParseBaseException, ValueError, TypeError, RecursionError):
            return "unparsed"
        return "update"
    if any(isinstance(n, CompValue) and n.name == "ServiceGraphPattern" for n in _nodes(tree)):
        return "service"
    return "query"


def oxigraph_service_doubt(text: str) -> str:
    """'' when Oxigraph's parser shows that `text` holds no SERVICE keyword: the text with every
    spelling of the keyword's letters altered parses (on an empty store); else its error."""
    if not _KEYWORD.search(text):
        return ""
    # the last letter altered: still a name, a language tag or a local name wherever the word
    # was one, but no keyword
    altered = _KEYWORD.sub(lambda m: m.group()[:-1] + ("x" if m.group()[-1] == "e" else "X"),
                           text)
    try:
        pyoxigraph.Store().query(altered, named_graphs=[])
    except SyntaxError as exc:
        return " ".join(str(exc).split())[:200] or "syntax error"
    except (OSError, RuntimeError, ValueError):  # parsed; evaluation on nothing failed
        return ""
    return ""


def is_update(text: str) -> bool:
    """True when rdflib's parser reads `text` as SPARQL Update."""
    return rdflib_reading(text) == "update"


@functools.lru_cache(maxsize=256)
def check_sparql(text: str, allow_service: bool = False) -> None:
    """Raise ReadOnlyViolation when `text` is SPARQL Update, or uses SERVICE while not
    `allow_service`, as rdflib or Oxigraph parses it. (Decisions are cached by text: a
    server answers the same queries again and again.)"""
    reading = rdflib_reading(text)
    if reading == "update":
        raise ReadOnlyViolation(UPDATE_REFUSED)
    if allow_service:
        return
    if reading == "service":
        raise ReadOnlyViolation(SERVICE_REFUSED)
    if doubt := oxigraph_service_doubt(text):
        raise ReadOnlyViolation(f"{SERVICE_REFUSED} (the query uses SERVICE, or is malformed "
                                f"where the word appears: {doubt})")
