"""Print result rows as a table, JSON (a list of objects), CSV, TSV or a Markdown table."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Iterable, Iterator

from dta_kg.core.iris import PREFIXES, is_iri
from dta_kg.core.registry import OUTPUT_FORMATS

TABLE_WIDTH = 60  # widest column of a terminal table, in characters; longer cells wrap
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell
MIN_COLUMN = 12  # a column is not narrowed below this, its header or its longest word
GAP = "  "
# When a terminal is too narrow for every column, these go first, in this order: context a reader
# can look up (titles, populations, identifiers) ...
LEAVE_OUT_FIRST = ("title", "intervention", "population", "intervention_type", "design", "set",
                   "study_set", "year", "doi", "iri")
# ... and these last, after any column not named here (dropped from the right): what a comparison
# or an answer is about. The first column always stays.
KEEP_LONGEST = ("result", "comparator", "result_kind", "component",
                "components", "instrument", "subscale", "factor", "polarity", "value")
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def text_key(text: str) -> tuple[str, str]:
    """Sort key for text as a reader expects it: case and accents ignored ("eHealth" before
    "User", "Élan" beside "elan"), then the text itself, so the order is total and stable."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in folded if not unicodedata.combining(ch)), text


def value_key(value: object) -> tuple:
    """Sort key for a result cell: empty first, then numbers by value, then text (`text_key`)."""
    if value is None:
        return (0,)
    if isinstance(value, bool | int | float) and value == value:
        return (3, 0, value)
    return (3, 1, text_key(str(value)))


def sort_rows(rows: list[dict], order: list[tuple[str, bool]]) -> list[dict]:
    """`rows` sorted by (column, descending) pairs with `value_key`, stable."""
    for column, descending in reversed(order):
        def key(row: dict, c: str = column) -> tuple:
            return value_key(row.get(c))

        rows = sorted(rows, key=key, reverse=descending)
    return rows


_MATH = re.compile(r"\$(?=\S)([^$\n]*?\S)\$")  # TeX: no space inside the dollars
_RELATION = re.compile(r"\s*(<=|>=|!=|[=<>≤≥≠≈])\s*")  # set off by spaces, as TeX typesets them


def math_as_text(text: str) -> str:
    """The review's inline LaTeX math as plain text ('Cohen $d=0.83$' -> 'Cohen d = 0.83'),
    for display only: the stored quote stays verbatim."""
    if "$" not in text:
        return text
    # lazy: pylatexenc loads ~4-12 ms, needed only when there is math to show
    from pylatexenc.latex2text import LatexNodes2Text

    convert = LatexNodes2Text(math_mode="text").latex_to_text
    return _MATH.sub(lambda m: _RELATION.sub(r" \1 ", convert(m.group(1))).strip(), text)


def displayed(rows: list[dict]) -> list[dict]:
    """`rows` with LaTeX math in text cells shown as text (rows without any left as they are)."""
    return [{k: math_as_text(v) if isinstance(v, str) and "$" in v else v for k, v in r.items()}
            if any(isinstance(v, str) and "$" in v for v in r.values()) else r for r in rows]


def boolean_answer(rows: list[dict], cols: list[str]) -> bool | None:
    """The answer of an ASK query (one row with one boolean `ask`), else None."""
    if cols == ["ask"] and len(rows) == 1 and isinstance(rows[0].get("ask"), bool):
        return bool(rows[0]["ask"])
    return None


def default_format() -> str:
    """A table on a terminal, JSON otherwise."""
    return "table" if sys.stdout.isatty() else "json"


