"""The order in which the test workers take the modules: the slow ones first.

`make test` spreads the modules over the workers (pytest-xdist, `--dist loadscope`), each worker
taking the next module when it is done with one. A long module taken last keeps one worker busy
while the others have nothing left: the README's shell blocks (46 s), taken near the end, ended a
run 15 s after the other worker. Modules with a test marked slow go first, then the others by
their number of tests, most first (what xdist's own reordering does), so a run ends on short
modules. The Makefile passes `--no-loadscope-reorder`, so that xdist keeps this order.
Registered as a plugin by tests/conftest.py.
"""

from __future__ import annotations

import pytest


def module_order(items: list[pytest.Item]) -> list[pytest.Item]:
    """`items` with each module's tests together, the modules ordered slow first, then by their
    number of tests, most first; ties keep the collection order."""
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def weight(tests: list[pytest.Item]) -> tuple[bool, int]:
        return not any(t.get_closest_marker("slow") for t in tests), -len(tests)

    return [t for tests in sorted(modules.values(), key=weight) for t in tests]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items[:] = module_order(items)
