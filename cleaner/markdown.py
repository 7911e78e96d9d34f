"""The Markdown structure of a `.md` document: the lines no cleaning step removes.

A Markdown file's headings, list items, code blocks (fenced and indented), tables and thematic
breaks are its author's structure, not a web page's chrome: `# Changelog` above a short list is
shaped exactly like a site menu, and a code block's lines look like nothing the line classifier
has seen. The block structure comes from markdown-it-py (CommonMark, with GFM tables), which knows
where an indented code block starts and where a list item's continuation ends; the pipeline reads
it once, on the text as the source produced it (before normalisation strips the indentation).
Paragraphs and block quotes are left to the steps: a scraped page saved as `.md` still has its
"Share this article" lines removed.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterator

from cleaner.sources.files import COMPRESSED_SUFFIXES

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
# block tokens whose line span (token.map) is structure
_STRUCTURE = frozenset({"heading_open", "list_item_open", "fence", "code_block", "table_open", "hr"})


def is_markdown(source: str) -> bool:
    """`source` names a Markdown file (`notes.md`, `notes.md.gz`); a record of a JSONL file is not one."""
    if "#" in source and source.rpartition("#")[2].isdigit():
        return False
    low = source.lower()
    for suf in COMPRESSED_SUFFIXES:
        if low.endswith(suf):
            low = low[: -len(suf)]
            break
    return low.endswith(MARKDOWN_SUFFIXES)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


def _blocks(text: str) -> Iterator[tuple[str, int, int]]:
    """(token type, first line, last line) of the structure blocks, 1-based and inclusive."""
    # markdown-it treats a lone CR as a line break too; the pipeline numbers lines by LF only
    src = text.replace("\r\n", "\n").replace("\r", " ")
    for tok in _parser().parse(src):
        if tok.type in _STRUCTURE and tok.map:
            yield tok.type, tok.map[0] + 1, tok.map[1]


def structure_lines(text: str) -> frozenset[int]:
    """1-based numbers of the non-blank lines (`\n`-separated, as the pipeline numbers input lines)
    that are Markdown structure: headings, list items with their continuation lines, fenced and
    indented code blocks, tables, thematic breaks."""
    lines = text.split("\n")
    return frozenset(no for _, a, b in _blocks(text) for no in range(a, b + 1)
                     if no <= len(lines) and lines[no - 1].strip())


def code_lines(text: str) -> frozenset[int]:
    """1-based numbers of the lines of fenced and indented code blocks (fences included): literal
    text, where `fix` repairs nothing."""
    return frozenset(no for t, a, b in _blocks(text) if t in ("fence", "code_block") for no in range(a, b + 1))
