"""Item 12 of issue 14: bad files, full disks and hostile replies crashed with tracebacks."""

from __future__ import annotations

import errno
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.paths import Project

BEATTY = "10.3389/fdgth.2022.847991"
FINDING = ["finding", "add", BEATTY, "--component", "bond", "--section",
           "Results > Therapeutic Bond", "--quote",
           "Beatty et al [25] reported that users expressed strong emotional connections"]


def where(project: Project) -> list[str]:
    return ["--records", str(project.records), "--build-dir", str(project.build)]


def _csl(tmp_path: Path, issued) -> Path:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps([{"id": "x1", "DOI": "10.2196/80123", "title": "A CSL study",
                                 "author": [{"family": "Doe", "given": "Jane"}],
                                 "container-title": "JMIR", "issued": issued}]))
    return path


@pytest.mark.parametrize("issued", ["2025", {"date-parts": [2025, 3]}, {"raw": "2025-03-01"},
                                    {"date-parts": [[2025, 3]]}])
def test_csl_json_dates_in_any_shape(issued, project_copy: Project, tmp_path: Path):
    """Attack: CSL-JSON with `issued: "2025"` or flat `date-parts` crashed `study import`.
    Expected: the year is read in every shape exports use."""
    result = CliRunner().invoke(main, ["study", "import", str(_csl(tmp_path, issued)),
                                       *where(project_copy)])
    assert result.exit_code == 0, result.output
    assert "year: 2025" in (project_copy.studies / "doe-2025.yaml").read_text()


def test_deeply_nested_csl_json_is_refused(project_copy: Project, tmp_path: Path):
    """Attack: CSL-JSON nested 100,000 lists deep crashed the JSON parser (RecursionError).
    Expected: a one-line refusal naming the file; records byte-identical."""
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    before = snapshot(project_copy.records)
    one_line_error(CliRunner().invoke(main, ["study", "import", str(path), *where(project_copy)]),
                   "deep.json", "nested too deeply")
    assert snapshot(project_copy.records) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_full_disk_or_read_only_records(code, project_copy: Project, monkeypatch):
    """Attack: a curator write on a full disk (ENOSPC) or a read-only records folder (EROFS,
    EACCES; simulated, since the tests may run as root) crashed with a traceback. Expected: a
    one-line error naming the cause and the fix, the records byte-identical, no temporary file
    left."""
    before = snapshot(project_copy.records)

    def fail(*args):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)
    result = CliRunner().invoke(main, [*FINDING, *where(project_copy)],
                                env={"DTA_KG_CURATOR": "Tester"})
    one_line_error(result, os.strerror(code))
    monkeypatch.undo()
    assert snapshot(project_copy.records) == before


def test_build_into_an_unwritable_folder(tmp_path: Path):
    """Attack: `build --build-dir` naming a folder that cannot be made (a file is in the way)
    crashed with a traceback. Expected: a one-line error naming the folder."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    project = Project.default()
    result = CliRunner().invoke(main, ["build", "--records", str(project.records),
                                       "--build-dir", str(blocker / "build")])
    one_line_error(result, str(blocker))


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
          + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
          '<rdf:Description rdf:about="urn:x"><rdf:value>&j;</rdf:value></rdf:Description>'
          '</rdf:RDF>').encode()


class _Hostile(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/rdf+xml")
        self.send_header("Content-Length", str(len(LAUGHS)))
        self.end_headers()
        self.wfile.write(LAUGHS)

    def log_message(self, *args):
        pass


def test_rdf_xml_replies_are_refused(built_project):
    """Attack: an endpoint answered a CONSTRUCT with RDF/XML full of nested entities, and the
    parser spun at 100% CPU. Expected: RDF/XML is not parsed at all: a one-line error says
    which formats are read."""
    server = HTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        result = CliRunner().invoke(main, ["sparql", "--endpoint", url,
                                           "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                           *where(built_project)])
        one_line_error(result, "application/rdf+xml", "does not read")
    finally:
        server.shutdown()
