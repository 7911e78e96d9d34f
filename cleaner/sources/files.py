"""Finding inputs (files, directories, globs, URLs), telling their kind, and opening them decompressed.

Every file under an input folder is read or skipped with its reason (a Failure, so both engines
count it and the summary shows it): a name with no known extension is sniffed (HTML, WARC, JSON,
JSONL, Parquet, else text; binary data is skipped); hidden files and folders, symlinks that lead
out of the folders the user named, named pipes, sockets and devices, and unreadable folders are
skipped, one line each. Symlinked folders are never followed (no loops): when they point inside the
named folders their files are read where they really are. The run's own outputs (`Walk`) are left
out without a word: they are not the user's inputs.

Compression is told by magic bytes, not by name; the decompressed stream is capped so that a
compression bomb stops early instead of filling memory or disk.
"""
from __future__ import annotations

import glob
import gzip
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from cleaner.config import Options
from cleaner.sources import EXTENSIONS, Failure, InputError

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
    """Kind of a file whose name says nothing: look at its first bytes (`binary` when they are not text)."""
    try:
        with open_input(path, max_bytes=1 << 20) as f:
            head = f.read(4096)
    except Exception:   # unreadable, truncated or corrupt: reading it later reports why
        return "text"
    kind = kind_of_head(head)
    return "binary" if kind == "text" and is_binary(head) else kind


def is_binary(head: bytes) -> bool:
    """True when the first bytes of a file are binary data (images, archives, NUL-padded data), not text."""
    from cleaner.sources.decode import decode_bytes

    try:
        decode_bytes(head, "<head>")
    except InputError as e:
        return e.kind == "binary"
    except Exception:   # noqa: BLE001 - anything else: let reading the file say what is wrong
        return False
    return False


def kind_of_head(head: bytes) -> str:
    """Kind from the first (decompressed) bytes of an input: Parquet, WARC, HTML, JSON(L), else text."""
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    stripped = head.lstrip()
    if stripped.startswith(b"\xef\xbb\xbf"):
        stripped = stripped[3:].lstrip()
    low = stripped[:200].lower()
    if stripped.startswith(b"WARC/"):
        return "warc"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low:
        return "html"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl" if _first_line_is_json(stripped) else "json"
    return "text"


def _first_line_is_json(head: bytes) -> bool:
    """JSONL has a whole object on its first line; a pretty-printed JSON object does not."""
    import orjson

    line, nl, _ = head.partition(b"\n")
    if not nl:
        return True    # one long first line: JSONL (a record longer than the sample)
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Walk:
    """What walking the inputs must know besides the paths: the folders the user named (a symlink may
    point inside them, nowhere else) and the run's own outputs (never read as input).

    Paths are resolved (`os.path.realpath`); `own` holds (folder, regex of names) pairs, so an
    output that does not exist yet, its temporary files and its checkpoint are recognised too.
    """

    roots: tuple[str, ...] = ()
    own: tuple[tuple[str, str], ...] = ()

    def is_own(self, real: str) -> bool:
        folder, name = os.path.split(real)
        return any(folder == f and re.fullmatch(rx, name) for f, rx in self.own)

    def inside(self, real: str, roots: tuple[str, ...] = ()) -> bool:
        return any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in (*self.roots, *roots))


@dataclass(frozen=True)
class LocalInput:
    """A local path argument with the Walk of its run (what `cleaner clean` passes to the pipeline)."""

    path: str
    walk: Walk

    def __str__(self) -> str:    # what a checkpoint's fingerprint sees: the argument as given
        return self.path


def _skipped(display: str, reason: str, kind: str) -> Failure:
    return Failure(display, f"skipped: {reason}", kind)


def node_kind(mode: int) -> str | None:
    """What a file system node that is not a regular file is, for the user (None for a regular file);
    `mode` from `os.stat`, or `os.lstat` to name a symbolic link too."""
    if stat.S_ISREG(mode):
        return None
    for test, what in ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return what
    return "not a regular file"


