"""What an ad-hoc Cypher text may do, decided on its tokens as ladybug's lexer reads them.

The embedded database is opened read-only, yet some statements still act outside the graph
(`CHECKPOINT`, `COPY ... TO` a file, `INSTALL` an extension from the network, `LOAD FROM` a file,
`ATTACH` another database), and some table functions read files or settings (`READ_CSV_SERIAL`,
which also crashes the engine, `file_info`, `current_setting`). The text is therefore cut into
tokens the way ladybug's lexer cuts it (strings with their escapes, backquoted names with doubled
backquotes), and then:

* each statement (`;` apart) starts with MATCH, OPTIONAL MATCH, WITH, UNWIND, RETURN or CALL;
* no keyword that writes or acts outside the graph appears as a word anywhere;
* every name called, plain or backquoted, is on an explicit allow-list: read procedures after
  CALL, scalar and aggregate functions elsewhere; anything else is refused before it runs.

Where the lexer's reading is in doubt the text is refused: any comment (`/*` or `//` outside a
string or a backquoted name: ladybug does not end `/* **/` at its `*/`), an unterminated string
or name, a carriage return outside a string (ladybug's `//` comment does not end at a lone CR),
or a character outside ASCII between tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dta_kg.query.guards import MAX_NESTING, NESTING_REFUSED, ReadOnlyViolation

READ_PROCEDURES = frozenset(("show_tables", "table_info", "show_connection", "db_version",
                             "show_functions", "show_indexes"))
# ladybug's scalar, aggregate and rewrite functions that read values only (no sequences, no
# settings, no files); table functions are reached by CALL only
READ_FUNCTIONS = frozenset("""
abs acos all any array_append array_cat array_concat array_contains array_cosine_similarity
array_cross_product array_distance array_dot_product array_extract array_has array_indexof
array_inner_product array_position array_prepend array_push_back array_push_front array_slice
array_squared_distance array_value asin atan atan2 avg bitshift_left bitshift_right bitwise_and
bitwise_or bitwise_xor blob cardinality cast cbrt ceil ceiling century coalesce collect concat
concat_ws contains cos cost cot count count_if count_star current_date current_timestamp date
date_part date_trunc datepart datetrunc dayname decode degrees duration element_at encode end_node
ends_with epoch_ms equals even factorial floor gamma greatest hash histogram id ifnull initcap
internal_id interval is_acyclic is_trail keys label labels last_day lcase least left length
levenshtein lgamma list_any_value list_append list_cat list_concat list_contains list_creation
list_distinct list_element list_extract list_filter list_has list_has_all list_has_any
list_indexof list_max list_min list_position list_prepend list_product list_reduce list_reverse
list_reverse_sort list_slice list_sort list_sum list_to_string list_transform list_unique ln log
log10 log2 lower lpad ltrim make_date map map_extract map_keys map_values max md5 min monthname
negate nodes none nullif octet_length offset percentilecont percentiledisc pi pow prefix
properties radians range regexp_extract regexp_extract_all regexp_full_match regexp_matches
regexp_replace regexp_split_to_array relationships rels repeat replace reverse right round rowid
rpad rtrim sha256 sign sin single size split_part sqrt start_node starts_with str_split string
string_split string_to_array struct_extract struct_pack substr substring suffix sum tan
time_bucket timestamp to_blob to_bool to_date to_days to_double to_epoch_ms to_float to_hours
to_int128 to_int16 to_int32 to_int64 to_int8 to_interval to_microseconds to_milliseconds
to_minutes to_months to_seconds to_string to_timestamp to_uint128 to_uint16 to_uint32 to_uint64
to_uint8 to_uuid to_years tolower toupper trim typeof ucase union_extract union_tag union_value
upper uuid exists
""".split())
STARTS = frozenset(("MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"))
# keywords that act: refused wherever they appear as a word
ACTING = frozenset(("COPY", "LOAD", "INSTALL", "UNINSTALL", "ATTACH", "DETACH", "CHECKPOINT",
                    "EXPORT", "IMPORT", "USE", "CREATE", "MERGE", "SET", "DELETE", "REMOVE",
                    "DROP", "ALTER", "BEGIN", "COMMIT", "ROLLBACK", "FOREACH", "TRANSACTION",
                    "PROFILE", "EXPLAIN"))
# keywords that may stand before a parenthesis without being a call
BEFORE_PARENTHESIS = frozenset(("MATCH", "OPTIONAL", "WHERE", "AND", "OR", "XOR", "NOT", "IN",
                                "RETURN", "WITH", "UNWIND", "CASE", "WHEN", "THEN", "ELSE",
                                "DISTINCT", "BY", "SKIP", "LIMIT", "IS", "AS", "UNION", "ON"))
ADVICE = ("the graph is read-only; ad-hoc Cypher may only read: start with MATCH, OPTIONAL "
          f"MATCH, WITH, UNWIND, RETURN or CALL {'/'.join(sorted(READ_PROCEDURES))}()")
# ladybug does not end a /* comment */ at every */ (not after an even run of stars), so no
# comment is read here: a text holding one is refused
COMMENT_REFUSED = ("comments are not allowed in ad-hoc Cypher (ladybug's reading of them is in "
                   "doubt): remove every /* */ and // comment from the query")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_SPACE = re.compile(r"[ \t\n\f\v]+|\r\n")


@dataclass(frozen=True)
class Token:
    kind: str  # word, name (backquoted), string, number, punct
    text: str  # a word as written, a name without its quotes, a punctuation character

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def _refuse(why: str) -> ReadOnlyViolation:
    return ReadOnlyViolation(f"{why}; {ADVICE}")


def _quoted_end(text: str, start: int) -> int:
    """The index after the string opened at `start` (backslash escapes), as ladybug reads it."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i + 1
        else:
            i += 1
    raise _refuse("unterminated string in the Cypher query")


