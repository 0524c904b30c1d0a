"""setuptools' one hook for dta-kg (the rest of the packaging is in pyproject.toml).

setuptools builds in `.setuptools-build/`, not in `build/`, which holds the graph that
`dta-kg build` writes; and it empties that folder first, so a wheel holds exactly the files the
checkout holds now (setuptools would otherwise keep a record deleted since the last wheel).
"""

from __future__ import annotations

import shutil

from setuptools import setup
from setuptools.command.build import build

BUILD_BASE = ".setuptools-build"


class FreshBuild(build):
    """`build` into BUILD_BASE, emptied first."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.build_base = BUILD_BASE

    def run(self) -> None:
        shutil.rmtree(self.build_base, ignore_errors=True)
        super().run()


setup(cmdclass={"build": FreshBuild})
