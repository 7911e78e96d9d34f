"""Text normalisation and shingling for dedup: what makes two copies of a story look the same.

Case, width, whitespace, line wrapping, quote style and punctuation are folded (only runs of letters
and digits survive, joined by one space). Digits are kept: folding them chains unrelated templated
reports ("Shr 3 cts vs 4 cts") into one cluster.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Callable, Iterable

from cleaner.linefreq import MAX_COUNTED_CHARS, LineCounts, line_key

_WORD = re.compile(r"[^\W_]+")

TemplateTest = Callable[[str], bool]


def words(text: str) -> list[str]:
    """The normalised words of a text: NFKC, casefolded, punctuation and quotes dropped."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def exact_key(all_words: list[str]) -> int | None:
    """64-bit hash of the normalised text; None for a text without words (never a duplicate)."""
    if not all_words:
        return None
    digest = hashlib.blake2b(" ".join(all_words).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def template_keys_from(counts: LineCounts, threshold: int = 10) -> frozenset[int]:
    """Line keys held by more than `threshold` documents of the corpus: template, not story."""
    total = counts.total
    if hasattr(total, "keys_over"):           # LineCounts' compact table
        return frozenset(total.keys_over(threshold))
    return frozenset(k for k, n in total.items() if n > threshold)


def as_template_test(template_keys: "Iterable[int] | TemplateTest | None") -> TemplateTest | None:
    """A predicate line -> is-template from a set of line keys, a callable, or None (no template)."""
    if template_keys is None:
        return None
    if callable(template_keys):
        return template_keys
    keys = template_keys if isinstance(template_keys, (set, frozenset)) else frozenset(template_keys)
    if not keys:
        return None
    return lambda line: len(line) <= MAX_COUNTED_CHARS and line_key(line) in keys


def story_words(text: str, is_template: TemplateTest | None, all_words: list[str] | None = None) -> list[str]:
    """Normalised words of the lines that are not template (`all_words` when no line is template)."""
    if all_words is None:
        all_words = words(text)
    if is_template is None:
        return all_words
    lines = text.split("\n")
    kept = [line for line in lines if line.strip() and not is_template(line)]
    if len(kept) == sum(1 for line in lines if line.strip()):
        return all_words
    return words("\n".join(kept))


def shingles(story: list[str], size: int) -> list[str]:
    """Word n-grams of the story words; a story shorter than n words is one shingle."""
    if len(story) <= size:
        return [" ".join(story)] if story else []
    return list(map(" ".join, zip(*(story[i:] for i in range(size)))))
