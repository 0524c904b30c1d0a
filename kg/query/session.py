"""Run named and ad-hoc queries on the query stores and return their rows.

Values are always bound by the engine: SPARQL variables by Oxigraph's substitution (remote
endpoints: VALUES blocks, see `sparql_text.bind_values`), Cypher `$params`. No value is ever
written into query text.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar, cast

import pyoxigraph

from dta_kg.core.basis import UNGIVEN, with_basis
from dta_kg.core.errors import DtaKgError, UnknownTerm
from dta_kg.core.iris import DTA, PREFIXES, normalise_doi, study_iri
from dta_kg.core.lookup import StudyKey, find_study
from dta_kg.core.output import sort_rows
from dta_kg.core.paths import Project
from dta_kg.core.rdfterms import python_value
from dta_kg.core.registry import SCOPES
from dta_kg.core.vocabulary import KINDS, Vocabulary, words
from dta_kg.pipeline.manifest import stores_present
from dta_kg.queries.catalogue import NamedQuery, Param, get
from dta_kg.query.child import in_child, isolated
from dta_kg.query.cypher_guard import check_cypher_read_only, without_comment_lines
from dta_kg.query.guards import Limits, bounded, bounded_stream, limited
from dta_kg.query.rows import (
    SCALARS,
    Result,
    Stream,
    as_text_lists,
    cypher_order,
    cypher_value,
    read_failed,
    reading,
    sorted_solutions,
)
from dta_kg.query.sparql_guard import check_sparql
from dta_kg.query.sparql_text import split_order
from dta_kg.stores.local import (
    FreshnessCheck,
    cypher_connection,
    ensure_fresh,
    sparql_store,
    vocabulary,
)

if TYPE_CHECKING:
    import ladybug

# lookups that validate parameter values (the store knows the usual prefixes)
DOIS = "SELECT ?doi WHERE { ?s a dta:Study ; bibo:doi ?doi }"
STUDY_KEYS = ("SELECT ?doi ?cited ?first ?year ?ref WHERE { ?s a dta:Study ; bibo:doi ?doi ; "
              "dta:shortCitation ?cited . OPTIONAL { ?s dta:firstAuthor ?first } "
              "OPTIONAL { ?s fabio:hasPublicationYear ?year } "
              "OPTIONAL { ?s dta:referenceNumber ?ref } }")
FACTOR_NAMES = ("SELECT DISTINCT ?name WHERE { { ?f a dta:FactorReport ; rdfs:label ?name } "
                "UNION { ?c a dta:FactorConcept ; skos:prefLabel|skos:altLabel ?name } }")


R = TypeVar("R")
SparqlTerm = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple


class Session:
    """One command's access to a project's stores, opened when needed.

    Missing stores are built at once. Existing ones are checked for freshness beside the first
    query that runs on them (the check stats every input file, which takes about half a second
    at 100,000 records; see `FreshnessCheck`); if they were stale, the project is rebuilt and
    the query run again, so no stale answer is ever returned.
    """

    _check: FreshnessCheck | None = None  # until the first query has used it
    min_confidence: str = UNGIVEN  # named answers keep the rows at least this strong

    def __init__(self, project: Project, notify: Callable[[str], None] | None = None,
                 limits: Limits | None = None, allow_service: bool = False,
                 min_confidence: str = UNGIVEN):
        self.project, self.notify, self.limits = project, notify, limits or Limits()
        self.allow_service = allow_service
        self.min_confidence = min_confidence
        if stores_present(project):
            self._check = FreshnessCheck(project)
        else:
            ensure_fresh(project, notify)

    def _checked(self, run: Callable[[], R], discard: Callable[[R], None] | None = None) -> R:
        """`run()`, answered only once the stores are known fresh. An error raised before that
        waits for the check too: a stale vocabulary can refuse a term the records now define.
        A stale answer is handed to `discard`, then the project rebuilt and `run()` again."""
        check, self._check = self._check, None
        if check is None:
            return run()
        try:
            result = run()
        except DtaKgError:
            if check.result():
                raise
        else:
            if check.result():
                return result
            if discard is not None:
                discard(result)
        self._reopen()
        return run()

    def _reopen(self) -> None:
        """Rebuild the stale project and forget the stores opened before."""
        for name in ("store", "connection", "vocabulary", "dois", "factor_names"):
            self.__dict__.pop(name, None)
        ensure_fresh(self.project, self.notify)

    @cached_property
    def store(self) -> pyoxigraph.Store:
        return sparql_store(self.project)

    @cached_property
    def connection(self) -> ladybug.Connection:
        return cypher_connection(self.project)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return vocabulary(self.project)

    def _solutions(self, select: str) -> pyoxigraph.QuerySolutions:
        """The rows of one of this module's own SELECT queries."""
        return cast(pyoxigraph.QuerySolutions, self.store.query(select, prefixes=PREFIXES))

    @cached_property
    def dois(self) -> dict[str, str]:
        """Normalised DOI -> DOI as printed, for every study."""
        return {normalise_doi(r["doi"].value): r["doi"].value
                for r in self._solutions(DOIS)}

    @cached_property
    def study_keys(self) -> list[StudyKey]:
        """DOI, citation, first author, year and reference number of every study."""
        rows = self._solutions(STUDY_KEYS)
        return [StudyKey(normalise_doi(r["doi"].value), r["cited"].value, r["first"].value
                         if r["first"] else "", r["year"].value if r["year"] else "",
                         int(r["ref"].value) if r["ref"] else None) for r in rows]

    @cached_property
    def factor_names(self) -> list[str]:
        return sorted(r["name"].value for r in self._solutions(FACTOR_NAMES))

    def sparql(self, text: str, bindings: dict | None = None, hidden: tuple[str, ...] = (),
               trusted: bool = False) -> Result:
        """Run a read-only SPARQL query; `bindings` substitute variables, `hidden` are dropped.
        Unless `trusted` (the catalogue's own queries), the text is checked first: no update,
        no SERVICE unless allowed (`sparql_guard`), in the form the engine will run."""
        if not trusted:
            for form in {text, split_order(text)[0]}:
                check_sparql(form, self.allow_service, timeout=self.limits.timeout)
            return self._checked(lambda: self._isolated_sparql(text, bindings, hidden))
        return self._checked(lambda: bounded(
            lambda stop: self._read(lambda: self._sparql(text, bindings, hidden, stop)), self.limits))

    @staticmethod
    def _read(run: Callable[[], R]) -> R:
        """`run()`, an error of the store raised while reading the rows as one line."""
        try:
            return run()
        except (OSError, RuntimeError) as exc:
            raise read_failed(exc) from exc

    def _isolated_sparql(self, text: str, bindings: dict | None, hidden: tuple[str, ...]) -> Result:
        """A user's query in a forked child that opens the store itself (`child.isolated`)."""
        self.__dict__.pop("store", None)  # never shared across the fork
        return isolated(lambda: self._read(lambda: self._sparql(text, bindings, hidden)),
                        self.limits)

    def _sparql(self, text: str, bindings: dict | None, hidden: tuple[str, ...],
                stop: threading.Event | None = None) -> Result:
        columns, rows = self._sparql_rows(text, bindings, hidden, stop)
        return Result(columns, list(rows))

    def _sparql_rows(self, text: str, bindings: dict | None, hidden: tuple[str, ...],
                     stop: threading.Event | None = None, ordered: bool = True
                     ) -> tuple[list[str], Iterator[dict]]:
        """The columns of the answer to `text`, and its rows as they are read (all read and
        sorted first when the query ends with an ORDER BY that is applied here, unless not
        `ordered`: then that ORDER BY is left out)."""
        stop = stop or threading.Event()
        subs = {pyoxigraph.Variable(k): v for k, v in (bindings or {}).items()}
        # Oxigraph reads a string from disk at every comparison of a sort; a final ORDER BY of
        # plain variables is applied here instead, on the rows (59,000 rows: 1.1 s there,
        # 0.15 s here).
        unordered, order = split_order(text)
        answer = self.evaluate(unordered, subs)
        names = [v.value for v in getattr(answer, "variables", ())]
        if order and not all(var in names for var, _ in order):
            answer, order = self.evaluate(text, subs), []
        if isinstance(answer, pyoxigraph.QueryBoolean):
            return ["ask"], iter([{"ask": bool(answer)}])
        if isinstance(answer, pyoxigraph.QueryTriples):
            spo = ["subject", "predicate", "object"]
            return spo, (dict(zip(spo, map(python_value, t), strict=True))
                         for t in limited(answer, self.limits, stop))
        # only the shown and sorted columns are read: each value read may cost a disk lookup
        kept = [i for i, name in enumerate(names) if name not in hidden]
        used = kept + [i for i in (names.index(var) for var, _ in order) if i not in kept]
        solutions: Iterable[list] = ([row[i] for i in used]
                                     for row in limited(answer, self.limits, stop))
        if order and ordered:
            solutions = sorted_solutions(list(solutions), [used.index(names.index(var))
                                                           for var, _ in order], order)
        cols = [names[i] for i in kept]
        return cols, (dict(zip(cols, map(python_value, row), strict=False))  # sort keys last
                      for row in solutions)

    def evaluate(self, text: str, subs: dict[pyoxigraph.Variable, SparqlTerm]
                 ) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples:
        """The store's answer to `text`, or a DtaKgError saying why there is none."""
        try:
            return self.store.query(text, prefixes=PREFIXES, substitutions=subs)
        except SyntaxError as exc:
            raise DtaKgError(f"malformed SPARQL query: {str(exc).splitlines()[0][:200]}") from exc
        except (OSError, RuntimeError) as exc:
            raise DtaKgError(f"SPARQL query failed: {exc}") from exc

    def cypher(self, text: str, params: dict | None = None, isolated: bool = False) -> Result:
        """Run a Cypher query on the embedded database (opened read-only); when `isolated` (a
        user's text) in a forked child that opens it (`query.child`): a crash ends the child."""
        check_cypher_read_only(text)
        if not isolated:
            return self._checked(lambda: self._bounded_cypher(text, params))
        self.__dict__.pop("connection", None)  # never shared across the fork
        return self._checked(lambda: in_child(lambda: self._bounded_cypher(text, params),
                                              self.limits.timeout))

    def _bounded_cypher(self, text: str, params: dict | None) -> Result:
        connection = self.connection
        connection.set_query_timeout(int(self.limits.timeout * 1000) + 1000)  # the engine's own
        return bounded(lambda stop: self._cypher(text, params, stop), self.limits,
                       interrupt=connection.interrupt)

    def _cypher(self, text: str, params: dict | None, stop: threading.Event | None = None) -> Result:
        stop = stop or threading.Event()
        try:
            answer = self.connection.execute(text, params or {})
        except RuntimeError as exc:
            raise DtaKgError(f"Cypher query failed: {exc}") from exc
        if isinstance(answer, list):  # several statements: the last one answers
            answer = answer[-1]
        cols = answer.get_column_names()
        rows = limited(answer, self.limits, stop)  # the result iterates row by row
        convert = (lambda v: v) if set(answer.get_column_data_types()) <= SCALARS else cypher_value
        try:  # a map keyed by lists, a huge interval: values ladybug cannot hand to Python
            return Result(cols, [dict(zip(cols, map(convert, row), strict=True)) for row in rows])
        except (TypeError, OverflowError, ValueError) as exc:
            raise DtaKgError(f"Cypher answer has a value Python cannot hold: {type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:200]}") from exc

    def resolve(self, param: Param, text: str) -> str | int | bool:
        """The value of `param` given as `text`: a term's IRI, a study's IRI, a number, ..."""
        kind, name = param.type, param.name
        if kind in KINDS:
            return DTA + self.vocabulary.resolve(kind, text)
        if kind == "study":  # a DOI, a citation ('Liu et al 2022') or a reference number
            found = find_study(text, self.study_keys)
            if found is None:
                doi = normalise_doi(text)
                raise UnknownTerm("study", text, difflib.get_close_matches(
                    doi, list(self.dois), n=5, cutoff=0.3) or difflib.get_close_matches(
                    text, [k.citation for k in self.study_keys], n=5, cutoff=0.4)
                    or sorted(self.dois)[:5])
            return study_iri(found.doi)
        if kind == "factor":  # checked against every factor name only when nothing matched
            wanted = words(text)
            if not wanted.strip():
                self.unknown_factor(text)
            return wanted
        if kind == "scope":
            scope = text.strip().lower()
            if scope not in SCOPES:
                raise UnknownTerm("scope", text, list(SCOPES))
            return scope
        if kind == "integer":
            try:
                return int(text)
            except ValueError:
                raise DtaKgError(f"parameter {name}: '{text}' is not a whole number") from None
        if kind == "boolean":
            flag = text.strip().lower()
            if flag not in ("true", "false", "yes", "no", "1", "0"):
                raise DtaKgError(f"parameter {name}: '{text}' is not true or false")
            return flag in ("true", "yes", "1")
        return text

    def unknown_factor(self, text: str) -> None:
        """Raise UnknownTerm for `text` unless it is words of some factor report's label or of a
        factor concept's label or synonym (a theme's name is not a factor)."""
        wanted = words(text)
        if not wanted.strip() or not any(wanted in words(n) for n in self.factor_names):
            raise UnknownTerm("factor", text, difflib.get_close_matches(
                text.lower(), self.factor_names, n=5, cutoff=0.3) or self.factor_names[:5], "factors")

    def bind(self, query: NamedQuery, given: dict[str, str]) -> dict:
        """Every parameter of `query`: given, defaulted or None (optional); resolved."""
        given = {k.replace("-", "_"): v for k, v in given.items() if v is not None}
        for key in given:
            query.param(key)  # an unknown name is an error naming the valid ones
        values = {}
        for p in query.params:
            text = given.get(p.name, p.default)
            if text is None and p.required:
                raise DtaKgError(f"query {query.name} needs -p {p.name}=... ({p.type}): {p.help}")
            values[p.name] = None if text is None else self.resolve(p, str(text))
        return values

    def named(self, name: str, given: dict[str, str], lang: str = "sparql") -> Result:
        """Run the named query `name` in `lang` with parameters `given` as text; an answer
        that says what its rows rest on has `basis` and `confidence` columns, and only the rows
        at least as strong as `min_confidence` (see `dta_kg.core.basis`)."""
        result = self._checked(lambda: self._named(name, given, lang))
        columns, rows = with_basis(result.columns, result.rows, self.min_confidence)
        return Result(columns, list(rows))

    def stream(self, name: str, given: dict[str, str], lang: str = "sparql",
               ordered: bool = True) -> Stream:
        """Like `named`, with the rows handed over as they are read, so that a caller can write
        the first before the last is read; the whole stays bounded by the limits. A final ORDER
        BY of plain variables reads and sorts every row first, unless not `ordered`: then it is
        left out. Cypher and remote answers come whole, sorted."""
        if lang != "sparql" or type(self).sparql is not Session.sparql:
            result = self.named(name, given, lang)
            return Stream(result.columns, iter(result.rows), lambda: None)
        return self._checked(lambda: self._stream(name, given, ordered),
                             lambda stream: stream.close())

    def _stream(self, name: str, given: dict[str, str], ordered: bool) -> Stream:
        query = get(name)
        values = self.bind(query, given)
        text = query.text("sparql", values)
        bindings, hidden = sparql_bindings(query, values), tuple(p.name for p in query.params)

        def start(stop: threading.Event) -> tuple[list[str], Iterator[dict]]:
            try:
                columns, rows = self._sparql_rows(text, bindings, hidden, stop, ordered)
            except (OSError, RuntimeError) as exc:
                raise read_failed(exc) from exc
            return columns, reading(rows)

        columns, rows, close = bounded_stream(start, self.limits)
        columns, rows = with_basis(columns, rows, self.min_confidence)
        return Stream(columns, self._factor_known_if_none(query, given, rows), close)

    def _factor_known_if_none(self, query: NamedQuery, given: dict[str, str],
                              rows: Iterator[dict]) -> Iterator[dict]:
        empty = True
        for row in rows:
            empty = False
            yield row
        if empty:
            self._factor_known(query, given)

    def _factor_known(self, query: NamedQuery, given: dict[str, str]) -> None:
        """An answer of no rows: a factor given is looked up only now."""
        for p in query.params:
            if p.type == "factor" and given.get(p.name) is not None:
                self.unknown_factor(str(given[p.name]))

    def _named(self, name: str, given: dict[str, str], lang: str) -> Result:
        query = get(name)
        values = self.bind(query, given)
        if lang == "cypher":
            text = without_comment_lines(query.text("cypher", values))
            result = self.cypher(text, values)
            if any(isinstance(v, list) for r in result.rows for v in r.values()):
                result = Result(result.columns, [as_text_lists(r) for r in result.rows])
            if order := cypher_order(text):  # sorted as the SPARQL twin sorts: by text_key
                result = Result(result.columns, sort_rows(result.rows, order))
        else:
            text = query.text("sparql", values)
            result = self.sparql(text, sparql_bindings(query, values),
                                 hidden=tuple(p.name for p in query.params), trusted=True)
            # this class's sparql sorts the rows itself; a remote engine's ORDER BY does not
            # sort text as a reader does, so its rows are sorted here
            if type(self).sparql is not Session.sparql and (order := split_order(text)[1]):
                result = Result(result.columns, sort_rows(result.rows, order))
        if not result.rows:  # a factor is looked up only when it matched nothing
            self._factor_known(query, given)
        return result


def sparql_bindings(query: NamedQuery, values: dict) -> dict:
    """Oxigraph terms for the bound values: IRIs for terms and studies, literals otherwise."""
    iri_types = {*KINDS, "study"}
    return {p.name: (pyoxigraph.NamedNode(values[p.name]) if p.type in iri_types
                     else pyoxigraph.Literal(values[p.name]))
            for p in query.params if values[p.name] is not None}
