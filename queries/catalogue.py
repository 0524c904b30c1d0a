"""The catalogue of named questions: `NAME.rq` (SPARQL) and its twin `NAME.cypher`.

Each file opens with a header of comment lines (`#` in SPARQL, `//` in Cypher)::

    # name: studies-by-component
    # description: Studies that report a DTA component.
    # param: component (component): the component, by id, label or alternative label
    # param: include_retracted (boolean, default: false): also count retracted facts
    # example: dta-kg query run studies-by-component -p component=bond

A parameter is required unless it has a default or says `optional`. Its type is `text`,
`integer`, `boolean`, `study` (a DOI), `factor` (words of a factor's label, synonym or wording), `scope`
(`review`, `living` or `all`: which set of studies) or a kind
of vocabulary term (`component`, `measure`, `design`, ...). Both files must declare the same
header. SPARQL binds parameters by substitution, so each parameter variable must appear in
the SELECT clause (the runner drops it from the results); Cypher binds them as `$name`.

Lines between `# if NAME` and `# end` (`// if NAME`, `// end` in Cypher) are left out when the
optional parameter NAME has no value, or the boolean parameter NAME is false, so an unused
filter or branch costs nothing; lines between `# unless NAME` and `# end` are left out when it
has one (a filter another one already implies). The blocks hold only
fixed query text: values are always bound, never written into the text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dta_kg.core.errors import DtaKgError, UnknownTerm
from dta_kg.core.output import render
from dta_kg.core.registry import OUTPUT_FORMATS, QUERY_LANGUAGES
from dta_kg.core.vocabulary import KINDS

QUERY_DIR = Path(__file__).resolve().parent
PARAM_TYPES = {"text", "integer", "boolean", "study", "factor", "scope", *KINDS}
COMMENT = {"sparql": "#", "cypher": "//"}
_BLOCK = re.compile(r"^\s*(?:#|//)\s*(?P<word>if|unless|end)\b\s*(?P<name>\w*)\s*$")
_PARAM = re.compile(r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<type>[a-z-]+)"
                    r"(?:,\s*(?:(?P<optional>optional)|default:\s*(?P<default>[^)]*)))?\)"
                    r"\s*:\s*(?P<help>.+)$")


class CatalogueError(DtaKgError):
    """A catalogue file has a malformed header or no twin."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    help: str
    default: str | None = None
    optional: bool = False

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def describe(self) -> str:
        """'component (component)' or 'include_retracted (boolean, default false)'."""
        extra = ", optional" if self.optional else (
            f", default {self.default}" if self.default is not None else "")
        return f"{self.name} ({self.type}{extra})"


