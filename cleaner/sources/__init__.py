"""Sources turn inputs (paths, directories, globs, URLs) into Documents.

Each input kind has a reader registered with `@register_reader(kind, extensions)`: it gets a
binary stream (already decompressed) and the input's display name, and yields `Document`s, or
`Failure`s for bad records inside an otherwise good input (a malformed JSONL line, a damaged WARC
record). A reader raises `InputError` when the whole input is unusable. Readers stream: a JSONL,
WARC or Parquet file is never held whole in memory.

A reader registered with `needs_path=True` gets the file's path instead of a stream (Parquet needs
random access to its footer), plus the run's `max_bytes`; compression and size caps are then its job.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator, Union

from cleaner.document import Document


class InputError(Exception):
    """An input that cannot be used at all; `reason` is one line for the user."""

    def __init__(self, source: str, reason: str, kind: str = "bad-input"):
        super().__init__(f"{source}: {reason}")
        self.source, self.reason, self.kind = source, reason, kind


@dataclass
class Failure:
    """A bad record inside an input: reported on stderr and counted; the run goes on."""

    source: str
    reason: str
    kind: str = "bad-record"


# Failure kinds that are inputs passed over on purpose (a folder walk's hidden files, binaries, symlinks
# out of the roots, pipes and devices, files cleaner wrote): counted and shown as skipped, not failed.
SKIP_KINDS = frozenset({"hidden", "binary", "symlink", "not-a-file", "cleaner-output"})

Item = Union[Document, Failure]
Reader = Callable[[BinaryIO, str], Iterator[Item]]

READERS: dict[str, Reader] = {}
EXTENSIONS: dict[str, str] = {}   # ".txt" -> "text"
PATH_READERS: set[str] = set()    # kinds whose reader takes (path, source, max_bytes)


def register_reader(kind: str, extensions: tuple[str, ...], *, needs_path: bool = False) -> Callable[[Reader], Reader]:
    def deco(fn: Reader) -> Reader:
        READERS[kind] = fn
        for ext in extensions:
            EXTENSIONS[ext] = kind
        if needs_path:
            PATH_READERS.add(kind)
        return fn

    return deco


def stable_id(*parts: str) -> str:
    """A short id that depends only on what identifies the input (same input, same id)."""
    h = hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=8)
    return h.hexdigest()


def _register_builtins() -> None:
    import importlib

    for mod in ("text", "html", "jsonl", "warc", "urls", "parquet"):
        try:
            importlib.import_module(f"cleaner.sources.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"cleaner.sources.{mod}":
                raise


_register_builtins()
