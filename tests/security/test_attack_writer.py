"""Issue 21, section 1: one writer for every output. Generated spellings of paths into, onto
and above the records folder and the build's stores, symlinks planted at and inside outputs,
folders dta-kg did not write, and failures that must leave no trace."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.project import snapshot

from dta_kg.core.errors import OutputError
from dta_kg.core.files import (
    MARKER,
    guarded,
    records_guard,
    write_atomic,
    write_file,
    write_folder,
)

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def tree(root: Path) -> dict[str, str]:
    """Every entry below `root` (links as links), to prove nothing was added or removed."""
    out = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder, name)
            out[str(path.relative_to(root))] = "link" if path.is_symlink() else \
                "dir" if path.is_dir() else path.read_bytes().hex() if path.is_file() else "other"
    return out


@pytest.fixture
def land(tmp_path: Path) -> Path:
    """root/home/recs (a records folder with studies), root/home/out (a free folder), and
    root/elsewhere/{to-recs, to-home, to-root} symlinks leading back in."""
    root = tmp_path / "root"
    recs = root / "home" / "recs"
    (recs / "studies").mkdir(parents=True)
    (recs / "review.yaml").write_text("doi: 10.2196/x\n")
    (recs / "studies" / "a.yaml").write_text("doi: 10.1/a\n")
    (root / "home" / "out").mkdir()
    links = root / "elsewhere"
    links.mkdir()
    (links / "to-recs").symlink_to(recs)
    (links / "to-home").symlink_to(root / "home")
    (links / "to-root").symlink_to(root)
    return root


# A spot is a list of names below root; each is spelled by a random route there.
GUARDED_SPOTS = [["home", "recs"], ["home", "recs", "studies"], ["home", "recs", "review.yaml"],
                 ["home", "recs", "studies", "a.yaml"], ["home", "recs", "studies", "new.yaml"],
                 ["home", "recs", "new"], ["home"], []]
FREE_SPOTS = [["home", "out", "x.ttl"], ["home", "out", "site"], ["home", "new.ttl"],
              ["elsewhere", "file.ttl"]]
ALIASES = {("home", "recs"): "elsewhere/to-recs", ("home",): "elsewhere/to-home",
           (): "elsewhere/to-root"}


@st.composite
def spelling(draw: st.DrawFn, spot: list[str]) -> str:
    """A path to `spot` (names below root), relative to root: through symlinked folders,
    with `.`, `name/..` detours, doubled and trailing slashes."""
    parts: list[str] = []
    i = 0
    while i <= len(spot):
        prefix = tuple(spot[:i])
        if prefix in ALIASES and draw(st.booleans()):
            parts = [ALIASES[prefix]]
        if i == len(spot):
            break
        if draw(st.integers(0, 3)) == 0:
            parts.append(".")
        if i < len(spot) - 1 and draw(st.integers(0, 3)) == 0:
            parts += [spot[i], ".."]  # into the next folder and back out
        parts.append(spot[i])
        i += 1
    text = "/".join(parts) or "."
    if draw(st.booleans()):
        text = text.replace("/", "//", 1)
    if draw(st.booleans()) and not text.endswith((".yaml", ".ttl")):
        text += "/"
    return text


def in_root(root: Path, text: str) -> Path:
    """The spelled path, absolute or relative to the working folder (root), at random."""
    return Path(text) if text.startswith("/") else root / text


@SETTINGS
@given(data=st.data())
def test_no_spelling_of_a_guarded_place_is_written(land: Path, data: st.DataObject,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: an output path naming the records folder, a record, a folder inside it or a
    folder holding it, spelled through symlinks, `..` detours, `.`, doubled and trailing
    slashes, relative or absolute. Expected: every write (file or folder) is refused with an
    OutputError and nothing at all changes under root."""
    monkeypatch.chdir(land)
    recs = land / "home" / "recs"
    spot = data.draw(st.sampled_from(GUARDED_SPOTS))
    text = data.draw(spelling(spot))
    path = Path(text) if data.draw(st.booleans()) else land / text
    before = tree(land)
    with guarded([records_guard(recs)]):
        for write in (lambda: write_atomic(path, b"evil"),
                      lambda: write_folder(path, lambda f: (f / "x").write_text("evil")),
                      lambda: write_file(path, lambda t: t.write_text("evil"))):
            with pytest.raises(OutputError):
                write()
    assert tree(land) == before


