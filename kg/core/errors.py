"""Exceptions raised by the dta-kg library; the CLI turns them into one-line messages."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# user:password@ in a URL (scheme://user:password@host); the password is replaced
_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/@:'\"]*):[^\s/@'\"]*@")


# a credential in a URL's query string (?password=..., &api_key=..., ;token=...)
_SECRET_NAME = (r"[\w.-]*(?:pass|pwd|secret|token|auth|sig|session|credential|apikey"
                r"|(?<![a-z])key)[\w.-]*")
_QUERY_SECRET = re.compile(rf"(?i)([?&;]{_SECRET_NAME}=)[^&;#\s'\"]*")


def redact(text: str) -> str:
    """`text` with the password of every URL in it, and every query-string parameter named as
    a credential (password, token, api_key, secret, auth, signature, ...), replaced by ***."""
    return _QUERY_SECRET.sub(r"\1***", _USERINFO.sub(r"\1:***@", text))


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """(`url` without user:password@, user, password); None for what it does not hold."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host)), parts.username, parts.password


class DtaKgError(Exception):
    """Base class of every error dta-kg raises on purpose; a password in a URL in its
    message is redacted."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class RecordError(DtaKgError):
    """A curated record is malformed: names the file, the record, the field and the fix."""

    def __init__(self, path: Path | str, field: str, problem: str, fix: str = "",
                 record: str = "") -> None:
        self.path, self.field, self.problem, self.fix, self.record = path, field, problem, fix, record
        where = f"{path}"
        if record:
            where += f" [{record}]"
        message = f"{where}: field '{field}': {problem}" if field else f"{where}: {problem}"
        if fix:
            message += f"; {fix}"
        super().__init__(message)

    def __reduce__(self) -> tuple[type[RecordError], tuple[Path | str, str, str, str, str]]:
        # so the error crosses from a worker process intact
        return type(self), (self.path, self.field, self.problem, self.fix, self.record)


class ValidationFailed(DtaKgError):
    """The graph broke a SHACL shape, a QC query or the reasoner; `problems` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        head = f"graph refused: {len(problems)} problem(s); first: {problems[0]}" if problems else ""
        super().__init__(head)


class UnknownTerm(DtaKgError):
    """A value names no known term; carries the closest valid choices."""

    def __init__(self, kind: str, value: str, choices: list[str], listed_by: str | None = None):
        self.kind, self.value, self.choices = kind, value, choices
        hint = f"; closest: {', '.join(choices)}" if choices else ""
        more = f" (all of them: dta-kg vocab {listed_by})" if listed_by else ""
        super().__init__(f"unknown {kind} '{value}'{hint}{more}")


class OutputError(DtaKgError):
    """An output file or folder cannot or must not be written."""


class InvalidIri(DtaKgError):
    """A value that should be an IRI is not one (it would corrupt the N-Triples written)."""

    def __init__(self, value: str, where: str = ""):
        self.value, self.where = value, where
        at = f" (as the {where})" if where else ""
        super().__init__(f"'{value}' is not an IRI{at}; write an absolute IRI such as "
                         "https://example.org/x, without spaces")
