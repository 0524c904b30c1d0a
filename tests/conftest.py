"""Shared fixtures: the vocabulary, and throw-away copies of the curated project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.project import RECORDS

from dta_kg.core.paths import Project

pytest_plugins = ["plugins.servers", "plugins.browser", "plugins.collector", "plugins.schedule"]



@pytest.fixture(scope="session")
def vocab():
    from dta_kg.loaders.terms import load_vocabulary

    return load_vocabulary()


@pytest.fixture(scope="session")
def corpus(vocab):
    from dta_kg.loaders.records import read_corpus

    return read_corpus(Project(records=RECORDS, build=Path("/nonexistent")), vocab)


@pytest.fixture(scope="session")
def built_graph():
    """The validated merged graph of the curated records (data + ontology)."""
    from dta_kg.pipeline.build import validate_graph

    return validate_graph(Project(records=RECORDS, build=Path("/nonexistent")))


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> Project:
    """The curated records built once, query stores included, into a throw-away build folder."""
    from dta_kg.pipeline.build import build

    project = Project(records=RECORDS, build=tmp_path_factory.mktemp("build"))
    build(project)
    return project


@pytest.fixture(scope="session")
def built_template(tmp_path_factory) -> Project:
    """A copy of the curated records, built once per session (per worker): `built_copy`'s source."""
    from dta_kg.pipeline.build import build

    folder = tmp_path_factory.mktemp("template")
    shutil.copytree(RECORDS, folder / "records", ignore=shutil.ignore_patterns("source", "README.md"))
    project = Project(records=folder / "records", build=folder / "build")
    build(project)
    return project


@pytest.fixture
def built_copy(built_template, tmp_path) -> Project:
    """A built copy of the curated records that a test may change: the session's build copied
    (its stores are fresh by content), not built again."""
    shutil.copytree(built_template.records, tmp_path / "records")
    shutil.copytree(built_template.build, tmp_path / "build", symlinks=True)
    return Project(records=tmp_path / "records", build=tmp_path / "build")


@pytest.fixture
def project_copy(tmp_path) -> Project:
    """A copy of the curated records that a test may change, with its own build folder."""
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records, ignore=shutil.ignore_patterns("source", "README.md"))
    return Project(records=records, build=tmp_path / "build")
