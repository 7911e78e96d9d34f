"""JSONL records (`.jsonl`, `.ndjson`): one document per line, streamed; JSON files (`.json`): an
array of records, or one record.

Each record is an object with a `text` or an `html` field (when both are present, `html` wins: the
page is the better input for extraction). `id` is kept as the record id (as a string), `url` is
kept, every other field goes to `meta`. `source` is `path#N` with N the 1-based line number, which
is also the record number when the file has no blank lines, and always lets a user find the line.
A record without an id gets a stable one from its source. Bad lines (not JSON, not an object, no
text or html) are Failures; the rest of the file is still read.

A `.json` file is read whole (so `--max-bytes` caps its size): an array gives one document per
element (`source` is `path#N`, N the 1-based element number), an object is one record (`source` is
the path). Malformed JSON, or JSON that holds neither, fails the file with one line.
"""
from __future__ import annotations

from typing import Any, BinaryIO, Iterator

import orjson

from cleaner.document import Document
from cleaner.sources import Failure, InputError, Item, register_reader, stable_id
from cleaner.stats import is_stats_file

RESERVED = ("id", "url", "text", "html")


def record_to_item(rec: Any, source: str) -> Item:
    """One parsed JSONL record -> Document, or Failure with the reason."""
    if not isinstance(rec, dict):
        return Failure(source, f"record is a JSON {type(rec).__name__}, not an object")
    html, text = rec.get("html"), rec.get("text")
    html = html if isinstance(html, str) and html.strip() else None
    text = text if isinstance(text, str) and text.strip() else None
    if html is None and text is None:
        return Failure(source, "record has neither a 'text' nor an 'html' field with content")
    rid = rec.get("id")
    url = rec.get("url")
    return Document(
        id=str(rid) if rid is not None and rid != "" else stable_id(source),
        source=source,
        text="" if html is not None else text or "",
        html=html,
        url=url if isinstance(url, str) and url.strip() else None,
        meta={k: v for k, v in rec.items() if k not in RESERVED},
    )


@register_reader("jsonl", (".jsonl", ".ndjson"))
def read_jsonl(stream: BinaryIO, source: str) -> Iterator[Item]:
    for lineno, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        where = f"{source}#{lineno}"
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            rec = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            yield Failure(where, f"malformed JSON line ({e})")
            continue
        yield record_to_item(rec, where)


@register_reader("json", (".json",))
def read_json(stream: BinaryIO, source: str) -> Iterator[Item]:
    data = stream.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise InputError(source, f"malformed JSON ({e})", "bad-input") from None
    if isinstance(doc, dict):
        what = None if {"text", "html"} & doc.keys() else _cleaner_file(doc)
        if what:
            yield Failure(source, f"skipped: {what} cleaner wrote, not records", "cleaner-output")
            return
        yield record_to_item(doc, source)
    elif isinstance(doc, list):
        if not doc:
            raise InputError(source, "empty JSON array: no records", "empty")
        for i, rec in enumerate(doc, start=1):
            yield record_to_item(rec, f"{source}#{i}")
    else:
        raise InputError(source, f"JSON holds a {type(doc).__name__}, not records (an array of objects or one object)",
                         "bad-input")


def _cleaner_file(doc: dict) -> str | None:
    """What a JSON object is when cleaner wrote it (a run's stats, a shard set's manifest), else None."""
    if is_stats_file(doc):
        return "a run's stats file"
    if str(doc.get("format", "")).startswith("cleaner-shards/"):
        return "a shard manifest"
    return None
