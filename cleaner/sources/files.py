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

from cleaner.config import Options
from cleaner.sources import EXTENSIONS, InputError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
PARQUET_MAGIC = b"PAR1"
COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd")
DEFAULT_MAX_BYTES = Options.max_bytes   # per text/HTML file, per JSONL line (the run's default)


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
    except Exception:   # unreadable, truncated or corrupt: reading it later reports why
        return "text"
    return kind_of_head(head)


def kind_of_head(head: bytes) -> str:
    """Kind from the first (decompressed) bytes of an input: Parquet, WARC, HTML, JSONL, else text."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
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


# Whole-document kinds are capped per file; line kinds per line (a JSONL file may be any size, one
# record may not); WARC files are streamed record by record and only the bomb ratio guard applies.
PER_LINE_KINDS = ("jsonl", "urls")
UNCAPPED_KINDS = ("warc",)
# The bomb guard for compressed inputs: past BOMB_FLOOR decompressed bytes, more than BOMB_RATIO
# times the compressed bytes read so far is refused. Text compresses 3-10x, repetitive HTML or JSONL
# 20-50x; gzip's own maximum is about 1030x, which is what a bomb uses.
BOMB_FLOOR = 16 * 1024 * 1024
BOMB_RATIO = 200


def _mib(n: int) -> str:
    return f"{n / (1 << 20):g} MiB" if n >= 1 << 20 else f"{n} bytes"


class _CappedReader(io.RawIOBase):
    """Reads `inner` and raises InputError as soon as a limit is passed (the bomb guard).

    limit       decompressed bytes for the whole input (None: no cap)
    line_limit  bytes between two newlines (None: no cap)
    raw         the compressed file under `inner`, for the compression-ratio guard (None: not compressed)
    """

    def __init__(self, inner: BinaryIO, limit: int | None, source: str, *, line_limit: int | None = None,
                 raw: BinaryIO | None = None):
        self.inner, self.limit, self.source, self.count = inner, limit, source, 0
        self.line_limit, self.line, self.raw = line_limit, 0, raw
        self.file: BinaryIO | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = self.inner.readinto(b)
        if not n:
            return 0
        self.count += n
        if self.limit is not None and self.count > self.limit:
            raise InputError(self.source, f"decompressed size exceeds the limit of {_mib(self.limit)} "
                                          f"(--max-bytes); stopped after {self.count} bytes", "too-large")
        if self.line_limit is not None:
            nl = bytes(memoryview(b)[:n]).rfind(b"\n")
            self.line = n - nl - 1 if nl >= 0 else self.line + n
            if self.line > self.line_limit:
                raise InputError(self.source, f"a line exceeds the limit of {_mib(self.line_limit)} "
                                              f"(--max-bytes); stopped after {self.count} bytes", "too-large")
        if self.raw is not None and self.count > BOMB_FLOOR:
            packed = max(1, self.raw.tell())
            if self.count > BOMB_RATIO * packed:
                raise InputError(self.source, f"compression bomb: {self.count} bytes inflated from {packed} "
                                              f"(over {BOMB_RATIO}x past {_mib(BOMB_FLOOR)}); stopped", "too-large")
        return n

    def close(self) -> None:
        try:
            self.inner.close()
            if self.file is not None:
                self.file.close()
        finally:
            super().close()


def open_input(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES, source: str | None = None, *,
               kind: str | None = None) -> BinaryIO:
    """Open `path` for reading bytes, decompressing gzip/zstd by magic bytes, with the size limits.

    `max_bytes` caps the decompressed bytes of the file, or of each line for line kinds (JSONL, URL
    lists); WARC is not capped by size. Compressed input is also refused when it inflates like a bomb.
    """
    source = source or str(path)
    try:
        raw = open(path, "rb")
    except IsADirectoryError:
        raise InputError(source, "is a directory", "unreadable") from None
    except FileNotFoundError:
        raise InputError(source, "no such file", "unreadable") from None
    except OSError as e:
        raise InputError(source, f"cannot open: {e.strerror or e}", "unreadable") from None
    return open_stream(raw, max_bytes, source, kind=kind)


def open_stream(raw: BinaryIO, max_bytes: int | None, source: str, *, kind: str | None = None) -> BinaryIO:
    """`open_input` for a file already open (a seekable binary file, e.g. a remote one through fsspec)."""
    magic = raw.read(4)
    raw.seek(0)
    inner: BinaryIO
    compressed: BinaryIO | None = raw
    if magic.startswith(GZIP_MAGIC):
        inner = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif magic.startswith(ZSTD_MAGIC):
        import zstandard

        inner = zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)  # type: ignore[assignment]
    else:
        inner, compressed = raw, None
    if max_bytes is not None and max_bytes <= 0:
        max_bytes = None
    per_line = kind in PER_LINE_KINDS
    capped = _CappedReader(inner, None if per_line or kind in UNCAPPED_KINDS else max_bytes, source,
                           line_limit=max_bytes if per_line else None, raw=compressed)
    capped.file = raw          # GzipFile does not close the file it was given
    return io.BufferedReader(capped, buffer_size=1 << 16)  # type: ignore[return-value]


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
