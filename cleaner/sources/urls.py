"""URL lists: one URL a line (blank lines and `#` comments skipped), fetched politely.

A file is a URL list when its name ends in `.urls`, or whatever its name when the user says so
(`--urls FILE`, `--urls -` for standard input): the CLI wraps it in a `UrlList`. Lines that are not
http(s) URLs are Failures and the others are still fetched; a list with no URL at all is one Failure
naming the file. The fetched pages are HTML documents whose `url` is the final URL after redirects
(see web.py); `iter_items` batches the URLs of consecutive inputs so that hosts are fetched
concurrently.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from cleaner.sources import Failure, InputError, Item, register_reader
from cleaner.sources.decode import decode_bytes

# Options for fetch_all that a run sets (delay, timeouts…): the pipeline may fill this before reading.
FETCH_OPTIONS: dict = {}
STDIN = "-"
NO_URL = "holds no URL (a URL list has one http:// or https:// URL a line)"


@dataclass(frozen=True)
class UrlList:
    """An input read as a URL list whatever its name. `path` "-" is standard input, whose `text` the
    CLI reads once (a checkpointed run lists its inputs twice, and stdin can be read only once)."""

    path: str
    text: str | None = None

    @property
    def display(self) -> str:
        return "<stdin>" if self.path == STDIN else self.path

    def __str__(self) -> str:   # what a checkpoint's fingerprint sees
        if self.text is not None:
            return f"urls:{self.display}:{hashlib.sha256(self.text.encode('utf-8', 'replace')).hexdigest()}"
        return f"urls:{self.path}"

    def read(self, max_bytes: int | None = None) -> tuple[list[str], list[Failure]]:
        """The URLs, and a Failure per bad line (or one for an unreadable list or one with no URL)."""
        source = self.display
        try:
            if self.text is not None:
                text = self.text
            else:
                from cleaner.sources.files import open_input

                with open_input(Path(self.path), max_bytes, source, kind="urls") as f:
                    text = decode_bytes(f.read(), source)
        except InputError as e:
            if e.kind == "empty":
                return [], [Failure(source, NO_URL, "bad-input")]
            return [], [Failure(e.source, e.reason, e.kind)]
        except (EOFError, OSError) as e:
            return [], [Failure(source, f"corrupt or truncated input ({type(e).__name__}: {e})", "corrupt")]
        urls, bad = parse_url_list(text, source)
        if not urls:
            return [], [Failure(source, NO_URL, "bad-input")]
        return urls, bad


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
    """The reader for a `.urls` stream (the Python API); runs go through `UrlList` in iter_items."""
    from cleaner.sources.web import fetch_all

    urls, bad = parse_url_list(decode_bytes(stream.read(), source), source)
    if not urls:
        yield Failure(source, NO_URL, "bad-input")
        return
    yield from bad
    yield from fetch_all(urls, **FETCH_OPTIONS)
