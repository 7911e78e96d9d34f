"""Turn the run's inputs (paths, directories, globs, URLs, URL lists, Document iterables) into one ordered stream."""
from __future__ import annotations

import zlib
from pathlib import Path
from typing import Iterable, Iterator

from cleaner.document import Document
from cleaner.sources import PATH_READERS, READERS, Failure, InputError, Item
from cleaner.sources.files import DEFAULT_MAX_BYTES, Input, LocalInput, expand_inputs, open_input
from cleaner.sources.urls import UrlList


def read_file(inp: Input, max_bytes: int) -> Iterator[Item]:
    """The items of one input file, local or remote (fsspec), by its kind's reader; a file that
    cannot be read becomes a Failure naming it, never an exception."""
    reader = READERS.get(inp.kind)
    if reader is None:
        yield Failure(inp.display, f"no reader for inputs of kind {inp.kind!r}", "unsupported")
        return
    try:
        if inp.url is not None and inp.kind != "url":        # a remote file, through fsspec
            from cleaner.sources.remote import read_remote

            yield from read_remote(inp, reader, max_bytes)
            return
        if inp.path is None or not inp.path.exists():
            raise InputError(inp.display, "no such file or directory", "unreadable")
        if inp.kind in PATH_READERS:
            yield from reader(inp.path, inp.display, max_bytes)  # type: ignore[call-arg, arg-type]
            return
        with open_input(inp.path, max_bytes, inp.display, kind=inp.kind) as stream:
            yield from reader(stream, inp.display)
    except InputError as e:
        yield Failure(e.source, e.reason, e.kind)
    except (EOFError, OSError, zlib.error) as e:
        yield Failure(inp.display, f"corrupt or truncated input ({type(e).__name__}: {_short(e)})", "corrupt")
    except RecursionError:
        yield Failure(inp.display, "nested too deeply to read", "unreadable")
    except MemoryError:
        yield Failure(inp.display, "too large to read in memory (lower --max-bytes)", "too-large")
    except Exception as e:  # a reader bug or a library failing on hostile bytes: report, go on
        kind = "corrupt" if type(e).__name__ == "ZstdError" else "unreadable"
        yield Failure(inp.display, f"{kind} input ({type(e).__name__}: {_short(e)})", kind)


def _local(item: str | Path | LocalInput) -> str | LocalInput:
    return item if isinstance(item, LocalInput) else str(item)


def _short(e: BaseException) -> str:
    """An exception's message on one short line (the user sees one stderr line per failure)."""
    text = " ".join(str(e).split())
    return text if len(text) <= 200 else text[:197] + "..."


def iter_items(inputs: Iterable[str | Path | Document], *, max_bytes: int = DEFAULT_MAX_BYTES,
               fetch_options: dict | None = None) -> Iterator[Item]:
    """Documents (and Failures) from every input, in the order given; URLs are fetched politely.

    URLs given one by one, in `.urls` files and in `UrlList`s (`--urls FILE`) are collected while
    they come one after another and fetched together, so that different hosts are fetched at once.
    """
    pending_urls: list[str] = []

    def url_list(lst: UrlList) -> Iterator[Item]:
        urls, bad = lst.read(max_bytes)
        if bad:
            yield from flush_urls()
            yield from bad
        pending_urls.extend(urls)

    def flush_urls() -> Iterator[Item]:
        if pending_urls:
            from cleaner.sources.web import fetch_all

            yield from fetch_all(list(pending_urls), **(fetch_options or {}))
            pending_urls.clear()

    for item in inputs:
        if isinstance(item, Document):
            yield from flush_urls()
            yield item
            continue
        if isinstance(item, UrlList):
            yield from url_list(item)
            continue
        if not isinstance(item, (str, Path, LocalInput)):          # an iterable of Documents or strings
            yield from flush_urls()
            for i, d in enumerate(item):
                if isinstance(d, Document):
                    yield d
                else:
                    from cleaner.sources import stable_id

                    yield Document(id=stable_id("<memory>", str(i), str(d)), source=f"<memory>#{i + 1}", text=str(d))
            continue
        found = False
        from cleaner.sources.remote import expand_remote, is_remote

        for inp in expand_remote(str(item)) if is_remote(str(item)) else expand_inputs([_local(item)]):
            found = True
            if isinstance(inp, Failure):          # a file skipped while walking a folder, and why
                yield from flush_urls()
                yield inp
                continue
            if inp.kind == "url":
                pending_urls.append(inp.display)
                continue
            if inp.kind == "urls" and inp.path is not None:
                yield from url_list(UrlList(inp.display))
                continue
            yield from flush_urls()
            yield from read_file(inp, max_bytes)
        if not found:
            yield from flush_urls()
            yield Failure(str(item), "matched no input files", "unreadable")
    yield from flush_urls()