def _name_end(text: str, start: int) -> tuple[int, str]:
    """The index after the backquoted name opened at `start` (`` doubled inside), and the name."""
    i, name = start + 1, []
    while i < len(text):
        if text[i] == "`":
            if text.startswith("``", i):
                name.append("`")
                i += 2
                continue
            return i + 1, "".join(name)
        name.append(text[i])
        i += 1
    raise _refuse("unterminated `quoted name` in the Cypher query")


def tokens(text: str) -> list[Token]:
    """The significant tokens of a Cypher text (whitespace dropped; a comment is refused)."""
    out: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if space := _SPACE.match(text, i):
            i = space.end()
        elif char == "\r":
            raise _refuse("a carriage return outside a string (ladybug may read the line "
                          "after it as code or as a comment)")
        elif text.startswith(("//", "/*"), i):
            raise ReadOnlyViolation(COMMENT_REFUSED)
        elif char in "'\"":
            end = _quoted_end(text, i)
            out.append(Token("string", text[i + 1:end - 1]))
            i = end
        elif char == "`":
            i, name = _name_end(text, i)
            out.append(Token("name", name))
        elif word := _WORD.match(text, i):
            out.append(Token("word", word.group()))
            i = word.end()
        elif number := _NUMBER.match(text, i):
            out.append(Token("number", number.group()))
            i = number.end()
        elif not char.isascii():
            raise _refuse(f"the character {char!r} outside a string or `quoted name`")
        else:
            out.append(Token("punct", char))
            i += 1
    return out


def _statements(found: list[Token]) -> list[list[Token]]:
    statements: list[list[Token]] = [[]]
    for token in found:
        if token.kind == "punct" and token.text == ";":
            statements.append([])
        else:
            statements[-1].append(token)
    return [s for s in statements if s]


def _check_statement(statement: list[Token]) -> None:
    first = statement[0]
    if first.upper not in STARTS:
        raise _refuse(f"Cypher statement {first.text.upper()} is refused")
    for at, token in enumerate(statement):
        before = statement[at - 1] if at else None
        after = statement[at + 1] if at + 1 < len(statement) else None
        named = before is not None and before.kind == "punct" and before.text in ".:$"
        if token.upper in ACTING and not named:
            raise _refuse(f"Cypher {token.upper} is refused")
        if token.upper == "CALL":
            callee = after if after is not None and after.kind in ("word", "name") else None
            opens = at + 2 < len(statement) and statement[at + 2].text == "("
            if callee is None or not opens or callee.text.lower() not in READ_PROCEDURES:
                shown = callee.text if callee is not None else (after.text if after else "")
                raise _refuse(f"CALL {shown} is refused")
            continue
        called = (token.kind in ("word", "name") and after is not None
                  and after.kind == "punct" and after.text == "(")
        if not called or (token.kind == "word" and token.upper in BEFORE_PARENTHESIS):
            continue
        if before is not None and before.upper == "CALL":
            continue  # checked above
        if named and before is not None and before.text == ".":
            raise _refuse(f"calling {token.text}() on a name is refused")
        if token.text.lower() not in READ_FUNCTIONS:
            raise _refuse(f"the function {token.text}() is refused")


def without_comment_lines(text: str) -> str:
    """`text` without its lines that are wholly `//` comments (the catalogue's headers and
    notes), so that the text run is the text checked; any other comment stays, and is refused."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip(" \t").startswith("//"))


def _check_nesting(found: list[Token]) -> None:
    """Refuse brackets ( { [ opened more than MAX_NESTING deep (outside strings, names and
    comments): ladybug's parser grows to gigabytes on 50,000 levels."""
    depth = 0
    for token in found:
        if token.kind == "punct" and token.text in "({[":
            depth += 1
            if depth > MAX_NESTING:
                raise _refuse(NESTING_REFUSED.format(limit=MAX_NESTING))
        elif token.kind == "punct" and token.text in ")}]":
            depth = max(depth - 1, 0)


def check_cypher_read_only(text: str) -> None:
    """Raise ReadOnlyViolation unless every statement of `text` only reads the graph."""
    found = tokens(text)
    _check_nesting(found)
    statements = _statements(found)
    if not statements:
        raise _refuse("empty Cypher query")
    for statement in statements:
        _check_statement(statement)
