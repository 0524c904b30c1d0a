"""The sections of benchmarks/README.md that each benchmark script writes between its markers."""

from __future__ import annotations

import re
from pathlib import Path

MARKED = re.compile(r"<!-- (\w+):start -->.*?<!-- \1:end -->", re.DOTALL)


def put_section(readme: Path, section: str) -> None:
    """Write `section` (which starts and ends with its markers) into `readme`, in place of the
    section between the same markers, or at the end."""
    name = MARKED.match(section)
    assert name, "a section starts with <!-- NAME:start --> and ends with <!-- NAME:end -->"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    old = next((m for m in MARKED.finditer(text) if m.group(1) == name.group(1)), None)
    if old:
        text = text[:old.start()] + section + text[old.end():]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    readme.write_text(text, encoding="utf-8")


def marked_sections(readme: Path) -> list[str]:
    """Every marked section of `readme`, in order (kept when the rest is written anew)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    return [m.group(0) for m in MARKED.finditer(text)]
