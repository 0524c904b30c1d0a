"""Texts of documents other than the review (`dta-kg source add`), so their quotes are checked.

A quote from a document whose text the project does not hold cannot be checked, and is marked
unverified (`dta:quoteVerified false`). Registering the document's text under
records/sources/ makes every quote from it checked verbatim, like the review's.
"""

from __future__ import annotations

from pathlib import Path

from dta_kg.core.errors import RecordError
from dta_kg.core.iris import DOI_PATTERN, REVIEW_DOI, normalise_doi
from dta_kg.core.paths import Project
from dta_kg.curation.study_text import read_study_text
from dta_kg.curation.transaction import transaction
from dta_kg.loaders.review_text import source_text_path


def add_source(project: Project, doi: str, text_file: Path) -> Path:
    """Register `text_file` as the text of the document `doi`; return where it is kept.

    Every record quoting that document is checked against the text before it is written."""
    key = normalise_doi(doi)
    if not DOI_PATTERN.match(key):
        raise RecordError("source add", "doi", f"'{doi}' is not a DOI",
                          "write it as 10.<registrant>/<suffix>", doi)
    if key == REVIEW_DOI:
        raise RecordError("source add", "doi", "is the review, whose text is held already",
                          "give the DOI of a study", doi)
    text = read_study_text(text_file, doi)
    target = source_text_path(project.records, key)
    with transaction(project) as tx:
        tx.staged[target] = text
    return target