def _file_in_walk(fp: Path, walk: Walk, roots: tuple[str, ...], *, folder: bool) -> Input | Failure | None:
    """A file met while walking a folder (`folder`) or matching a glob: an Input, a skip (Failure), or
    None for the run's own outputs (not the user's inputs, not counted). A glob matches hidden files
    only when the pattern asks for them, so only a folder walk skips them."""
    display = str(fp)
    real = os.path.realpath(fp)
    if walk.is_own(real):
        return None
    if folder and fp.name.startswith("."):
        return _skipped(display, "hidden file", "hidden")
    if fp.is_symlink():
        if not walk.inside(real, roots):
            return _skipped(display, "symlink points outside the input folder", "symlink")
        if not os.path.exists(real):
            return _skipped(display, "broken symlink", "unreadable")
    try:
        mode = os.stat(fp).st_mode
    except OSError as e:
        return _skipped(display, f"cannot read: {e.strerror or e}", "unreadable")
    what = node_kind(mode)
    if what is not None:
        return _skipped(display, f"{what}, not a regular file", "not-a-file")
    kind = kind_of(fp.name) or sniff_kind(fp)
    if kind == "binary":
        return _skipped(display, "binary data, not text", "binary")
    return Input(fp, display, kind)


def _walk_folder(top: Path, walk: Walk, roots: tuple[str, ...]) -> Iterator[Input | Failure]:
    """Every file under `top`, in sorted order, as an Input or a skip with its reason.

    Hidden files and folders are skipped (and counted); symlinked folders are not followed (their
    files are read where they really are when that is inside a named root; a link out of the roots
    is skipped and counted); an unreadable folder is reported and counted.
    """
    errors: list[OSError] = []

    def folder_errors() -> Iterator[Failure]:
        for e in errors:
            yield _skipped(str(e.filename or top), f"cannot read folder: {e.strerror or e}", "unreadable")
        errors.clear()

    for root, dirs, files in os.walk(top, onerror=errors.append):
        yield from folder_errors()
        kept = []
        for d in sorted(dirs):
            full = os.path.join(root, d)
            real = os.path.realpath(full)
            if walk.is_own(real):
                continue
            if d.startswith("."):
                yield _skipped(full, "hidden folder", "hidden")
            elif os.path.islink(full):
                if not walk.inside(real, roots):
                    yield _skipped(full, "symlink points outside the input folder", "symlink")
                # a link inside the roots: its files are read where they really are
            else:
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            item = _file_in_walk(Path(root) / name, walk, roots, folder=True)
            if item is not None:
                yield item
    yield from folder_errors()


def expand_inputs(args: Iterable[str | LocalInput], walk: Walk | None = None) -> Iterator[Input | Failure]:
    """Files as given, directories recursed in sorted order, globs expanded (sorted), URLs kept.

    Inside folders and globs every file is an Input or a Failure saying why it is skipped (hidden,
    binary, a symlink out of the named roots, not a regular file, unreadable); the run's own outputs
    (`walk`) are left out. A file named on the command line is read whatever its name.
    """
    for arg in args:
        if isinstance(arg, LocalInput):
            arg, arg_walk = arg.path, arg.walk
        else:
            arg_walk = walk or Walk()
        if is_url(arg):
            yield Input(None, arg, "url", url=arg)
            continue
        p = Path(arg)
        if p.is_dir():
            yield from _walk_folder(p, arg_walk, (os.path.realpath(p),))
        elif p.exists() or not glob.has_magic(arg):
            kind = kind_of(p.name) or (sniff_kind(p) if p.is_file() else "text")
            if kind == "binary":
                yield _skipped(arg, "binary data, not text", "binary")
            else:
                yield Input(p, arg, kind)
        else:
            base = (os.path.realpath(glob_base(arg)),)
            for m in sorted(glob.glob(arg, recursive=True)):
                mp = Path(m)
                if mp.is_file() or mp.is_symlink():
                    item = _file_in_walk(mp, arg_walk, base, folder=False)
                    if item is not None:
                        yield item


def glob_base(pattern: str) -> str:
    """The folder a glob pattern searches: its leading components without wildcards."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return str(Path(*fixed)) if fixed else "."


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
