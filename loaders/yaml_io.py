"""Safe YAML reading for records (libyaml's C safe loader, for speed at scale).

Round-trip editing, which keeps curators' comments and layout, lives in dta_kg.curation.transaction.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dta_kg.core.errors import RecordError


def read_yaml(path: Path, digests: dict[str, str] | None = None) -> Any:
    """Parse `path` with a safe loader; any problem becomes a RecordError naming the file.
    With `digests`, the SHA-256 of the bytes parsed is recorded there under the path, so a
    build is stamped with exactly what it read."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordError(path, "", f"cannot be read ({exc.strerror})", "check the path") from exc
    if digests is not None:
        digests[str(path)] = hashlib.sha256(raw).hexdigest()
    return parse_yaml(raw, path)


def _strict_loader():
    """libyaml's safe loader, refusing a mapping that repeats a key (YAML says keys are unique;
    the plain loader keeps the last value and drops the first silently)."""
    # lazy: ~10 ms, and a query on a built graph reads no YAML
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):
        pass

    def mapping(loader, node):
        seen: dict = {}
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (also at line {seen[key] + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return loader.construct_mapping(node, deep=True)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return StrictLoader


_LOADER: list = []


def parse_yaml(raw: bytes, path: Path) -> Any:
    # lazy: ~10 ms, and a query on a built graph reads no YAML
    import yaml

    if b"\x00" in raw:
        raise RecordError(path, "", "is binary, not YAML text", "give a UTF-8 YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text", "save the file as UTF-8") from exc
    if not _LOADER:
        _LOADER.append(_strict_loader())
    loader = _LOADER[0]
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "could not determine a constructor for the tag" in str(exc):
            problem = "uses an unsafe or unknown YAML tag"
        fix = "fix the YAML syntax (plain mappings and lists only)"
        if problem.startswith("duplicate key"):
            fix = "keep one of the two lines (YAML keeps only the last, silently)"
        raise RecordError(path, "", f"is not valid YAML{at}: {problem}", fix) from exc
