"""The curated records the tests copy, and a snapshot of a folder's bytes."""

from __future__ import annotations

from pathlib import Path

from dta_kg.core.paths import PACKAGE_ROOT

RECORDS = PACKAGE_ROOT / "records"
# a 2025 study for the living review, as a reference manager exports it
LIVING_DOI = "10.2196/70001"
LIVING_BIB = """\
@article{smith2025,
  author = {Smith, Jane A. and {van der Berg}, Piet},
  title = {A Chatbot for Loneliness: {A} Randomized Trial},
  journal = {JMIR Ment Health},
  year = {2025}, volume = {12}, pages = {e70001},
  doi = {10.2196/70001}
}
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes, to prove a command changed nothing."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(result, *parts: str) -> str:
    """Assert a click result is a refusal: non-zero exit, one `Error:` line holding `parts`,
    no traceback; return that line."""
    output = getattr(result, "output", None)
    if output is None:  # a subprocess.CompletedProcess
        output = (result.stdout or "") + (result.stderr or "")
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    assert code not in (0, None), output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, output
    for part in parts:
        assert part in lines[0], output
    return lines[0]