@SETTINGS
@given(data=st.data())
def test_every_spelling_of_a_free_place_is_written(land: Path, data: st.DataObject,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The same spellings of places beside the records (not in, on or above them) are
    written: the guard refuses by where a path leads, not by how it looks."""
    monkeypatch.chdir(land)
    recs = land / "home" / "recs"
    spot = data.draw(st.sampled_from(FREE_SPOTS))
    text = data.draw(spelling(spot)).rstrip("/")
    path = Path(text) if data.draw(st.booleans()) else land / text
    records = snapshot(recs)
    real = Path(os.path.realpath(path))
    with guarded([records_guard(recs)]):
        if spot[-1] == "site":
            write_folder(path, lambda f: (f / "index.html").write_text("ok"))
            assert (real / "index.html").read_text() == "ok" and (real / MARKER).is_file()
        else:
            write_atomic(path, b"ok")
            assert real.read_bytes() == b"ok"
    assert snapshot(recs) == records
    assert not [p for p in real.parent.iterdir() if ".new-" in p.name or p.name.endswith(".tmp")]


def test_a_bind_mount_of_the_records_is_the_records(land: Path, tmp_path: Path) -> None:
    """Attack: the records folder reached through a bind mount, whose path shares nothing
    with the records' path. Expected: refused, by device and inode."""
    alias = tmp_path / "mounted"
    alias.mkdir()
    if os.geteuid() != 0 or os.system(f"mount --bind {land / 'home'} {alias} 2>/dev/null") != 0:
        if os.environ.get("DTA_KG_REQUIRE_SERVICES") == "1":
            pytest.fail("cannot bind-mount as required")
        pytest.skip("bind mounts need root")
    try:
        before = tree(land / "home")
        with guarded([records_guard(land / "home" / "recs")]):
            for path in (alias / "recs" / "review.yaml", alias / "recs" / "studies" / "z.yaml"):
                with pytest.raises(OutputError, match="inside the records folder"):
                    write_atomic(path, b"evil")
            with pytest.raises(OutputError):
                write_folder(alias / "recs", lambda f: None)
        assert tree(land / "home") == before
    finally:
        os.system(f"umount {alias}")


def _old_site(folder: Path) -> None:
    write_folder(folder, lambda f: [(f / "sub").mkdir(), (f / "index.html").write_text("v1"),
                                    (f / "sub" / "page.html").write_text("v1")])


PLANTS: dict[str, Callable[[Path, Path], None]] = {
    "listed file -> record": lambda out, recs: (
        (out / "index.html").unlink(), (out / "index.html").symlink_to(recs / "review.yaml")),
    "listed file -> records folder": lambda out, recs: (
        (out / "index.html").unlink(), (out / "index.html").symlink_to(recs)),
    "subfolder -> records": lambda out, recs: (
        (out / "sub" / "page.html").unlink(), (out / "sub").rmdir(), (out / "sub").symlink_to(recs)),
    "new link inside": lambda out, recs: (out / "sub" / "import.sh").symlink_to(recs / "review.yaml"),
    "dangling link": lambda out, recs: (out / "gone").symlink_to(out / "nowhere"),
    "foreign file": lambda out, recs: (out / "notes.txt").write_text("mine"),
    "foreign folder": lambda out, recs: (out / "drafts").mkdir(),
    "marker -> record": lambda out, recs: (
        (out / MARKER).unlink(), (out / MARKER).symlink_to(recs / "review.yaml")),
    "marker removed": lambda out, recs: (out / MARKER).unlink(),
    "marker garbage": lambda out, recs: (out / MARKER).write_text("[1, 2"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_an_output_folder_with_anything_planted_is_refused(land: Path, plant: str) -> None:
    """Attack: an earlier output folder where someone replaced a file or folder dta-kg wrote
    by a symlink (to a record, to the records), added a link, a file or a folder, or forged
    or removed the marker. Expected: the next write refuses with one line; the records and
    the planted entries stay as they are."""
    recs, out = land / "home" / "recs", land / "home" / "out" / "site"
    _old_site(out)
    PLANTS[plant](out, recs)
    before = tree(land)
    with guarded([records_guard(recs)]), pytest.raises(OutputError, match=str(out)):
        write_folder(out, lambda f: (f / "index.html").write_text("v2"))
    assert tree(land) == before


def test_an_old_output_is_replaced_by_its_list_and_a_hardlink_only_loses_its_name(land: Path):
    """A file dta-kg listed that is now a hard link to a record is only unlinked: the
    record's bytes stay. Files the new output no longer has are removed; nothing else."""
    recs, out = land / "home" / "recs", land / "home" / "out" / "site"
    _old_site(out)
    (out / "sub" / "page.html").unlink()
    os.link(recs / "review.yaml", out / "sub" / "page.html")
    records = snapshot(recs)
    with guarded([records_guard(recs)]):
        write_folder(out, lambda f: (f / "index.html").write_text("v2"))
    assert snapshot(recs) == records
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("make", ["symlink to record", "symlink to a free file", "dangling",
                                  "fifo", "folder"])
def test_a_file_output_is_never_written_through_what_sits_there(land: Path, make: str) -> None:
    """Attack: `-o out/import.sh` where out/import.sh is a symlink (to a record, to another
    file, to nothing), a pipe or a folder. Expected: refused; the link and its target stay."""
    recs = land / "home" / "recs"
    target = land / "home" / "out" / "import.sh"
    free = land / "home" / "out" / "free.txt"
    free.write_text("free")
    {"symlink to record": lambda: target.symlink_to(recs / "review.yaml"),
     "symlink to a free file": lambda: target.symlink_to(free),
     "dangling": lambda: target.symlink_to(land / "nowhere"),
     "fifo": lambda: os.mkfifo(target),
     "folder": lambda: target.mkdir()}[make]()
    before = tree(land)
    with guarded([records_guard(recs)]):
        with pytest.raises(OutputError):
            write_atomic(target, b"#!/bin/sh\n")
        with pytest.raises(OutputError):
            write_file(target, lambda t: t.write_text("x"))
    assert tree(land) == before


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_missing_parents_are_an_error_unless_asked_and_unmade_on_failure(tmp_path: Path,
                                                                         depth: int) -> None:
    """`-o /nonexistent/dir/x.ttl` is an error, as with cp; asked to make parents, a write
    that then fails removes the folders it made. Nothing is left either way."""
    target = tmp_path.joinpath(*[f"d{i}" for i in range(depth)], "x.ttl")
    with pytest.raises(OutputError, match="does not exist"):
        write_atomic(target, b"x")
    with pytest.raises(OutputError, match="does not exist"):
        write_folder(target, lambda f: None)

    def fail(_: Path) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left"):
        write_file(target, fail, parents=True)
    with pytest.raises(OutputError, match="No space left"):
        write_folder(target, fail, parents=True)
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, b"x", parents=True)
    assert target.read_bytes() == b"x"


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt(),
                                     ValueError("bad value")])
