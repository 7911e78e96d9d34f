"""Scraped text files (`.txt`, `.md`): one document each, decoded once."""
from __future__ import annotations

from typing import BinaryIO, Iterator

from cleaner.document import Document
from cleaner.sources import Item, register_reader, stable_id
from cleaner.sources.decode import decode_bytes


@register_reader("text", (".txt", ".md", ".text"))
def read_text(stream: BinaryIO, source: str) -> Iterator[Item]:
    text = decode_bytes(stream.read(), source)
    yield Document(id=stable_id(source), source=source, text=text)
