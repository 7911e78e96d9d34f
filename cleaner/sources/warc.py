"""WARC archives (`.warc`, `.warc.gz`) and WET files (`.wet`, `.warc.wet.gz`): records become documents.

Kept: `response` records whose HTTP status is 200 and whose Content-Type is text/html or
application/xhtml+xml (pages, decoded with the charset of the HTTP Content-Type header first, see
html.decode_html), and `conversion` records (the plain text Common Crawl's WET files hold: scraped
text, the same kind of input as a `.txt` file; decoded with the record's declared charset, else
detected). `url` is WARC-Target-URI, `date` is WARC-Date (ISO 8601), `source` is `path#N` with N
the 1-based ordinal of the record among all records of the file. Other records (warcinfo, request,
metadata, revisit) are skipped.

A damaged record (unparseable HTTP head, undecodable body, a broken chunked encoding) is a
Failure and the next record is read; a broken WARC header means the rest of the file cannot be
found reliably, so it is a Failure that ends the file. A file that ends early (a truncated or
corrupt `.warc.gz`, which warcio would take for the end of the archive) is a Failure naming the
file and how many records were read; one with no complete record at all fails as a whole.

Library: warcio (Webrecorder). fastwarc is 3.6-4.9x faster at reading records (bench/warc_libs.py),
but record reading costs ~0.2 ms a page against ~15 ms for extraction, so the speed does not show
in a run; warcio is pure Python (300 KB, installs everywhere, reads the stream `open_input` already
decompressed), widely used, and lets us parse the HTTP head ourselves so that one bad record does
not end the iteration.
"""
from __future__ import annotations

import io
from typing import Any, BinaryIO, Iterator

from cleaner.document import Document
from cleaner.sources import Failure, InputError, Item, register_reader, stable_id
from cleaner.sources.decode import decode_bytes
from cleaner.sources.html import charset_from_content_type, decode_html

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_RECORD_BYTES = 32 * 1024 * 1024
_HTTP: Any = None    # warcio's HTTP head parser, built on first use (warcio is imported only for WARC input)


def _http_parser() -> Any:
    global _HTTP
    if _HTTP is None:
        from warcio.statusandheaders import StatusAndHeadersParser

        _HTTP = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1"], verify=True)
    return _HTTP


def _iso_date(value: str | None) -> str | None:
    """WARC-Date is already ISO 8601 (`2019-11-19T08:57:45Z`); keep it as given, trimmed."""
    return value.strip() if value and value.strip() else None


def _record_to_item(rec, where: str) -> Item | None:
    from warcio.statusandheaders import StatusAndHeadersParserException

    try:
        http = _http_parser().parse(rec.raw_stream)
    except (StatusAndHeadersParserException, ValueError, EOFError) as e:
        return Failure(where, f"damaged record: unparseable HTTP response head ({type(e).__name__})")
    try:
        status = int(http.get_statuscode() or 0)
    except ValueError:
        return Failure(where, f"damaged record: bad HTTP status line {http.statusline!r}")
    ctype = http.get_header("Content-Type") or ""
    if status != 200 or not ctype.split(";")[0].strip().lower() in HTML_TYPES:
        return None
    rec.http_headers = http
    body = _body(rec, rec.content_stream, where)
    if isinstance(body, Failure):
        return body
    try:
        html = decode_html(body, where, ctype)
    except InputError as e:
        return Failure(where, e.reason, e.kind)
    return _document(rec, where, html=html)


def _body(rec, stream, where: str) -> bytes | Failure:
    """The record's payload from `stream()` (decoded HTTP body, or the raw block), size- and truncation-checked."""
    try:
        body = stream().read(MAX_RECORD_BYTES + 1)
    except Exception as e:  # noqa: BLE001  (bad chunking or content-encoding inside one record)
        return Failure(where, f"damaged record: unreadable body ({type(e).__name__}: {e})")
    if len(body) > MAX_RECORD_BYTES:
        return Failure(where, f"record body larger than {MAX_RECORD_BYTES} bytes", "too-large")
    if getattr(rec.raw_stream, "limit", 0) > 0:    # fewer bytes than its Content-Length: cut short
        return Failure(where, "damaged record: truncated (file ends inside the record)")
    return body


def _document(rec, where: str, **content: str) -> Document:
    """A Document of a record, with its target URI and date."""
    url = rec.rec_headers.get_header("WARC-Target-URI")
    return Document(id=stable_id(where), source=where, url=url.strip() if url else None,
                    date=_iso_date(rec.rec_headers.get_header("WARC-Date")), **content)


def _conversion_to_item(rec, where: str) -> Item:
    """A WET `conversion` record: the page's text as extracted by the crawler, a scraped text."""
    body = _body(rec, lambda: rec.raw_stream, where)
    if isinstance(body, Failure):
        return body
    declared = charset_from_content_type(rec.rec_headers.get_header("Content-Type"))
    try:
        text = decode_bytes(body, where, declared)
    except InputError as e:
        return Failure(where, e.reason, e.kind)
    return _document(rec, where, text=text)


class _Watched(io.RawIOBase):
    """The decompressed stream, remembering a read error warcio would swallow (it reads a gzip that
    ends early as the end of the archive) and whether anything but whitespace was read."""

    def __init__(self, inner: BinaryIO):
        self.inner, self.error, self.content = inner, None, False

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        try:
            n = self.inner.readinto(b)
        except Exception as e:
            self.error = e
            raise
        if n and not self.content:
            self.content = bool(bytes(memoryview(b)[:n]).strip())
        return n or 0


def _ended_early(watched: _Watched, source: str, n: int) -> Iterator[Item]:
    """What to say when the records stop: nothing for a whole file, else why the file ended early."""
    e = watched.error
    if isinstance(e, InputError):
        raise e
    if e is not None:
        detail = f"{type(e).__name__}: {e}"
        if n == 0:
            raise InputError(source, f"truncated or corrupt: no complete WARC record ({detail})", "corrupt")
        yield Failure(source, f"truncated or corrupt after {n} records: the rest of the file is lost ({detail})", "corrupt")
    elif n == 0 and watched.content:
        raise InputError(source, "truncated or corrupt: no complete WARC record", "corrupt")


@register_reader("warc", (".warc", ".wet"))
def read_warc(stream: BinaryIO, source: str) -> Iterator[Item]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    watched = _Watched(stream)
    records = ArchiveIterator(io.BufferedReader(watched, buffer_size=1 << 16), no_record_parse=True)
    n = 0
    while True:
        try:
            rec = next(records)
        except StopIteration:
            yield from _ended_early(watched, source, n)
            return
        except (ArchiveLoadFailed, StatusAndHeadersParserException, ValueError, EOFError) as e:
            if n == 0:
                raise InputError(source, f"not a readable WARC file ({type(e).__name__}: {e})") from None
            yield Failure(f"{source}#{n + 1}", f"damaged record: bad WARC header, rest of file skipped ({type(e).__name__})")
            return
        n += 1
        if rec.rec_type is None:   # warcio's view of a header cut short by the end of the file
            yield Failure(f"{source}#{n}", "damaged record: truncated WARC header at the end of the file")
            return
        if rec.rec_type == "conversion":
            item: Item | None = _conversion_to_item(rec, f"{source}#{n}")
        elif rec.rec_type == "response":
            item = _record_to_item(rec, f"{source}#{n}")
        else:
            continue
        if isinstance(item, Failure):
            watched.error = None       # a read error inside a record is reported with that record
        if item is not None:
            yield item
