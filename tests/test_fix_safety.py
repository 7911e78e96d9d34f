"""`cleaner fix` never loses a file: atomic replace, permissions and newline style kept, a fixpoint,
and no write through a symlink that leads out of the working tree."""
from __future__ import annotations

import errno
import io
import os

import pytest

from cleaner.sinks import atomic

DIRTY = (
    "The harbour council met on Tuesday to approve the new ferry timetable for the summer.\n"
    "The caf\u00c3\u00a9 by the pier will stay open later on weekdays.\n"
    "\n"
    "Share this article\n"
    "Leave a Reply\n"
    "Your email address will not be published.\n"
)
CLEAN_MARK = "The caf\u00e9 by the pier"


def _write(path, text, newline="\n"):
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))


def test_fix_keeps_permissions_and_crlf(tmp_path, run_cli):
    f = tmp_path / "page.txt"
    _write(f, DIRTY, "\r\n")
    f.chmod(0o640)
    code, _, err = run_cli("fix", f)
    assert code == 1 and f"fixed {f}" in err
    data = f.read_bytes()
    text = data.decode("utf-8")
    assert CLEAN_MARK in text and "Share this article" not in text
    assert data.count(b"\r\n") == data.count(b"\n") > 0        # every line still CRLF
    assert (f.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]   # no temp file left


@pytest.mark.parametrize("text", [DIRTY, DIRTY.rstrip("\n"), DIRTY.replace("\n", "\n\n"), "&amp;amp;quot;x&rsqou;\n"])
def test_fixing_twice_equals_fixing_once(tmp_path, run_cli, text):
    f = tmp_path / "page.txt"
    _write(f, text)
    run_cli("fix", f)
    once = f.read_bytes()
    before = f.stat().st_mtime_ns
    code, _, err = run_cli("fix", f)
    assert code == 0, err
    assert f.read_bytes() == once
    assert f.stat().st_mtime_ns == before       # an unchanged file is not rewritten


def test_clean_file_is_left_alone(tmp_path, run_cli):
    f = tmp_path / "ok.txt"
    _write(f, "A plain report about the new library opening hours on weekdays and Saturdays.\n")
    ino = f.stat().st_ino
    code, _, _ = run_cli("fix", f)
    assert code == 0 and f.stat().st_ino == ino


def test_failed_write_leaves_the_file_whole(tmp_path, monkeypatch, run_cli):
    f = tmp_path / "page.txt"
    _write(f, DIRTY)
    original = f.read_bytes()

    class FullDisk(io.RawIOBase):
        def __init__(self, fd):
            self._f = io.FileIO(fd, "wb")

        def writable(self):
            return True

        def write(self, b):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def fileno(self):
            return self._f.fileno()

        def close(self):
            self._f.close()
            super().close()

    real = os.fdopen
    monkeypatch.setattr(atomic.os, "fdopen",
                        lambda fd, mode="r", *a, **k: io.BufferedWriter(FullDisk(fd), 16) if mode == "wb" else real(fd, mode, *a, **k))
    code, _, err = run_cli("fix", f)
    assert code != 0 and "Traceback" not in err
    assert f"{f}: cannot write: No space left on device" in err
    assert f.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.txt"]


def test_binary_and_missing_files_are_reported_not_touched(tmp_path, run_cli):
    b = tmp_path / "image.txt"
    b.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    code, _, err = run_cli("fix", b, tmp_path / "missing.txt")
    assert "Traceback" not in err
    assert f"cleaner: {b}: binary" in err and "missing.txt" in err
    assert b.read_bytes().startswith(b"\x89PNG")


def test_symlink_inside_the_tree_fixes_the_target_and_stays_a_link(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    target = tmp_path / "docs" / "page.txt"
    _write(target, DIRTY)
    link = tmp_path / "link.txt"
    link.symlink_to("docs/page.txt")
    code, _, _ = run_cli("fix", "link.txt")
    assert code == 1
    assert link.is_symlink() and os.readlink(link) == "docs/page.txt"
    assert CLEAN_MARK in target.read_text(encoding="utf-8")


def test_symlink_out_of_the_tree_is_not_followed(tmp_path, monkeypatch, run_cli):
    tree, outside = tmp_path / "repo", tmp_path / "elsewhere"
    tree.mkdir()
    outside.mkdir()
    secret = outside / "notes.txt"
    _write(secret, DIRTY)
    original = secret.read_bytes()
    (tree / "notes.txt").symlink_to(secret)
    (tree / "dirlink").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(tree)
    code, _, err = run_cli("fix", "notes.txt", "dirlink/notes.txt")
    assert secret.read_bytes() == original
    assert "outside the working tree" in err and "Traceback" not in err
    assert (tree / "notes.txt").is_symlink()
