"""The site of the curated project, written once per test module that asks for it."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from dta_kg.cli import main

BEATTY_PAGE = "studies/10-3389-fdgth-2022-847991.html"
BEATTY_CONTINUED = ("Beatty et al [25] reported that 73.8% of participants continued using the Wysa "
                    "chatbot after the first assessment")
LINK = re.compile(r'(?:href|src)="([^"]+)"')


def write_site(project, out: Path, *args: str) -> str:
    env = {"DTA_KG_RECORDS": str(project.records), "DTA_KG_BUILD": str(project.build)}
    result = CliRunner().invoke(main, ["site", "-o", str(out), *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def local_links(page: Path) -> list[str]:
    """The links of a page that stay in the site (not http(s), mailto or in-page anchors)."""
    return [h for h in LINK.findall(page.read_text(encoding="utf-8"))
            if not h.startswith(("http://", "https://", "mailto:", "#", "data:", "blob:"))]
