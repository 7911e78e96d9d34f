"""A linear pre-scan of a page's markup that refuses what would stall the parser, before parsing.

libxml2 (lxml's HTML parser) checks each attribute of a start tag against the ones before it, so one
element with n attributes costs n² in C code that no signal interrupts: 50,000 attributes on one
`<div>` (540 KB) took 52 s, 500,000 (5.9 MB) more than 300 s. htmldate then walks those attributes
again per element. Real pages stay far below the limits here: over the 1,336 pages of the WCXB
development set the most attributes on one element were 136 and the most elements 15,795.
The scan is one regular-expression pass over the text (plus a count of `<`), so it costs next to
nothing on a normal page; only start tags longer than 2 × MAX_ATTRIBUTES characters are looked at.

What the scan cannot see (an adversary splitting a tag with quoted `<`, slow Python code on a page
that passes) is stopped by the per-page time limit (`cleaner.engines.watchdog`).
"""
from __future__ import annotations

import re

MAX_ATTRIBUTES = 1_000       # on one element (real pages: at most ~140)
MAX_TAGS = 1_000_000         # elements in one page (real pages: at most ~16,000; 1M tags took ~60 s)

# A start tag long enough to hold MAX_ATTRIBUTES attributes (each at least " a"). `[^<>]` stops at
# the next `<`, so every character is scanned from at most one tag start: linear on any input.
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{%d,}" % (2 * MAX_ATTRIBUTES))
# Quoted attribute values (which may hold spaces and `=`); an unclosed quote fails once and there
# is no later quote of that kind to retry from, so this stays linear too.
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")
# One attribute once the values are gone: `name`, `name=`, `name=value`.
_ATTRIBUTE = re.compile(r"[^\s=/]+(?:\s*=\s*[^\s=]*)?")
_TAG_START = re.compile(r"<[A-Za-z]")


def most_attributes(html: str) -> int:
    """The largest number of attributes on one start tag, counting only tags long enough to pass
    MAX_ATTRIBUTES (shorter tags report 0: they cannot exceed the limit)."""
    most = 0
    for m in _LONG_TAG.finditer(html):
        body = _QUOTED.sub("v", m.group()[1:])
        n = len(_ATTRIBUTE.findall(body)) - 1          # the first token is the tag name
        most = max(most, n)
    return most


def markup_problem(html: str) -> str | None:
    """Why this page's markup is refused ("50,000 attributes on one element"), or None."""
    if html.count("<") > MAX_TAGS:
        tags = sum(1 for _ in _TAG_START.finditer(html))
        if tags > MAX_TAGS:
            return f"{tags:,} tags, more than {MAX_TAGS:,}"
    attributes = most_attributes(html)
    if attributes > MAX_ATTRIBUTES:
        return f"{attributes:,} attributes on one element"
    return None
