"""JSONL input: id, url kept, other fields to meta, bad records reported and the rest still read."""
from __future__ import annotations

import io

from cleaner.document import Document
from cleaner.sources import Failure
from cleaner.sources.jsonl import read_jsonl

LINES = [
    b'{"id": 42, "url": "https://example.org/a", "text": "Hello there.", "lang_hint": "en", "tags": ["x", "y"]}',
    b'{"id": "b-1", "html": "<html><body><p>Page</p></body></html>", "crawl": {"ts": 1}}',
    b'{"id": "c", "title": "no body here"}',
    b'{"text": "broken json", ',
    b"",
    b'["an", "array"]',
    b'{"text": "no id given"}',
]


def _read(lines=LINES, source="dump.jsonl"):
    return list(read_jsonl(io.BytesIO(b"\n".join(lines) + b"\n"), source))


def test_fields_are_kept():
    items = _read()
    a, b = items[0], items[1]
    assert isinstance(a, Document) and a.id == "42" and a.url == "https://example.org/a"
    assert a.text == "Hello there." and a.html is None
    assert a.meta == {"lang_hint": "en", "tags": ["x", "y"]}
    assert a.source == "dump.jsonl#1"
    assert isinstance(b, Document) and b.id == "b-1" and b.html.startswith("<html>") and b.text == ""
    assert b.meta == {"crawl": {"ts": 1}} and b.url is None


def test_bad_records_are_failures_not_fatal():
    items = _read()
    kinds = [(type(i).__name__, i.source) for i in items]
    assert kinds == [
        ("Document", "dump.jsonl#1"), ("Document", "dump.jsonl#2"), ("Failure", "dump.jsonl#3"),
        ("Failure", "dump.jsonl#4"), ("Failure", "dump.jsonl#6"), ("Document", "dump.jsonl#7"),
    ]
    assert "neither" in items[2].reason
    assert "malformed JSON" in items[3].reason
    assert "not an object" in items[4].reason


def test_missing_id_gets_a_stable_one():
    first = [i.id for i in _read() if isinstance(i, Document)]
    second = [i.id for i in _read() if isinstance(i, Document)]
    assert first == second and len(set(first)) == len(first)
    assert first[2] != "None" and len(first[2]) == 16


def test_bom_and_crlf_lines():
    items = list(read_jsonl(io.BytesIO(b'\xef\xbb\xbf{"text": "one"}\r\n{"text": "two"}\r\n'), "w.jsonl"))
    assert [i.text for i in items] == ["one", "two"]
