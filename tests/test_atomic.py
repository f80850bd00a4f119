"""Atomic writes (issue 22): data on the disk before the rename, and a group of files
that fails half-way through its renames leaves the previous files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audiostyle import atomic
from audiostyle.atomic import AtomicGroup, atomic_write_text
from audiostyle.errors import AudioError


def hidden(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("."))


def failing_rename_of(name: str, monkeypatch) -> None:
    """Make the rename that publishes ``name`` fail (EXDEV, as across file systems)."""
    real = atomic.os.replace

    def replace(src, dst):
        if Path(dst).name == name and Path(src).name.startswith(f".{name}."):
            raise OSError(18, "Invalid cross-device link")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)


def test_a_failed_later_rename_restores_the_files_already_renamed(tmp_path, monkeypatch):
    a, b, c = tmp_path / "a.wav", tmp_path / "b.toml", tmp_path / "c.json"
    a.write_text("old a")
    b.write_text("old b")  # c does not exist yet
    failing_rename_of("c.json", monkeypatch)
    group = AtomicGroup()
    for path in (a, b, c):
        group.add(path, lambda tmp, path=path: tmp.write_text(f"new {path.name}"))
    with pytest.raises(AudioError, match="c.json.*cross-device.*nothing was written"):
        group.commit()
    assert a.read_text() == "old a" and b.read_text() == "old b" and not c.exists()
    assert hidden(tmp_path) == []


def test_a_failed_rename_removes_new_files_that_had_no_previous_version(tmp_path, monkeypatch):
    a, b = tmp_path / "a.wav", tmp_path / "b.json"
    failing_rename_of("b.json", monkeypatch)
    group = AtomicGroup()
    group.add(a, lambda tmp: tmp.write_text("new a"))
    group.add(b, lambda tmp: tmp.write_text("new b"))
    with pytest.raises(AudioError, match="nothing was written"):
        group.commit()
    assert not a.exists() and not b.exists() and hidden(tmp_path) == []


def test_a_rollback_that_fails_too_says_which_files_were_replaced(tmp_path, monkeypatch):
    a, b = tmp_path / "a.wav", tmp_path / "b.json"
    a.write_text("old a")
    real = atomic.os.replace

    def replace(src, dst):
        if Path(dst).name == "b.json" or Path(src).name.endswith(".bak"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    group = AtomicGroup()
    group.add(a, lambda tmp: tmp.write_text("new a"))
    group.add(b, lambda tmp: tmp.write_text("new b"))
    with pytest.raises(AudioError, match=r"already replaced and not restored: .*a\.wav"):
        group.commit()
    assert a.read_text() == "new a" and not b.exists() and hidden(tmp_path) == []


def test_success_leaves_no_backup_and_replaces_every_file(tmp_path):
    a, b = tmp_path / "a.wav", tmp_path / "b.json"
    a.write_text("old a")
    group = AtomicGroup()
    group.add(a, lambda tmp: tmp.write_text("new a"))
    group.add(b, lambda tmp: tmp.write_text("new b"))
    assert group.commit() == [a, b]
    assert a.read_text() == "new a" and b.read_text() == "new b" and hidden(tmp_path) == []


@pytest.mark.parametrize("how", ["group", "single"])
def test_the_file_is_synced_before_its_rename_and_the_directory_after(tmp_path, monkeypatch, how):
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, atomic.os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst):
        events.append(("replace", str(dst)))
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    target = tmp_path / "out.txt"
    if how == "group":
        group = AtomicGroup()
        group.add(target, lambda tmp: tmp.write_text("x"))
        group.commit()
    else:
        atomic_write_text(target, "x")
    kinds = [(kind, Path(name).name) for kind, name in events]
    assert kinds[1] == ("replace", "out.txt"), events
    assert kinds[0][0] == "fsync" and kinds[0][1].startswith(".out.txt."), events
    assert events[2] == ("fsync", str(tmp_path)), events
