"""Write errors (disk full, permission denied) end the run with one clear line and a non-zero exit,
and leave any previous corpus at `-o` intact (no half-written file, no temp file left behind)."""
from __future__ import annotations

import errno
import io
import os
import tempfile

import pytest

from conftest import SEEDS
from cleaner.sinks import atomic
from cleaner.sinks.atomic import OutputError, atomic_output, remove_stale_temps

PREVIOUS = b'{"id": "previous", "text": "the corpus of the last good run"}\n'


class _FullDisk(io.RawIOBase):
    """A file that accepts `room` bytes, then fails like a full disk."""

    def __init__(self, fd: int, room: int):
        self._f = io.FileIO(fd, "wb")
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        if len(b) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(b)
        return self._f.write(b)

    def fileno(self) -> int:
        return self._f.fileno()

    def close(self) -> None:
        self._f.close()
        super().close()


def _disk_full_after(monkeypatch, room: int) -> None:
    real = os.fdopen

    def fdopen(fd, mode="r", *a, **k):
        if mode == "wb":
            return io.BufferedWriter(_FullDisk(fd, room), buffer_size=64)
        return real(fd, mode, *a, **k)

    monkeypatch.setattr(atomic.os, "fdopen", fdopen)


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".part", ".tmp")))


def _previous_corpus(tmp_path):
    out = tmp_path / "out" / "corpus.jsonl"
    out.parent.mkdir()
    out.write_bytes(PREVIOUS)
    return out


@pytest.mark.parametrize("room", [0, 500])
def test_disk_full_during_the_run_keeps_the_previous_corpus(tmp_path, monkeypatch, run_cli, room):
    out = _previous_corpus(tmp_path)
    _disk_full_after(monkeypatch, room)
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-j", "1", "--quiet", "--dedup", "none")
    assert code != 0
    assert out.read_bytes() == PREVIOUS
    assert _leftovers(out.parent) == []
    lines = [l for l in err.splitlines() if l.strip()]
    assert "Traceback" not in err
    assert lines[-1] == f"cleaner: {out}: cannot write: No space left on device", err


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /proc")
def test_disk_full_at_fsync_keeps_the_previous_corpus(tmp_path, monkeypatch, run_cli):
    out = _previous_corpus(tmp_path)

    real = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".part"):     # only the corpus temp file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-j", "1", "--quiet")
    assert code != 0 and "Traceback" not in err
    assert out.read_bytes() == PREVIOUS
    assert _leftovers(out.parent) == []
    assert err.strip().splitlines()[-1] == f"cleaner: {out}: cannot write: No space left on device"


def test_disk_full_in_the_checkpoint_spool_names_the_file(tmp_path, monkeypatch, run_cli):
    out = _previous_corpus(tmp_path)

    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-j", "1", "--quiet")
    assert code != 0 and "Traceback" not in err
    assert out.read_bytes() == PREVIOUS
    last = err.strip().splitlines()[-1]
    assert last.startswith(f"cleaner: {out}") and "No space left on device" in last


def test_permission_denied_is_one_line(tmp_path, monkeypatch, run_cli):
    """Simulated (the suite may run as root, which ignores folder permissions)."""
    out = _previous_corpus(tmp_path)

    def mkstemp(*a, **k):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-j", "1", "--quiet")
    assert code != 0 and "Traceback" not in err
    assert out.read_bytes() == PREVIOUS
    assert err.strip().splitlines()[-1] == f"cleaner: {out}: cannot write: Permission denied"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_output_folder(tmp_path, run_cli):
    out = _previous_corpus(tmp_path)
    out.parent.chmod(0o555)
    try:
        code, _, err = run_cli("clean", SEEDS, "-o", out, "-j", "1", "--quiet")
    finally:
        out.parent.chmod(0o755)
    assert code != 0 and "Traceback" not in err
    assert out.read_bytes() == PREVIOUS
    assert "Permission denied" in err.strip().splitlines()[-1]


def test_failed_block_discards_and_keeps_target(tmp_path):
    target = tmp_path / "c.jsonl.gz"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as f:
            f.write(b"new data")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old" and _leftovers(tmp_path) == []


def test_write_error_names_the_target(tmp_path, monkeypatch):
    _disk_full_after(monkeypatch, 0)
    target = tmp_path / "c.jsonl"
    with pytest.raises(OutputError, match=rf"^{target}: cannot write: No space left on device$"):
        with atomic_output(target) as f:
            f.write(b"x" * 10_000)
    assert not target.exists() and _leftovers(tmp_path) == []


def test_stale_temps_removed_but_never_a_live_one(tmp_path):
    target = tmp_path / "c.jsonl"
    stale = tmp_path / ".c.jsonl.abc123.part"
    stale.write_bytes(b"left by a killed run")
    with atomic_output(target) as f:
        f.write(b"one\n")
        assert not stale.exists()                     # swept when the writer started
        live = _leftovers(tmp_path)
        assert len(live) == 1
        assert remove_stale_temps(target) == 0        # the live one is locked: kept
        assert _leftovers(tmp_path) == live
        f.write(b"two\n")
    assert target.read_bytes() == b"one\ntwo\n" and _leftovers(tmp_path) == []


def test_permissions_of_an_existing_target_are_kept(tmp_path):
    target = tmp_path / "c.jsonl"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with atomic_output(target) as f:
        f.write(b"new")
    assert target.read_bytes() == b"new" and (target.stat().st_mode & 0o777) == 0o640
