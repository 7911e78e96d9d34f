"""Per-document steps. A step is a `Step` (cleaner.steps.base: the contract) with a `name` and
`__call__(doc) -> doc | None`.

Returning None drops the document; the step sets `doc.drop_reason` first so the stats and
`--rejects` can say why. Steps that remove lines go through `drop_lines`, which keeps `removed`
and the original line numbers right. Importing this package registers the built-in steps.
"""
from __future__ import annotations

from typing import Mapping

from cleaner.document import Document, Removal
from cleaner.steps.base import CallableStep, Step

__all__ = ["CallableStep", "Step", "drop_lines", "original_line_numbers"]

def original_line_numbers(doc: Document) -> list[int]:
    """1-based input line numbers of the current text lines (identity until a step drops lines)."""
    lines = doc.lines
    if doc.line_numbers is None or len(doc.line_numbers) != len(lines):
        doc.line_numbers = list(range(1, len(lines) + 1))
    return doc.line_numbers


def drop_lines(doc: Document, reasons: Mapping[int, str]) -> Document:
    """Remove the lines at these 0-based indices of the current text, recording each with its reason.

    Blank lines are removed silently (they are layout, not content). Lines the document protects
    (`doc.protected`: a Markdown file's structure) stay, whatever the reason.
    """
    if not reasons:
        return doc
    lines = doc.lines
    numbers = original_line_numbers(doc)
    protected = doc.protected or frozenset()
    keep_lines: list[str] = []
    keep_numbers: list[int] = []
    for i, (line, no) in enumerate(zip(lines, numbers)):
        rule = reasons.get(i)
        if rule is None or no in protected:
            keep_lines.append(line)
            keep_numbers.append(no)
        elif line.strip():
            doc.removed.append(Removal(line=no, rule=rule, text=line))
    doc.text = "\n".join(keep_lines)
    doc.line_numbers = keep_numbers
    return doc


def _register_builtins() -> None:
    # Each module registers its steps with @register_step when imported. A module that is missing
    # (being built) must not break the others.
    import importlib

    for mod in ("extract", "repair", "normalize", "chrome", "structure", "heuristics", "langid", "filters"):
        try:
            importlib.import_module(f"cleaner.steps.{mod}")
        except ModuleNotFoundError as e:
            if e.name != f"cleaner.steps.{mod}":
                raise


_register_builtins()