@dataclass(frozen=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    example: str
    texts: dict  # language -> query text

    def text(self, lang: str, values: dict) -> str:
        """The query in `lang` without the `if NAME` blocks of parameters that have no value
        (or are false), and without the `unless NAME` blocks of those that have one."""
        kept, skipping = [], []
        for line in self.texts[lang].splitlines(keepends=True):
            block = _BLOCK.match(line)
            if block and block["word"] != "end":
                value = values.get(block["name"])
                skipping.append((value is None or value is False) == (block["word"] == "if"))
            elif block:
                skipping.pop()
            elif not any(skipping):
                kept.append(line)
        return "".join(kept)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise UnknownTerm("parameter", name, [p.name for p in self.params])


def read_header(text: str, comment: str, path: Path) -> tuple[dict[str, str], tuple[Param, ...]]:
    """The `key: value` lines of the leading comment block, and its parameters."""
    fields: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        if not line.startswith(comment):
            break
        key, sep, value = line[len(comment):].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            m = _PARAM.match(value)
            if not m:
                raise CatalogueError(f"{path}: malformed parameter '{value}'; write "
                                     "'param: name (type[, default: value | , optional]): help'")
            if m["type"] not in PARAM_TYPES:
                raise CatalogueError(f"{path}: parameter type '{m['type']}' is none of "
                                     f"{', '.join(sorted(PARAM_TYPES))}")
            params.append(Param(m["name"], m["type"], m["help"].strip(),
                                m["default"].strip() if m["default"] else None,
                                bool(m["optional"])))
        else:
            fields[key] = value
    for key in ("name", "description", "example"):
        if not fields.get(key):
            raise CatalogueError(f"{path}: the header has no '{key}:' line")
    if fields["name"] != path.stem:
        raise CatalogueError(f"{path}: header name '{fields['name']}' differs from the file name")
    return fields, tuple(params)


def check_blocks(text: str, params: tuple[Param, ...], path: Path) -> None:
    """Every `if NAME` and `unless NAME` block names an optional or boolean parameter and is
    closed by an `end`."""
    optional = {p.name for p in params if p.optional or p.type == "boolean"}
    depth = 0
    for number, line in enumerate(text.splitlines(), 1):
        block = _BLOCK.match(line)
        if block and block["word"] != "end" and block["name"] not in optional:
            raise CatalogueError(f"{path}:{number}: '{block['word']} {block['name']}' names no "
                                 "optional or boolean parameter")
        depth += 0 if not block else -1 if block["word"] == "end" else 1
        if depth < 0:
            raise CatalogueError(f"{path}:{number}: 'end' without 'if'")
    if depth:
        raise CatalogueError(f"{path}: an 'if' block has no 'end'")


def read_query(stem: Path) -> NamedQuery:
    """One named query from `stem.rq` and `stem.cypher`, whose headers must agree."""
    headers, texts = {}, {}
    for lang, ext in QUERY_LANGUAGES.items():
        path = stem.with_suffix(ext)
        if not path.exists():
            raise CatalogueError(f"{path}: missing; every named query needs a "
                                 f"{' and a '.join(QUERY_LANGUAGES)} version")
        texts[lang] = path.read_text(encoding="utf-8")
        headers[lang] = read_header(texts[lang], COMMENT[lang], path)
        check_blocks(texts[lang], headers[lang][1], path)
    if headers["sparql"] != headers["cypher"]:
        raise CatalogueError(f"{stem}: the .rq and .cypher headers differ")
    fields, params = headers["sparql"]
    return NamedQuery(fields["name"], fields["description"], params, fields["example"], texts)


@cache
def catalogue(folder: Path = QUERY_DIR) -> dict[str, NamedQuery]:
    """Every named query in `folder`, by name."""
    stems = sorted({p.with_suffix("") for ext in QUERY_LANGUAGES.values() for p in folder.glob(f"*{ext}")})
    return {q.name: q for q in map(read_query, stems)}


def get(name: str) -> NamedQuery:
    """The named query `name`; UnknownTerm lists the closest names."""
    queries = catalogue()
    if name not in queries:
        raise UnknownTerm("query", name,
                          difflib.get_close_matches(name, list(queries), n=5, cutoff=0.3)
                          or sorted(queries)[:5])
    return queries[name]


def listing() -> list[dict]:
    """One row per named query, as `dta-kg query list` prints it."""
    return [{"name": q.name, "question": q.description,
             "parameters": ", ".join(p.describe() for p in q.params), "example": q.example}
            for q in catalogue().values()]


def readme_section() -> str:
    """The README's "Questions you can ask", generated from the catalogue."""
    return "\n".join([
        "## Questions you can ask", "",
        "Each question is a named query in `queries/`, in SPARQL (`.rq`) and in Cypher "
        "(`.cypher`); both give the same rows. Run one with `dta-kg query run NAME -p key=value`, "
        "add `--lang cypher` for the Cypher version and `--format "
        f"{'|'.join(OUTPUT_FORMATS)}` to choose the output. `dta-kg studies` combines the study "
        "filters. This section is generated by `make generate`.", "",
        render(listing(), "markdown"),
    ])
