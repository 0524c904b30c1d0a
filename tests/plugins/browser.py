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


def _tab(browser) -> tuple[object, object, list[Opened]]:
    """A new context and page whose requests, errors and dialogs go to the last Opened of the
    returned list; any request that would leave the machine is aborted and recorded in `blocked`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log = [Opened(page)]

    def route(r):
        if is_local(r.request.url):
            r.continue_()
        else:
            log[-1].blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page.on("request", lambda req: log[-1].requests.append(req.url))
    page.on("console", lambda msg: msg.type == "error" and log[-1].errors.append(msg.text))
    page.on("pageerror", lambda exc: log[-1].errors.append(str(exc)))
    page.on("dialog", lambda d: (log[-1].dialogs.append(d.message), d.dismiss()))
    return context, page, log


def _load(page, path: Path, wait_for: str) -> None:
    page.goto(Path(path).resolve().as_uri())
    page.wait_for_selector(wait_for, state="attached", timeout=30_000)


@pytest.fixture
def open_page(browser):
    """open_page(path) -> Opened: loads a local file in a new context, recording requests,
    errors and dialogs. Any request that would leave the machine is aborted and recorded in
    `blocked`."""
    contexts = []

    def _open(path: Path, wait_for: str = "body[data-drawn]") -> Opened:
        context, page, log = _tab(browser)
        contexts.append(context)
        _load(page, path, wait_for)
        return log[-1]

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def visit(browser):
    """visit(path) -> Opened: `open_page` for many pages in turn, in one tab (a page a tenth of a
    second rather than four): each visit records what its page did apart from the others."""
    context, page, log = _tab(browser)

    def _visit(path: Path, wait_for: str = "body[data-drawn]") -> Opened:
        log.append(Opened(page))
        _load(page, path, wait_for)
        return log[-1]

    yield _visit
    context.close()
