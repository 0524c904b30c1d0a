"""The README's example query runs and gives the answer the review states."""

from __future__ import annotations

import re

from dta_kg.core.paths import PACKAGE_ROOT

README = (PACKAGE_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands():
    first_block = README.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


def test_readme_sparql_example_finds_the_three_wai_sr_bond_studies(built_graph):
    query = re.search(r"```sparql\n(.*?)```", README, re.S).group(1)
    dois = {str(row.doi) for row in built_graph.query(query)}
    assert dois == {"10.3389/fdgth.2022.847991", "10.1186/s12889-022-13115-x",
                    "10.1145/3568162.3578625"}
