"""Round-trip YAML nodes written into records the way curators write them by hand."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def flow(**items: Any) -> CommentedMap:
    """A one-line YAML mapping ({a: 1, b: 2}) of the items that are not None."""
    # lazy: ruamel.yaml loads ~12 ms; `study show` and `study list` import this module
    from ruamel.yaml.comments import CommentedMap

    mapping = CommentedMap((k, v) for k, v in items.items() if v is not None)
    mapping.fa.set_flow_style()
    return mapping


def flow_list(values: Iterable[str]) -> CommentedSeq:
    # lazy: ruamel.yaml loads ~12 ms; `study show` and `study list` import this module
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def quoted(value: str | None) -> DoubleQuotedScalarString | None:
    """A string written in double quotes, as the records write titles, quotes and figures."""
    # lazy: ruamel.yaml loads ~12 ms; `study show` and `study list` import this module
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    return None if value is None else DoubleQuotedScalarString(value)


def block(**items: Any) -> CommentedMap:
    # lazy: ruamel.yaml loads ~12 ms; `study show` and `study list` import this module
    from ruamel.yaml.comments import CommentedMap

    return CommentedMap((k, v) for k, v in items.items() if v is not None)


def stamp(by: str, text: str | None = None, key: str = "note") -> CommentedMap:
    return flow(by=by, at=quoted(now()), **{key: quoted(text or None)})
