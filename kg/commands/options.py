"""Options shared by several commands, as decorators."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from dta_kg.paths import Project


def project_options(func):
    """--records and --build-dir, passed to the command as one `project` argument."""

    @click.option("--records", "records_dir", type=click.Path(file_okay=False, path_type=Path),
                  envvar="DTA_KG_RECORDS", help="Folder of curated records [default: records/].")
    @click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path),
                  envvar="DTA_KG_BUILD", help="Folder for the built graph [default: build/].")
    @functools.wraps(func)
    def wrapper(*args, records_dir=None, build_dir=None, **kwargs):
        default = Project.default()
        project = Project(records=records_dir or default.records, build=build_dir or default.build)
        return func(*args, project=project, **kwargs)

    return wrapper
