"""Saved web pages (`.html`, `.htm`, `.xhtml`): one HTML document each, decoded once.

Charset order (the HTML5 one): byte-order mark, then the HTTP Content-Type header when the page came
from the scraper or a WARC record, then `<meta charset>` / `<meta http-equiv="Content-Type">` in the
first bytes, then detection (charset-normalizer, in `decode_bytes`).
"""
from __future__ import annotations

import codecs
import re
from typing import BinaryIO, Iterator

from cleaner.document import Document
from cleaner.sources import Item, register_reader, stable_id
from cleaner.sources.decode import decode_bytes

# `<meta charset="x">` and `<meta http-equiv="Content-Type" content="text/html; charset=x">`
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
META_SCAN_BYTES = 4096
# Labels that browsers decode as windows-1252 (WHATWG Encoding), and UTF-16 declared in an
# ASCII-compatible byte stream, which cannot be true (a BOM would have caught real UTF-16).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252", "iso8859_15"}


def _normalise_label(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    if name in _AS_CP1252 or name == "iso8859_1":
        return "cp1252"
    if name.startswith("utf_16") or name.startswith("utf_32"):
        return "utf-8"
    return name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, as a Python codec name."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return _normalise_label(m.group(1)) if m else None


def charset_from_meta(data: bytes) -> str | None:
    """The charset a page declares in a <meta> tag near its start."""
    m = _META_CHARSET.search(data[:META_SCAN_BYTES])
    return _normalise_label(m.group(1).decode("ascii", "replace")) if m else None


def decode_html(data: bytes, source: str, content_type: str | None = None) -> str:
    """Decode page bytes: BOM, HTTP header charset, <meta> charset, then detection."""
    declared = charset_from_content_type(content_type) or charset_from_meta(data)
    return decode_bytes(data, source, declared)


@register_reader("html", (".html", ".htm", ".xhtml"))
def read_html(stream: BinaryIO, source: str) -> Iterator[Item]:
    html = decode_html(stream.read(), source)
    yield Document(id=stable_id(source), source=source, html=html)
