"""Cross-document line frequency: how many documents (and documents of the same site) hold a line.

Built once per run by a cheap first pass over the cleaned-so-far documents (8-byte hashes only, each
line counted once per document), shared by the chrome classifier (a short line that recurs across
the corpus is template) and near-duplicate shingling (template lines are not story). Only short lines
are counted, so a quote repeated across articles is never treated as chrome.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from typing import Iterable
from urllib.parse import urlsplit

MAX_COUNTED_CHARS = 200   # longer lines are prose: never template
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def normalise_line(line: str) -> str:
    """Case, width, whitespace and digit runs folded: '12 Comments' and '3 comments' are one template."""
    s = unicodedata.normalize("NFKC", line).casefold()
    s = _DIGITS.sub("0", s)
    return _WS.sub(" ", s).strip()


def line_key(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalise_line(line).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def line_keys(lines: list[str]) -> list[int]:
    """`[line_key(l) for l in lines]`, normalising the lines as one text: NFKC, casefolding and digit
    folding are done once over the joined lines ("\n" is a boundary for all three), the rest per line.
    The same keys as line_key, several times faster for a document's worth of lines."""
    if not lines:
        return []
    joined = "\n".join(lines)
    if joined.count("\n") != len(lines) - 1:        # a line holding "\n" itself: one by one
        return [line_key(l) for l in lines]
    folded = _DIGITS.sub("0", unicodedata.normalize("NFKC", joined).casefold()).split("\n")
    if len(folded) != len(lines):                   # never expected; stay exact regardless
        return [line_key(l) for l in lines]
    # " ".join(f.split()) is _WS.sub(" ", f).strip(): re's \s and str.split both use str.isspace.
    blake, from_bytes = hashlib.blake2b, int.from_bytes
    return [from_bytes(blake(" ".join(f.split()).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            for f in folded]


def document_keys(lines: Iterable[str]) -> set[int]:
    """The keys of the countable (short, non-blank) lines of one document, each once."""
    return set(line_keys([l for l in lines if len(l) <= MAX_COUNTED_CHARS and l.strip()]))


def site_of(url: str | None, source: str) -> str:
    """The group a document belongs to for per-site counts: the URL's host, else the source's folder."""
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    head, sep, _ = source.rpartition("#")
    path = head if sep else source
    return path.rsplit("/", 1)[0] if "/" in path else "."


class LineCounts:
    """Document counts per line key, corpus-wide and per site. Merge-able across workers."""

    def __init__(self) -> None:
        self.total: Counter[int] = Counter()
        self.by_site: Counter[tuple[str, int]] = Counter()
        self.documents = 0
        self.site_documents: Counter[str] = Counter()

    def add(self, keys: set[int], site: str | None = None) -> None:
        self.documents += 1
        self.total.update(keys)
        if site is not None:
            self.site_documents[site] += 1
            self.by_site.update((site, k) for k in keys)

    def merge(self, other: "LineCounts") -> None:
        self.documents += other.documents
        self.total.update(other.total)
        self.by_site.update(other.by_site)
        self.site_documents.update(other.site_documents)

    def count(self, line: str) -> int:
        return self.total.get(line_key(line), 0)

    def site_count(self, line: str, site: str) -> int:
        return self.by_site.get((site, line_key(line)), 0)
