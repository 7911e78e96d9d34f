"""The run's inputs as independent read segments, for engines that read on many machines.

`plan_segments(inputs)` cuts what `iter_items` reads into segments, in input order, without reading
the files; `read_segment(segment)` reads one, anywhere. Concatenated in order, the segments give
exactly `iter_items(inputs)`: the same items, the same failures, in the same places (tested).

  FileSegment   one input file (any kind): read where it runs, with the same reader and failures
  UrlSegment    URLs that come one after another (given, or from URL lists): fetched together, so
                that different hosts are fetched at once (as iter_items does)
  ItemSegment   items the caller already holds (Documents from the Python API, failures found while
                planning: bad URL-list lines, an argument that matches nothing)

Remote files (`s3://`, `gs://`, `hf://`, `file://`… any fsspec protocol but http(s)) are globbed and
opened through fsspec (see `remote.py`); http(s) arguments stay URLs to scrape.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Union

from cleaner.document import Document
from cleaner.sources import Failure, Item
from cleaner.sources.files import DEFAULT_MAX_BYTES, Input, LocalInput, expand_inputs
from cleaner.sources.urls import UrlList

ITEMS_PER_SEGMENT = 256    # in-memory items are cut into segments of this many


@dataclass(frozen=True)
class FileSegment:
    input: Input

    @property
    def display(self) -> str:
        return self.input.display


@dataclass(frozen=True)
class UrlSegment:
    urls: tuple[str, ...]

    @property
    def display(self) -> str:
        return f"{len(self.urls)} URL{'s' if len(self.urls) != 1 else ''}"


@dataclass
class ItemSegment:
    items: list[Item] = field(default_factory=list)

    @property
    def display(self) -> str:
        return f"{len(self.items)} item{'s' if len(self.items) != 1 else ''}"


Segment = Union[FileSegment, UrlSegment, ItemSegment]


def plan_segments(inputs: Iterable[Any], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Segment]:
    """The segments of `iter_items(inputs)`, lazily, in order. Only URL lists are read here (they
    decide which URLs are fetched together); files are only listed."""
    from cleaner.sources.remote import expand_remote, is_remote

    pending: list[str] = []
    held: list[Item] = []

    def flush_urls() -> Iterator[Segment]:
        if pending:
            yield UrlSegment(tuple(pending))
            pending.clear()

    def flush_items() -> Iterator[Segment]:
        if held:
            yield ItemSegment(list(held))
            held.clear()

    def hold(item: Item) -> Iterator[Segment]:
        yield from flush_urls()
        held.append(item)
        if len(held) >= ITEMS_PER_SEGMENT:
            yield from flush_items()

    def url_list(lst: UrlList) -> Iterator[Segment]:
        urls, bad = lst.read(max_bytes)
        for failure in bad:
            yield from hold(failure)
        if urls:
            yield from flush_items()
            pending.extend(urls)

    def file(inp: Input) -> Iterator[Segment]:
        yield from flush_urls()
        yield from flush_items()
        yield FileSegment(inp)

    for item in inputs:
        if isinstance(item, Document):
            yield from hold(item)
            continue
        if isinstance(item, UrlList):
            yield from url_list(item)
            continue
        if not isinstance(item, (str, Path, LocalInput)):          # an iterable of Documents or strings
            from cleaner.sources import stable_id

            for i, d in enumerate(item):
                if not isinstance(d, Document):
                    d = Document(id=stable_id("<memory>", str(i), str(d)), source=f"<memory>#{i + 1}", text=str(d))
                yield from hold(d)
            continue
        found = False
        local = item if isinstance(item, LocalInput) else str(item)
        expanded = expand_remote(str(item)) if is_remote(str(item)) else expand_inputs([local])
        for inp in expanded:
            found = True
            if isinstance(inp, Failure):          # a file skipped while walking a folder, and why
                yield from hold(inp)
                continue
            if inp.kind == "url":
                yield from flush_items()
                pending.append(inp.display)
                continue
            if inp.kind == "urls" and inp.path is not None:
                yield from url_list(UrlList(inp.display))
                continue
            yield from file(inp)
        if not found:
            yield from hold(Failure(str(item), "matched no input files", "unreadable"))
    yield from flush_urls()
    yield from flush_items()


def read_segment(segment: Segment, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 fetch_options: dict | None = None) -> Iterator[Item]:
    """The items of one segment, as `iter_items` gives them at that place."""
    if isinstance(segment, ItemSegment):
        yield from segment.items
    elif isinstance(segment, UrlSegment):
        from cleaner.sources.web import fetch_all

        yield from fetch_all(list(segment.urls), **(fetch_options or {}))
    else:
        from cleaner.sources.read import read_file     # local and remote (fsspec) files alike

        yield from read_file(segment.input, max_bytes)
