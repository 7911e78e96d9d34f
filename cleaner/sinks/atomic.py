"""Atomic file output: write to a temporary file beside the target, fsync, then rename over it.

A killed run or a full disk therefore never leaves a half-written file at the target, and a
previous complete file stays intact until the new one is whole.
"""
from __future__ import annotations

import gzip
import io
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


class OutputError(OSError):
    """Writing the output failed; the message names the path and the reason."""


class _Writer:
    """The stream handed to the caller: a failed write names the target instead of a temp file."""

    def __init__(self, stream: BinaryIO, target: Path):
        self._stream, self._target = stream, target

    def write(self, data: bytes) -> int:
        try:
            return self._stream.write(data)
        except OSError as e:
            raise OutputError(f"{self._target}: cannot write: {e.strerror or e}") from None

    def flush(self) -> None:
        self._stream.flush()


@contextmanager
def atomic_output(path: str | Path, mode: int | None = None) -> Iterator[BinaryIO]:
    """A binary stream that becomes `path` only if the block finishes; `.gz`/`.zst` compress.

    An exception in the block discards the temporary file and propagates unchanged; a failure of
    the output itself (open, write, flush, rename) becomes an OutputError naming `path`.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise OutputError(f"{target}: cannot write: {e.strerror or e}") from None
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
        raw.close()
        if mode is not None:
            os.chmod(tmp, mode)
        elif target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except OSError as e:
        _discard(raw, tmp)
        raise OutputError(f"{target}: cannot write: {e.strerror or e}") from None


def _discard(raw: BinaryIO, tmp: str) -> None:
    try:
        raw.close()
    except OSError:
        pass
    try:
        os.unlink(tmp)
    except OSError:
        pass
