"""Finding inputs (files, directories, globs, URLs), telling their kind, and opening them decompressed.

Compression is told by magic bytes, not by name; the decompressed stream is capped so that a
compression bomb stops early instead of filling memory or disk.
"""
from __future__ import annotations

import glob
import gzip
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from cleaner.sources import EXTENSIONS, InputError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd")
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Input:
    """One input to read: a local path (with the name to show) or a URL."""

    path: Path | None
    display: str
    kind: str
    url: str | None = None


def is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def kind_of(name: str) -> str | None:
    """Kind from the extension, looking through a compression suffix: `page.html.gz` is html."""
    low = name.lower()
    for suf in COMPRESSED_SUFFIXES:
        if low.endswith(suf):
            low = low[: -len(suf)]
            break
    return EXTENSIONS.get(os.path.splitext(low)[1])


def sniff_kind(path: Path) -> str:
    """Kind of a file whose name says nothing: look at its first bytes."""
    try:
        with open_input(path, max_bytes=1 << 20) as f:
            head = f.read(4096)
    except (OSError, InputError):
        return "text"
    stripped = head.lstrip()
    low = stripped[:200].lower()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
        return "html"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"


def expand_inputs(args: Iterable[str]) -> Iterator[Input]:
    """Files as given, directories recursed in sorted order, globs expanded (sorted), URLs kept."""
    for arg in args:
        if is_url(arg):
            yield Input(None, arg, "url", url=arg)
            continue
        p = Path(arg)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    fp = Path(root) / name
                    kind = kind_of(name)
                    if kind is None:
                        continue   # a directory may hold stats, notes…: only known kinds are read
                    yield Input(fp, str(fp), kind)
        elif p.exists() or not glob.has_magic(arg):
            yield Input(p, arg, kind_of(p.name) or (sniff_kind(p) if p.is_file() else "text"))
        else:
            for m in sorted(glob.glob(arg, recursive=True)):
                mp = Path(m)
                if mp.is_file():
                    yield Input(mp, m, kind_of(mp.name) or sniff_kind(mp))


class _CappedReader(io.RawIOBase):
    """Reads at most `limit` bytes from `inner`, then raises InputError (the bomb guard)."""

    def __init__(self, inner: BinaryIO, limit: int, source: str):
        self.inner, self.limit, self.source, self.count = inner, limit, source, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = self.inner.readinto(b) if hasattr(self.inner, "readinto") else 0
        self.count += n
        if self.count > self.limit:
            raise InputError(self.source, f"decompressed size exceeds the limit of {self.limit} bytes", "too-large")
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_input(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None) -> BinaryIO:
    """Open `path` for reading bytes, decompressing gzip/zstd by magic bytes, capped at `max_bytes`."""
    source = source or str(path)
    try:
        raw = open(path, "rb")
    except IsADirectoryError:
        raise InputError(source, "is a directory", "unreadable") from None
    except FileNotFoundError:
        raise InputError(source, "no such file", "unreadable") from None
    except OSError as e:
        raise InputError(source, f"cannot open: {e.strerror or e}", "unreadable") from None
    magic = raw.read(4)
    raw.seek(0)
    inner: BinaryIO
    if magic.startswith(GZIP_MAGIC):
        inner = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif magic.startswith(ZSTD_MAGIC):
        import zstandard

        inner = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)  # type: ignore[assignment]
    else:
        inner = raw
    return io.BufferedReader(_CappedReader(inner, max_bytes, source), buffer_size=1 << 16)  # type: ignore[return-value]


def read_all(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, source: str | None = None) -> bytes:
    """The whole decompressed content, with truncated or corrupt compression reported as InputError."""
    source = source or str(path)
    try:
        with open_input(path, max_bytes, source) as f:
            return f.read()
    except InputError:
        raise
    except (EOFError, gzip.BadGzipFile, OSError) as e:
        raise InputError(source, f"corrupt or truncated compressed data ({type(e).__name__}: {e})", "corrupt") from None
    except Exception as e:  # zstandard.ZstdError and friends
        raise InputError(source, f"corrupt compressed data ({type(e).__name__}: {e})", "corrupt") from None
