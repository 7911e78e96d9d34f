"""Remote inputs through fsspec: `s3://bucket/dumps/*.jsonl.zst`, `gs://…`, `hf://datasets/…`, `file:///…`.

Any URL whose scheme is not http(s) (those are pages to scrape) names files on a file system that
fsspec knows; the protocol's own package must be installed (s3fs, gcsfs, huggingface_hub…; `file://`
and `memory://` need nothing). Globs are expanded and folders walked as for local paths (sorted,
hidden names skipped, only known kinds read in a folder); the file's kind comes from its name, else
from its first bytes. A file is read with the same readers, size caps and failures as a local one;
its `source` is its full URL.
"""
from __future__ import annotations

import glob
import re
from typing import Any, Callable, Iterator

from cleaner.sources import PATH_READERS, InputError, Item
from cleaner.sources.files import Input, kind_of, open_stream

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def is_remote(arg: str) -> bool:
    m = _SCHEME.match(arg)
    return m is not None and m.group(1).lower() not in ("http", "https")


def _fs(url: str, source: str | None = None) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise InputError(source or url, "remote paths need fsspec (pip install fsspec)", "unsupported") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as e:      # an unknown protocol, or its package not installed
        raise InputError(source or url, f"cannot open this file system ({type(e).__name__}: {e})", "unsupported") from None


def _sniff(fs: Any, path: str) -> str:
    from cleaner.sources import files

    try:
        with fs.open(path, "rb") as raw, open_stream(raw, 1 << 20, path) as f:
            head = f.read(4096)
    except Exception:   # noqa: BLE001  (reading it later reports why)
        return "text"
    return files.kind_of_head(head)


def expand_remote(url: str) -> Iterator[Input]:
    """The files `url` names: itself, a folder's files (recursed, sorted), or a glob's matches (sorted)."""
    try:
        fs, path = _fs(url)
    except InputError:
        yield Input(None, url, kind_of(url) or "text", url=url)   # reading it reports why
        return

    def full(p: str) -> str:
        return fs.unstrip_protocol(p)

    def hidden(p: str, base: str) -> bool:
        rel = p[len(base):].strip("/") if p.startswith(base) else p.rsplit("/", 1)[-1]
        return any(part.startswith(".") for part in rel.split("/") if part)

    if glob.has_magic(path):
        for m in sorted(fs.glob(path)):
            if fs.isfile(m):
                yield Input(None, full(m), kind_of(m) or _sniff(fs, m), url=full(m))
        return
    if fs.isdir(path):
        base = path.rstrip("/")
        for p in sorted(fs.find(base)):
            if hidden(p, base):
                continue
            kind = kind_of(p.rsplit("/", 1)[-1])
            if kind is not None:
                yield Input(None, full(p), kind, url=full(p))
        return
    kind = kind_of(path.rsplit("/", 1)[-1]) or (_sniff(fs, path) if fs.isfile(path) else "text")
    yield Input(None, url, kind, url=url)


def read_remote(inp: Input, reader: Callable[..., Iterator[Item]], max_bytes: int) -> Iterator[Item]:
    """Read one remote file with `reader` (the caller, read.read_file, turns errors into Failures)."""
    assert inp.url is not None
    fs, path = _fs(inp.url, inp.display)
    try:
        exists = fs.isfile(path)
    except Exception as e:  # noqa: BLE001  (credentials, network: one line for the user)
        raise InputError(inp.display, f"cannot open ({type(e).__name__}: {e})", "unreadable") from None
    if not exists:
        raise InputError(inp.display, "no such file", "unreadable")
    raw = fs.open(path, "rb")
    if inp.kind in PATH_READERS:
        with raw:
            yield from reader(raw, inp.display, max_bytes)
        return
    with open_stream(raw, max_bytes, inp.display, kind=inp.kind) as stream:
        yield from reader(stream, inp.display)
