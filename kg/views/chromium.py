"""Headless Debian Chromium through Playwright (no `playwright install`), for the browser
tests, the render benchmark and the README screenshots. Playwright is a dev dependency."""

import shutil

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


def launch(playwright):
    """Start Debian's Chromium headless, with no background traffic."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
