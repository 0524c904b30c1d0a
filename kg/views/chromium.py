"""Headless Debian Chromium through Playwright (no `playwright install`), for the browser
tests, the render benchmark and the README screenshots. Playwright is a dev dependency."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Protocol, TypeVar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


Browser = TypeVar("Browser", covariant=True)


class _BrowserType(Protocol[Browser]):
    """What `launch` uses of Playwright's BrowserType (typed here: Playwright is a dev
    dependency, which the package may not import, even for its types)."""

    def launch(self, *, executable_path: str, headless: bool, args: Sequence[str]) -> Browser: ...


class _Playwright(Protocol[Browser]):
    @property
    def chromium(self) -> _BrowserType[Browser]: ...


def launch(playwright: _Playwright[Browser]) -> Browser:
    """Start Debian's Chromium headless, with no background traffic."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
