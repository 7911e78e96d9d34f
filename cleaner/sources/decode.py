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


_WESTERN = ("cp1252", "latin_1", "iso8859_1", "iso8859_15")
# C0 control bytes that never occur in text (tab, newlines, form feed and escape do).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0b\x0c\x1b")


def _declared_codec(declared: str | None) -> str | None:
    """A declared charset as a Python text codec, or None (unknown, or not a text encoding: base64…)."""
    if not declared:
        return None
    try:
        info = codecs.lookup(declared)
    except (LookupError, TypeError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _detect(data: bytes, source: str) -> str:
    """The legacy encoding charset-normalizer finds; on a tie, windows-1252 (what the web uses)."""
    matches = list(from_bytes(data[: 4 * SAMPLE]))
    if not matches:
        raise InputError(source, "undecodable: no character set fits the bytes", "undecodable")
    best = matches[0]
    for m in matches:
        if m.encoding in _WESTERN and m.chaos <= best.chaos and m.coherence >= best.coherence:
            return "cp1252"
    # charset-normalizer often names a close cousin of Latin-1 for Western text; cp1252 is the
    # superset that web text actually uses.
    return "cp1252" if best.encoding in _WESTERN else best.encoding


def decode_bytes(data: bytes, source: str, declared: str | None = None) -> str:
    """Decode `data`; raise InputError naming `source` when it is empty, binary or undecodable.

    NUL bytes are never text: NUL padding around the content is ignored and stray NULs inside it are
    removed, but a sample with more than 1% NULs (or 10% other control bytes) is binary data.
    """
    text = _decode(data, source, declared)
    if not text.strip():
        raise InputError(source, "empty input", "empty")
    return text


def _decode(data: bytes, source: str, declared: str | None) -> str:
    if not data.strip():
        raise InputError(source, "empty input", "empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return _without_nul(data[len(bom):].decode(enc, errors="replace"))
    utf16 = _looks_utf16(data)
    if utf16:
        return _without_nul(data.decode(utf16, errors="replace"))
    if data.startswith(_BINARY_MAGIC):
        raise InputError(source, "binary data, not text", "binary")
    data = data.strip(b"\x00")
    if not data.strip():
        raise InputError(source, "empty input (only NUL bytes and spaces)", "empty")
    head = data[:SAMPLE]
    nuls = head.count(0)
    if nuls > max(1, len(head) // 100):
        raise InputError(source, f"binary data, not text ({nuls} NUL bytes in the first {len(head)})", "binary")
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > max(8, len(head) // 10):
        raise InputError(source, f"binary data, not text ({controls} control bytes in the first {len(head)})", "binary")
    codec = _declared_codec(declared)
    if codec:
        try:
            return _without_nul(data.decode(codec, errors="strict"))
        except (UnicodeError, ValueError, LookupError):
            pass
    try:
        return _without_nul(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    enc = _detect(data, source)
    try:
        text = data.decode(enc, errors="replace")
    except (LookupError, ValueError):
        raise InputError(source, f"undecodable as {enc}", "undecodable") from None
    if text.count("\ufffd") > max(8, len(text) // 100):
        raise InputError(source, f"undecodable: too many invalid bytes as {enc}", "undecodable")
    return _without_nul(text)


def _without_nul(text: str) -> str:
    return text.replace("\x00", "") if "\x00" in text else text
