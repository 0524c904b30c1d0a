"""Print result rows as a table, JSON (a list of objects), CSV, TSV or a Markdown table."""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap

FORMATS = ("table", "json", "csv", "tsv", "markdown")
TABLE_WIDTH = 60  # widest column of a terminal table, in characters; longer cells wrap


def default_format() -> str:
    """A table on a terminal, JSON otherwise."""
    return "table" if sys.stdout.isatty() else "json"


def cell(value) -> str:
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


def columns_of(rows: list[dict], columns: list[str] | None) -> list[str]:
    return list(columns) if columns is not None else list(dict.fromkeys(k for r in rows for k in r))


def render(rows: list[dict], fmt: str, columns: list[str] | None = None) -> str:
    """`rows` in format `fmt`; `columns` fixes the column order (and the header of no rows)."""
    cols = columns_of(rows, columns)
    if fmt == "json":  # one row per line: readable, and encoded in C at any size
        encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
        body = ",\n  ".join(encode({c: r.get(c) for c in cols}) for r in rows)
        return f"[\n  {body}\n]" if rows else "[]"
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(cols)
        writer.writerows([cell(r.get(c)) for c in cols] for r in rows)
        return out.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
        lines += ["| " + " | ".join(cell(r.get(c)).replace("|", "\\|") for c in cols) + " |"
                  for r in rows]
        return "\n".join(lines)
    if fmt == "table":
        return table(rows, cols)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")


def table(rows: list[dict], cols: list[str]) -> str:
    """An aligned text table; long cells wrap within their column."""
    grid = [[textwrap.wrap(cell(r.get(c)), TABLE_WIDTH, break_on_hyphens=False) or [""]
             for c in cols] for r in rows]
    widths = [max([len(c), *(len(line) for row in grid for line in row[i])])
              for i, c in enumerate(cols)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for row in grid:
        for k in range(max(map(len, row))):
            lines.append("  ".join((parts[k] if k < len(parts) else "").ljust(w)
                                   for parts, w in zip(row, widths, strict=True)).rstrip())
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines)
