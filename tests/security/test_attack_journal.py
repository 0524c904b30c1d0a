"""Second attack pass on issue 21: the records' journal of an interrupted write
(`.dta-kg-journal.json`) is an input like any other file in a records folder, which may come
from a clone or a shared drive. Every curator command completes a journal's moves first, so a
planted journal moved any file to any path (`os.replace` of whatever it named), and a FIFO or
`/dev/zero` as the journal hung every curator command or ended it in a MemoryError. Expected:
only moves `commit_files` makes are completed; anything else is one line naming the journal,
and nothing moves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import one_line_error, snapshot

from dta_kg.cli import main
from dta_kg.core.errors import OutputError
from dta_kg.core.files import JOURNAL, commit_files, recover_journal

STAGED = ".review.yaml.tmp-0123456789ab.tmp"


def _land(tmp_path: Path) -> tuple[Path, Path]:
    records, victim = tmp_path / "records", tmp_path / "victim"
    (records / "studies").mkdir(parents=True)
    (records / "review.yaml").write_text("review: 1\n")
    (records / "studies" / "s.yaml").write_text("study: 1\n")
    victim.mkdir()
    (victim / "important.txt").write_text("keep me\n")
    return records, victim


def _targets(records: Path, victim: Path) -> list[str]:
    """Targets outside the records folder, spelled as a planted journal might."""
    rel = os.path.relpath(victim / "important.txt", records)
    return [str(victim / "important.txt"), rel, f"studies/../{rel}", f"./{rel}",
            "studies//../../victim/important.txt", "/etc/../" + str(victim / "important.txt"),
            f"{records}/../victim/important.txt"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_planted_journal_moves_nothing_outside_its_moves(tmp_path_factory, data) -> None:
    """Attack: a journal naming a payload and a target outside the records (absolute, `..`,
    doubled slashes), a staged name dta-kg never makes, a staged file in another folder than
    its target, or through a symlinked folder. Expected: OutputError, every file as it was."""
    tmp = tmp_path_factory.mktemp("journal")
    records, victim = _land(tmp)
    (records / "payload.txt").write_text("attacker payload\n")
    (records / STAGED).write_text("attacker payload\n")
    (records / "linked").symlink_to(victim)
    (victim / STAGED.replace("review.yaml", "important.txt")).write_text("attacker payload\n")
    staged_for_victim = STAGED.replace("review.yaml", "important.txt")
    entry = data.draw(st.one_of(
        st.tuples(st.sampled_from(["payload.txt", STAGED, f"studies/../{STAGED}"]),
                  st.sampled_from(_targets(records, victim))),
        st.just((STAGED, "studies/review.yaml")),  # staged beside another folder's file
        st.just((f"linked/{staged_for_victim}", "linked/important.txt")),  # through a symlink
        st.just(("payload.txt", "review.yaml")),  # a name dta-kg does not stage under
        st.tuples(st.text(max_size=30), st.text(max_size=30)),
    ))
    shape = data.draw(st.sampled_from(["pair", "extra", "nested"]))
    doc = {"pair": [list(entry)], "extra": [[*entry, "x"]], "nested": {"moves": [list(entry)]}}
    (records / JOURNAL).write_text(json.dumps(doc[shape]))
    before = snapshot(records), snapshot(victim)
    with pytest.raises(OutputError, match="journal"):
        recover_journal(records)
    assert (snapshot(records), snapshot(victim)) == before


def test_the_journal_of_a_real_interrupted_write_is_still_completed(tmp_path: Path) -> None:
    """The moves `commit_files` makes are completed: staged files beside their targets."""
    records, _ = _land(tmp_path)
    new = {records / "review.yaml": b"review: 2\n", records / "studies" / "s.yaml": b"study: 2\n"}
    commit_files(records, new)
    assert snapshot(records) == {"review.yaml": b"review: 2\n", "studies/s.yaml": b"study: 2\n"}
    staged = records / "studies" / ".s.yaml.tmp-00000000aaaa.tmp"
    staged.write_bytes(b"study: 3\n")
    (records / JOURNAL).write_text(json.dumps([["studies/.s.yaml.tmp-00000000aaaa.tmp",
                                                "studies/s.yaml"]]))
    assert recover_journal(records)
    assert snapshot(records) == {"review.yaml": b"review: 2\n", "studies/s.yaml": b"study: 3\n"}


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "huge"])
def test_a_journal_that_is_no_file_is_one_line(project_copy, tmp_path: Path, kind: str) -> None:
    """Attack: a FIFO as the journal hung every curator command; a symlink to /dev/zero ended
    it in a MemoryError traceback. Expected: one line naming the journal, records as they were."""
    journal = project_copy.records / JOURNAL
    if kind == "fifo":
        os.mkfifo(journal)
    elif kind == "dev-zero":
        journal.symlink_to("/dev/zero")
    elif kind == "folder":
        journal.mkdir()
    else:
        with journal.open("wb") as out:
            out.truncate(64 * 1000 * 1000 + 1)
    before = snapshot(project_copy.records)
    result = CliRunner().invoke(main, ["retract", "10.9999/nonexistent", "--reason", "x",
                                       "--records", str(project_copy.records)])
    one_line_error(result, JOURNAL)
    assert snapshot(project_copy.records) == before


def test_a_planted_journal_fails_a_curator_command_in_one_line(project_copy,
                                                              tmp_path: Path) -> None:
    """The attack as reported: a journal moving a payload onto a file outside the records,
    then any curator command. Expected: one line, the outside file untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (project_copy.records / "payload.txt").write_text("attacker payload\n")
    (project_copy.records / JOURNAL).write_text(json.dumps([["payload.txt", str(victim)]]))
    result = CliRunner().invoke(main, ["retract", "10.9999/nonexistent", "--reason", "x",
                                       "--records", str(project_copy.records)])
    one_line_error(result, JOURNAL)
    assert victim.read_text() == "keep me\n"