def cell(value: object) -> str:
    """A value as flat text: lists joined by '; ', booleans in lower case, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "; ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def spreadsheet_cell(value: object) -> str:
    """`cell(value)` for CSV and TSV: text that a spreadsheet would take for a formula gets a
    leading apostrophe (OWASP's advice on CSV injection), lists included (their cell starts
    with their first item); numbers stay numbers."""
    text = cell(value)
    if not isinstance(value, int | float) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def columns_of(rows: list[dict], columns: list[str] | None) -> list[str]:
    return list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))


def render(rows: list[dict], fmt: str, columns: list[str] | None = None) -> str:
    """`rows` in format `fmt`; `columns` fixes the column order (and the header of no rows).
    An ASK answer is `true` or `false` in every format; LaTeX math is shown as text."""
    cols = columns_of(rows, columns)
    if (answer := boolean_answer(rows, cols)) is not None and fmt in OUTPUT_FORMATS:
        return "true" if answer else "false"
    rows = displayed(rows)
    if fmt == "json":  # one row per line: readable, and encoded in C at any size
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        body = ",\n  ".join(encode({c: r.get(c) for c in cols}) for r in rows)
        return f"[\n  {body}\n]" if rows else "[]"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([spreadsheet_cell(r.get(c)) for c in cols] for r in rows)
        return out.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(cell(r.get(c)).replace("|", "\\|") for c in cols) + " |"
                  for r in rows]
        return "\n".join(lines)
    if fmt == "table":
        return table(rows, cols)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")


STREAMED = ("json", "csv", "tsv", "markdown")  # formats written row by row; a table measures all


def render_chunks(rows: Iterable[dict], fmt: str, columns: list[str]) -> Iterator[str]:
    """The text of `render(rows, fmt, columns)` and an end of line, in chunks made as `rows` are
    read: a row's text is ready before the next row is read, and nothing, not even a header, is
    made before the first row has been read (or found missing). ASK answers and tables, which
    measure every row, come in one chunk."""
    rows = iter(rows)
    first = next(rows, None)
    ahead = [] if first is None else [first]
    if fmt not in STREAMED or columns == ["ask"]:
        yield render([*ahead, *rows], fmt, columns) + "\n"
        return
    if fmt == "json":
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        start = "[\n  "
        for row in itertools.chain(ahead, rows):
            yield start + encode(dict(zip(columns, _shown(row, columns), strict=True)))
            start = ",\n  "
        yield "[]\n" if first is None else "\n]\n"
        return
    if fmt == "markdown":
        yield render([], fmt, columns) + "\n"
        for row in itertools.chain(ahead, rows):
            yield render([row], fmt, columns).split("\n", 2)[2] + "\n"
        return
    out = io.StringIO()
    writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
    writer.writerow(columns)
    for row in itertools.chain(ahead, rows):
        writer.writerow([spreadsheet_cell(v) for v in _shown(row, columns)])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if first is None:
        yield out.getvalue()


def _shown(row: dict, columns: list[str]) -> list:
    """The cells of `row` in `columns`, with LaTeX math shown as text (see `displayed`)."""
    return [math_as_text(v) if isinstance(v, str) and "$" in v else v
            for v in (row.get(c) for c in columns)]


def curie(value: str) -> str:
    """An IRI in a known namespace as a CURIE ('dta:therapeutic-bond'); other text unchanged."""
    if "://" in value or value.startswith("urn:"):
        for prefix, ns in _NAMESPACES:
            if value.startswith(ns) and is_iri(value):
                return f"{prefix}:{value[len(ns):]}"
    return value


def terminal_width() -> int:
    """The terminal's width in columns (COLUMNS when set; 100 when there is no terminal)."""
    return shutil.get_terminal_size((100, 24)).columns


def table(rows: list[dict], cols: list[str], width: int | None = None) -> str:
    """An aligned text table that fits `width` columns (default: the terminal's). Long cells
    wrap within their column at spaces only, so an IRI (shown as a CURIE where it can be) stays
    whole; when even narrow columns do not fit, the least important columns are left out
    (`LEAVE_OUT_FIRST`, then the unnamed ones from the right, then `KEEP_LONGEST`) and named."""
    width = width or terminal_width()
    all_texts = [[curie(cell(r.get(c))) for c in cols] for r in rows]
    all_natural = [min(TABLE_WIDTH, max([len(c), *(len(t[i]) for t in all_texts)]))
                   for i, c in enumerate(cols)]
    words = [max([0, *(len(w) for t in all_texts for w in t[i].split())]) for i in range(len(cols))]
    all_floors = [max(min(n, MIN_COLUMN), len(c), w)
                  for n, c, w in zip(all_natural, cols, words, strict=True)]
    kept = list(range(len(cols)))
    for drop in _leave_out_order(cols):
        if sum(all_floors[i] for i in kept) + len(GAP) * (len(kept) - 1) <= width:
            break
        kept.remove(drop)
    left_out = [c for i, c in enumerate(cols) if i not in kept]
    cols = [cols[i] for i in kept]
    texts = [[t[i] for i in kept] for t in all_texts]
    natural, floors = [all_natural[i] for i in kept], [all_floors[i] for i in kept]
    shown = len(cols)
    widths = _fit(natural, floors, width - len(GAP) * (shown - 1))
    grid = [[textwrap.wrap(t[i], w, break_on_hyphens=False, break_long_words=False) or [""]
             for i, w in enumerate(widths)] for t in texts]
    widths = [max([len(c), *(len(line) for row in grid for line in row[i])])
              for i, c in enumerate(cols[:shown])]
    lines = [GAP.join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
             GAP.join("-" * w for w in widths)]
    for row in grid:
        for k in range(max(map(len, row))):
            lines.append(GAP.join((parts[k] if k < len(parts) else "").ljust(w)
                                  for parts, w in zip(row, widths, strict=True)).rstrip())
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    if left_out:
        lines += textwrap.wrap(f"({len(left_out)} column(s) left out to fit {width} characters: "
                               f"{', '.join(left_out)}; see them all with --format csv or json)",
                               width, break_on_hyphens=False)
    return "\n".join(lines)


def _leave_out_order(cols: list[str]) -> list[int]:
    """The indexes of `cols` in the order a narrow table leaves them out; never the first."""
    rest = range(1, len(cols))
    first = sorted((i for i in rest if cols[i] in LEAVE_OUT_FIRST),
                   key=lambda i: LEAVE_OUT_FIRST.index(cols[i]))
    last = sorted((i for i in rest if cols[i] in KEEP_LONGEST),
                  key=lambda i: -KEEP_LONGEST.index(cols[i]))
    middle = [i for i in reversed(rest) if i not in first and i not in last]
    return first + middle + last


def _fit(natural: list[int], floors: list[int], room: int) -> list[int]:
    """Column widths from `natural`, the widest narrowed first (never below `floors`) until
    they add up to at most `room`."""
    widths = list(natural)
    while sum(widths) > room:
        wide = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[wide] <= floors[wide]:
            break
        widths[wide] -= 1
    return widths
