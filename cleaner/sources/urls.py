"""URL lists (`.urls`): one URL a line (blank lines and `#` comments skipped), fetched politely.

The fetched pages are HTML documents whose `url` is the final URL after redirects (see web.py).
Lines that are not http(s) URLs are Failures; the others are still fetched.
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from cleaner.sources import Failure, Item, register_reader
from cleaner.sources.decode import decode_bytes

# Options for fetch_all that a run sets (delay, timeouts…): the pipeline may fill this before reading.
FETCH_OPTIONS: dict = {}


def parse_url_list(text: str, source: str) -> tuple[list[str], list[Failure]]:
    urls, bad = [], []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith(("http://", "https://")):
            urls.append(line)
        else:
            bad.append(Failure(f"{source}#{lineno}", f"not an http(s) URL: {line[:100]!r}", "fetch"))
    return urls, bad


@register_reader("urls", (".urls",))
def read_urls(stream: BinaryIO, source: str) -> Iterator[Item]:
    from cleaner.sources.web import fetch_all

    urls, bad = parse_url_list(decode_bytes(stream.read(), source), source)
    yield from bad
    yield from fetch_all(urls, **FETCH_OPTIONS)