def test_a_failing_write_leaves_the_old_output_and_no_temporary_file(tmp_path: Path,
                                                                     failure: BaseException):
    """A failure halfway (a full disk, Ctrl-C, a bug) leaves the old file and the old folder
    whole, and no temporary file or folder beside them."""
    old_file, old_folder = tmp_path / "x.ttl", tmp_path / "site"
    old_file.write_bytes(b"old")
    _old_site(old_folder)
    before = tree(tmp_path)

    def fail(path: Path) -> None:
        path.write_text("half")
        raise failure

    for write in (lambda: write_file(old_file, fail), lambda: write_folder(old_folder, fail)):
        with pytest.raises((OutputError, KeyboardInterrupt, ValueError)):
            write()
        assert tree(tmp_path) == before


@pytest.mark.parametrize("old", [True, False], ids=["over an old output", "new"])
def test_a_temporary_folder_swapped_for_a_symlink_during_the_fill_redirects_nothing(
        land: Path, old: bool) -> None:
    """Attack: a process that can write the output's parent renames the folder being filled
    away and puts a symlink to the records in its place, while the fill runs (it was filled
    by path). Expected: the fill still lands in its own folder, which becomes the output; the
    records stay byte-identical."""
    recs, out = land / "home" / "recs", land / "home" / "out" / "site"
    if old:
        _old_site(out)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
    records = snapshot(recs)

    def fill(folder: Path) -> None:
        for entry in list(out.parent.iterdir()):
            if entry.name.startswith(".") and entry.is_dir() and not entry.is_symlink():
                entry.rename(out.parent / f"moved{entry.name}")
                entry.symlink_to(recs)
        (folder / "review.yaml").write_text("overwritten")
        (folder / "index.html").write_text("v2")

    with guarded([records_guard(recs)]):
        write_folder(out, fill)
    assert snapshot(recs) == records
    assert (out / "index.html").read_text() == "v2" and not out.is_symlink()
