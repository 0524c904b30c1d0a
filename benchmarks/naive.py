"""The naive path, for comparison: parse the Turtle build with rdflib, then run a named query.

    python benchmarks/naive.py build/dta-kg.ttl studies-by-component '{"component": "bond"}'
"""

from __future__ import annotations

import json
import sys


def main(ttl: str, name: str, params: str) -> None:
    from naive_path import naive_named
    from rdflib import Graph

    graph = Graph().parse(ttl, format="turtle")
    print(len(naive_named(graph, name, json.loads(params)).rows))


if __name__ == "__main__":
    main(*sys.argv[1:4])
