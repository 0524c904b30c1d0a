"""Headless Debian Chromium for page tests, driven by Playwright (no `playwright install`).

Registered as a plugin by tests/conftest.py: a test names `open_page` as an argument.
Without /usr/bin/chromium the tests are skipped, or fail when DTA_KG_REQUIRE_SERVICES=1.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dta_kg.views.chromium import CHROMIUM, launch


def is_local(url: str) -> bool:
    """True for file:, data:, about:, blob: and loopback http(s) URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "about", "blob"):
        return True
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost")


@dataclass
class Opened:
    """A page and what happened while it was open."""

    page: object
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")  # one Playwright at a time: each module that imports it has its own
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (Debian package chromium)"
        if os.environ.get("DTA_KG_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """open_page(path) -> Opened: loads a local file, recording requests, errors and dialogs.

    Any request that would leave the machine is aborted and recorded in `blocked`.
    """
    contexts = []

    def _open(path: Path, wait_for: str = "body[data-drawn]") -> Opened:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)

        def route(r):
            if is_local(r.request.url):
                r.continue_()
            else:
                opened.blocked.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("request", lambda req: opened.requests.append(req.url))
        page.on("console", lambda msg: msg.type == "error" and opened.errors.append(msg.text))
        page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_selector(wait_for, state="attached", timeout=30_000)
        return opened

    yield _open
    for context in contexts:
        context.close()
