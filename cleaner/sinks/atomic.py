"""Atomic file output: write to a temporary file beside the target, fsync, then rename over it.

A killed run or a full disk therefore never leaves a half-written file at the target, and a
previous complete file stays intact until the new one is whole.

The temporary file is `.NAME.RANDOM.part` in the target's folder, locked (flock) while it is being
written: `remove_stale_temps` deletes the leftovers of killed writers and never a live one.

`output_lock(path)` is the lock of one output for a whole run (`.NAME.lock` beside it, holding the
writer's pid): a second run that would write the same output fails at once instead of deleting the
first one's checkpoint and temporary files.
"""
from __future__ import annotations

import fcntl
import gzip
import io
import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

TEMP_SUFFIX = ".part"


class OutputError(OSError):
    """Writing the output failed; the message names the path and the reason."""


class OutputBusy(OutputError):
    """Another live process holds the output's lock."""


def write_error(target: str | Path, e: OSError) -> OutputError:
    """The OutputError for a failed write of `target`: `PATH: cannot write: REASON`, one line (an
    OSError without a message of its own, as pyarrow raises, is named by its errno)."""
    reason = e.strerror or (os.strerror(e.errno) if e.errno else (str(e).split("\n")[0] or type(e).__name__))
    return OutputError(f"{target}: cannot write: {reason}")


class _Writer:
    """The stream handed to the caller: a failed write names the target instead of a temp file."""

    def __init__(self, stream: BinaryIO, target: Path):
        self._stream, self._target = stream, target

    def write(self, data: bytes) -> int:
        try:
            return self._stream.write(data)
        except OSError as e:
            raise write_error(self._target, e) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            raise write_error(self._target, e) from None


def lock_path(target: str | Path) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.lock"


@contextmanager
def output_lock(path: str | Path, shown: str | None = None) -> Iterator[None]:
    """Hold the lock of output `path` for the block; OutputBusy (naming `shown`, else `path`) when
    another writer holds it (flock: another process, or another open of the same output here).

    The lock file is removed on release while still locked; a process that opened it before then
    finds a different file at the path and tries again.
    """
    lock = lock_path(path)
    fd = _take_lock(lock, shown or str(path))
    try:
        yield
    finally:
        try:
            os.unlink(lock)
        except OSError:
            pass
        os.close(fd)


def _take_lock(lock: Path, target: str) -> int:
    for _ in range(10):
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as e:
            raise write_error(target, e) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                pid = os.read(fd, 32).decode("ascii", "replace").strip()
            except OSError:
                pid = ""
            os.close(fd)
            raise OutputBusy(f"{target}: another run of cleaner is writing this output"
                             + (f" (pid {pid})" if pid.isdigit() else "")) from None
        except OSError:
            return fd                    # a file system without locks: run unguarded, as before
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except OSError:
            same = False
        if not same:                     # released and removed meanwhile: lock the new file
            os.close(fd)
            continue
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd
    raise OutputBusy(f"{target}: another run of cleaner is writing this output")


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back for the block (a commit of several files): they land after it."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def remove_stale_temps(target: str | Path) -> int:
    """Delete temporary files that killed writers left beside `target`; returns how many.

    A temp file whose lock can be taken has no live writer. Files that cannot be opened are left.
    """
    target = Path(target)
    n = 0
    for tmp in target.parent.glob(f".{target.name}.*{TEMP_SUFFIX}"):
        try:
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)          # a live writer holds it
            continue
        try:
            os.unlink(tmp)
            n += 1
        except OSError:
            pass
        finally:
            os.close(fd)
    return n


@contextmanager
def atomic_output(path: str | Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary stream that becomes `path` only if the block finishes; `.gz`/`.zst` compress.

    An exception in the block discards the temporary file and propagates unchanged; a failure of
    the output itself (open, write, flush, rename) becomes an OutputError naming `path`.
    `mode` sets the permissions of the result; by default an existing target's are kept.
    """
    target = Path(path)
    fd, tmp = _locked_temp(target)
    raw = os.fdopen(fd, "wb")
    name = target.name.lower()
    stream: BinaryIO
    if name.endswith(".gz"):
        stream = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)  # type: ignore[assignment]
    elif name.endswith((".zst", ".zstd")):
        import zstandard

        stream = zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False)  # type: ignore[assignment]
    else:
        stream = raw
    buffered = io.BufferedWriter(stream, buffer_size=1 << 20) if stream is not raw else raw  # type: ignore[arg-type]
    try:
        yield _Writer(buffered, target)  # type: ignore[misc]
    except BaseException:
        _discard(raw, tmp)
        raise
    try:
        buffered.flush()
        if stream is not raw:
            stream.close()
        raw.flush()
        os.fsync(raw.fileno())
        _set_mode(tmp, target, mode)
        os.replace(tmp, target)
        raw.close()
    except OSError as e:
        _discard(raw, tmp)
        raise write_error(target, e) from None
    _fsync_dir(target.parent)


@contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """A temporary path that becomes `path` only if the block finishes (for writers that open files
    by name themselves, such as pyarrow's Parquet writer). Same guarantees as `atomic_output`."""
    target = Path(path)
    fd, tmp = _locked_temp(target)      # the writer reopens the same inode; the lock stays with fd
    raw = os.fdopen(fd, "rb")
    try:
        yield tmp
    except BaseException:
        _discard(raw, tmp)
        raise
    try:
        wfd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(wfd)
        finally:
            os.close(wfd)
        _set_mode(tmp, target, None)
        os.replace(tmp, target)
        raw.close()
    except OSError as e:
        _discard(raw, tmp)
        raise write_error(target, e) from None
    _fsync_dir(target.parent)


def _locked_temp(target: Path) -> tuple[int, str]:
    """A new temporary file beside `target` (stale ones of earlier runs swept first), locked while open."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as e:
        raise write_error(target, e) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed
    except OSError:
        pass                            # a file system without locks: stale temps are just kept
    return fd, tmp


def _set_mode(tmp: str, target: Path, mode: int | None) -> None:
    """Permissions of the result: `mode`, else an existing target's, else the umask's default."""
    if mode is not None:
        os.chmod(tmp, mode)
    elif target.exists():
        os.chmod(tmp, target.stat().st_mode & 0o7777)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (best effort: not every file system lets a folder be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _discard(raw: BinaryIO, tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
    try:
        raw.close()
    except (OSError, ValueError):
        pass
