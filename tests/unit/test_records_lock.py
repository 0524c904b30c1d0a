"""The curators' lock itself: the POSIX directory flock's refusals, and the Windows fallback
(a lock file beside the records folder), which runs on Linux too."""

from __future__ import annotations

import errno

import pytest

from dta_kg.curation import lock
from dta_kg.curation.lock import LockBusy, LockUnavailable


@pytest.fixture
def records(tmp_path):
    folder = tmp_path / "group-drive" / "records"
    folder.mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "group-drive")
    return folder


def test_the_fallback_lock_file_is_beside_the_folder_whatever_its_spelling(records, tmp_path):
    path = lock.sibling_lock_file(records)
    assert path == records.parent / ".records.dta-kg.lock"
    assert lock.sibling_lock_file(tmp_path / "link" / "records") == path
    assert lock.sibling_lock_file(records / ".." / "records") == path


def test_the_fallback_lock_refuses_a_second_holder_through_a_symlink(records, tmp_path):
    with lock.sibling_file_lock(records, timeout=0):
        with pytest.raises(LockBusy, match=r"link/records: another curator is writing"):
            with lock.sibling_file_lock(tmp_path / "link" / "records", timeout=0):
                pass
    with lock.sibling_file_lock(tmp_path / "link" / "records", timeout=0):
        pass  # released
    assert list(records.iterdir()) == []


def test_the_directory_lock_refuses_a_second_holder_through_a_symlink(records, tmp_path):
    with lock.directory_flock(records, timeout=0):
        with pytest.raises(LockBusy, match="try again when they are done"):
            with lock.directory_flock(tmp_path / "link" / "records", timeout=0):
                pass
    with lock.directory_flock(tmp_path / "link" / "records", timeout=0):
        pass
    assert list(records.parent.iterdir()) == [records]  # no file, inside or beside


def test_a_folder_that_cannot_be_opened_is_a_one_line_error(tmp_path):
    with pytest.raises(LockUnavailable) as refused:
        with lock.directory_flock(tmp_path / "missing", timeout=0):
            pass
    assert str(refused.value).startswith(f"{tmp_path / 'missing'}: cannot open the records "
                                          "folder to lock it (No such file or directory)")
    assert "\n" not in str(refused.value)


def test_a_file_system_without_flock_is_a_one_line_error(records, monkeypatch):
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(lock.fcntl, "flock", no_locks)
    with pytest.raises(LockUnavailable, match="supports flock") as refused:
        with lock.directory_flock(records, timeout=5):
            pass
    assert str(refused.value).startswith(f"{records}: cannot lock the records folder "
                                         "(No locks available)")
