"""Safe YAML reading for records (libyaml's C safe loader, for speed at scale).

Round-trip editing, which keeps curators' comments and layout, lives in dta_kg.curation.transaction.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dta_kg.core.errors import RecordError
from dta_kg.core.limits import RECORD_BYTES, read_input

if TYPE_CHECKING:
    import yaml

MAX_DEPTH = 100  # lists and mappings inside each other; records use about 5
# the indentation and block indicators (`- `, `? `, `: `) that open each line: a block
# collection starts at a column within them, and each column holds at most two levels
_LINE_PREFIX = re.compile(rb"^[ \t]*(?:[-?:][ \t]+)*", re.M)


def read_yaml(path: Path, digests: dict[str, str] | None = None, limit: int = RECORD_BYTES,
              parsed: dict[str, Any] | None = None) -> Any:
    """Parse `path` (at most `limit` bytes) with a safe loader; any problem becomes a
    RecordError naming the file. With `digests`, the SHA-256 of the bytes parsed is recorded
    there under the path, so a build is stamped with exactly what it read. With `parsed`
    (SHA-256 of bytes -> their data), bytes parsed before are not parsed again, and new ones
    are kept there."""
    raw = read_record_bytes(path, limit)
    hashed = digests is not None or parsed is not None
    digest = hashlib.sha256(raw).hexdigest() if hashed else ""
    if digests is not None:
        digests[str(path)] = digest
    if parsed is None:
        return parse_yaml(raw, path, limit)
    if digest not in parsed:
        parsed[digest] = parse_yaml(raw, path, limit)
    return parsed[digest]


def read_record_bytes(path: Path, limit: int = RECORD_BYTES, follow_symlinks: bool = False) -> bytes:
    """The bytes of the record file `path` (at most `limit`); a problem is a RecordError. A
    record is a regular file: a FIFO, a device, a folder or a symlink (which may lead out of
    the records folder) is refused; `follow_symlinks` for a file the user names."""
    return read_input(path, limit, "a YAML record", "split it, or check that it is the right file",
                      follow_symlinks)


def checked_text(path: Path, follow_symlinks: bool = False) -> str:
    """The text of the YAML file `path`, read once, whose bytes `parse_yaml` accepted (size,
    depth, aliases, keys, tags): for a round-trip load of exactly the bytes checked, so a file
    swapped between a check and a second read cannot skip the checks."""
    raw = read_record_bytes(path, follow_symlinks=follow_symlinks)
    parse_yaml(raw, path)
    return raw.decode("utf-8")


def _strict_loader() -> type[yaml.SafeLoader | yaml.CSafeLoader]:
    """libyaml's safe loader, refusing a mapping that repeats a key (YAML says keys are unique;
    the plain loader keeps the last value and drops the first silently)."""
    # lazy: ~10 ms, and a query on a built graph reads no YAML
    import yaml

    base: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    # a base chosen at run time (CSafeLoader exists only when PyYAML was built with libyaml)
    class StrictLoader(base):  # type: ignore[valid-type, misc]
        pass

    def mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != \
                    yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key that is not plain text (a list, a mapping, a number, "
                    "a date or a tagged value)", key_node.start_mark)
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (also at line {seen[key] + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return loader.construct_mapping(node, deep=True)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    text, sequence = (yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
                      yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG)

    def construct(loader: StrictLoader, node: yaml.Node) -> Any:
        """What `construct_object(node, deep=True)` gives, without its bookkeeping for the
        plain text, lists and mappings records are made of (a record holds no alias, see
        `check_structure`); any other node goes to the loader's own constructors."""
        if node.tag == text and isinstance(node, yaml.ScalarNode):
            return node.value
        if node.tag == sequence and isinstance(node, yaml.SequenceNode):
            return [construct(loader, item) for item in node.value]
        if node.tag == yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG and \
                isinstance(node, yaml.MappingNode) and \
                all(k.tag == text and isinstance(k, yaml.ScalarNode) for k, _ in node.value) and \
                len({k.value for k, _ in node.value}) == len(node.value):
            return {k.value: construct(loader, v) for k, v in node.value}
        return loader.construct_object(node, deep=True)  # refuses a bad key as `mapping` does

    def construct_document(loader: StrictLoader, node: yaml.Node) -> Any:
        data = construct(loader, node)
        loader.constructed_objects, loader.recursive_objects = {}, {}
        loader.deep_construct = False
        return data

    StrictLoader.construct_document = construct_document
    return StrictLoader


_LOADER: list[type[yaml.SafeLoader | yaml.CSafeLoader]] = []


def check_structure(raw: bytes, path: Path) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH (libyaml's composer recurses in C and crashes
    the process near 100,000 levels) and YAML with aliases (`*name`, which let a small file
    expand to billions of values). A bound taken from the text decides in microseconds for
    ordinary records; only text that could break a rule is read event by event, which
    libyaml's parser does without recursion."""
    # lazy: ~10 ms, and a query on a built graph reads no YAML
    import yaml

    widest = max((len(p) for p in _LINE_PREFIX.findall(raw)), default=0)
    bound = 2 * (widest + 1) + raw.count(b"[") + raw.count(b"{") + 1
    if bound <= MAX_DEPTH and b"*" not in raw:
        return
    depth = 0
    try:
        for event in yaml.parse(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise RecordError(path, "", f"nests lists and mappings more than {MAX_DEPTH} "
                                      f"deep (line {line})",
                                      "write the record flat, as the other records are")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                raise RecordError(path, "", f"uses a YAML alias at line {line}",
                                  "write the value out in full (records use no anchors or "
                                  "aliases)")
    except yaml.YAMLError:
        return  # a syntax error: the loader reports it with its line


def parse_yaml(raw: bytes, path: Path, limit: int = RECORD_BYTES) -> Any:
    # lazy: ~10 ms, and a query on a built graph reads no YAML
    import yaml

    if len(raw) > limit:
        raise RecordError(path, "", f"is larger than {limit:,} bytes, the limit for a "
                          "YAML record", "split it, or check that it is the right file")
    if b"\x00" in raw:
        raise RecordError(path, "", "is binary, not YAML text", "give a UTF-8 YAML file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(path, "", "is not UTF-8 text", "save the file as UTF-8") from exc
    check_structure(raw, path)
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
