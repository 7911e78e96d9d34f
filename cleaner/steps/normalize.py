"""Step "normalize": whitespace and invisible-character normalisation, line by line.

What it does to each line: control characters out, invisible formatting characters that carry no
meaning out, tabs to spaces, runs of spaces collapsed, the line stripped. Typographic spaces stay:
rules, dedup and language ID fold them in their own normalisation, and the text keeps them.

Choices:
- Line breaks: `\r\n` -> `\n`. A lone `\r` (old Mac files), U+2028 and U+2029 also end a line; the
  pieces inherit the input line number of the line they came from (`doc.line_numbers`), so every
  later Removal still names a real input line. No line is ever removed, blank lines included (the
  pipeline drops blanks later, through `drop_lines`), so runs of blank lines are NOT collapsed here.
- Removed: C0 controls except tab and newline (VT, FF and the separators FS..US become a space: they
  separate words), DEL, ZERO WIDTH SPACE, WORD JOINER, BOM / ZWNBSP inside text, SOFT HYPHEN (an invisible hyphenation
  hint that splits words for matching), invisible math operators U+2061-2064.
- Kept: C1 controls U+0080-009F. They are cp1252 punctuation mis-decoded (`\x93`), which the repair
  step turns into the right character (ftfy's fix_c1_controls), so removing them here would destroy
  what repair can fix if the steps run in another order; the five that survive repair are undefined
  in cp1252 and kept as the HTML standard and ftfy keep them (the encoding bench expects them:
  removing them costs 2 of its cases and the 0.95 bar).
- Kept: ZWJ (emoji sequences, Indic conjuncts) and ZWNJ (Persian, Indic), direction marks and
  isolates (mixed right-to-left text), variation selectors and tag characters (emoji, flags),
  U+180E (Mongolian).
- Spaces: tab (and the separators above) -> ` `. Kept: NBSP, thin and narrow spaces, U+2000-200A,
  IDEOGRAPHIC SPACE: they are typography the author chose (a thin space in ". . .", the French
  narrow NBSP before ";", CJK full-width spacing), and the seeds' expected text keeps them; a line
  made only of them is still blank to every step (`str.strip` removes them).
Idempotent and total: any str in, a str out.
"""
from __future__ import annotations

import re

from cleaner.document import Document
from cleaner.registry import register_step
from cleaner.steps import original_line_numbers
from cleaner.steps.base import Step

_REMOVED = (
    [c for c in range(0x00, 0x20) if c not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F)]
    + [0x7F]
    + [0x00AD, 0x200B, 0x2060, 0xFEFF, 0x2061, 0x2062, 0x2063, 0x2064]
)
_SPACES = [0x09, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F]
_INVISIBLE: dict[int, str | None] = {c: None for c in _REMOVED}
_TABLE: dict[int, str | None] = {**_INVISIBLE, **{c: " " for c in _SPACES}}

_EXTRA_BREAK = re.compile("\r\n?|[\u2028\u2029]")
_SPACE_RUN = re.compile(" {2,}")


def remove_invisible(line: str) -> str:
    """The line without the invisible characters listed above; every space and tab left as it was
    (what `cleaner fix` applies to a file: its layout is the author's)."""
    return line.translate(_INVISIBLE)


def normalize_line(line: str) -> str:
    """One line (no line breaks in it) with controls removed, spaces unified and collapsed, stripped."""
    line = line.translate(_TABLE)
    if "  " in line:
        line = _SPACE_RUN.sub(" ", line)
    return line.strip()   # every kind of space at the ends goes; inside, typographic spaces stay


def split_line(line: str) -> list[str]:
    """A `\\n`-free line cut at its other line breaks (CR, CRLF, U+2028, U+2029); a trailing CR is
    the end of the line, not an empty extra line."""
    if "\r" not in line and "\u2028" not in line and "\u2029" not in line:
        return [line]
    if line.endswith("\r"):
        line = line[:-1]
    return _EXTRA_BREAK.split(line)


def normalize_text(text: str) -> str:
    """The whole text normalised; lines are kept (never joined or dropped)."""
    return "\n".join(normalize_line(piece) for line in text.split("\n") for piece in split_line(line))


class Normalize(Step):
    """Normalises `doc.text` line by line (keeping `doc.line_numbers` in step) and `doc.title`."""

    name = "normalize"

    def __call__(self, doc: Document) -> Document:
        if doc.text:
            lines = doc.lines
            numbers = original_line_numbers(doc)
            out_lines: list[str] = []
            out_numbers: list[int] = []
            for line, no in zip(lines, numbers):
                for piece in split_line(line):
                    out_lines.append(normalize_line(piece))
                    out_numbers.append(no)
            doc.text = "\n".join(out_lines)
            doc.line_numbers = out_numbers if doc.text else []
        if doc.title:
            title = " ".join(normalize_line(p) for line in doc.title.split("\n") for p in split_line(line))
            doc.title = normalize_line(title) or None
        return doc


register_step("normalize")(Normalize)
