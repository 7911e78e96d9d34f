"""Bytes to text, once: BOM first, then a declared charset, then detection (charset-normalizer).

Binary data (images, archives, executables named `.txt`) is refused with an InputError rather than
decoded into garbage.
"""
from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from cleaner.sources import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BINARY_MAGIC = (
    b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x7fELF", b"MZ",
    b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf", b"RIFF", b"OggS",
    b"\x00\x00\x01\x00", b"ID3", b"fLaC",
)
SAMPLE = 64 * 1024


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte is NUL in mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, source: str, declared: str | None = None) -> str:
    """Decode `data`; raise InputError naming `source` when it is empty, binary or undecodable."""
    if not data.strip():
        raise InputError(source, "empty input", "empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    utf16 = _looks_utf16(data)
    if utf16:
        return data.decode(utf16, errors="replace")
    if data.startswith(_BINARY_MAGIC):
        raise InputError(source, "binary data, not text", "binary")
    head = data[:SAMPLE]
    if head.count(0) > max(1, len(head) // 1000):
        raise InputError(source, f"binary data, not text ({head.count(0)} NUL bytes in the first {len(head)})", "binary")
    if declared:
        try:
            return data.decode(codecs.lookup(declared).name, errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 4 * SAMPLE]).best()
    if best is None:
        raise InputError(source, "undecodable: no character set fits the bytes", "undecodable")
    enc = best.encoding
    # charset-normalizer often names a close cousin of Latin-1 for Western text; cp1252 is the
    # superset that web text actually uses.
    if enc in ("latin_1", "iso8859_1", "iso8859_15"):
        enc = "cp1252"
    text = data.decode(enc, errors="replace")
    if text.count("\ufffd") > max(8, len(text) // 100):
        raise InputError(source, f"undecodable: too many invalid bytes as {enc}", "undecodable")
    return text
