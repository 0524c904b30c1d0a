"""The writer of generated records (the screening records): its text reads back, through the
records' own YAML reader, as exactly the data it was written from, for any text. An import
relies on it: the search run it writes is checked on its data, not parsed again."""

from __future__ import annotations

from pathlib import Path

from dta_kg.curation.generated_yaml import dump_yaml
from dta_kg.loaders.yaml_io import parse_yaml

# every character but the surrogates (which UTF-8 cannot hold), in lines of 512
EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
LINES = [EVERY_CHARACTER[i:i + 512] for i in range(0, len(EVERY_CHARACTER), 512)]


def test_every_character_reads_back_as_written():
    data = {"id": "run", "candidates": [{"id": f"run-{n}", "title": line, "year": 2024}
                                        for n, line in enumerate(LINES, 1)]}
    text = dump_yaml(data)
    assert parse_yaml(text.encode("utf-8"), Path("run.yaml"), len(text) * 4) == data


def test_texts_yaml_would_read_otherwise_stay_texts():
    data = {"candidates": [{"id": "a", "title": t, "authors": [t, "Doe, J"], "flag": True}
                           for t in ("yes", "null", "~", "2025-06-30", "1e3", "0x10", "- a",
                                     "# no comment", "a: b", "'quoted'", '"quoted"', " padded ",
                                     "", "back\\slash", "line\nbreak", "\ttab", "[1, 2]",
                                     "{a: 1}", "*alias", "&anchor", "!tag", "%YAML", "@at")],
            "added": {"by": "Ann", "at": "2025-06-30T10:00:00+00:00", "note": "..."},
            "empty": []}
    assert parse_yaml(dump_yaml(data).encode("utf-8"), Path("run.yaml")) == data
