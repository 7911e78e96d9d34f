"""Last per-document step: tidy the text into its record form and drop documents not worth keeping.

Blank lines go (paragraphs are separated by a single newline, as the contract says); a document with
no text left, shorter than `min_chars`, or outside the wanted languages is dropped with its reason.
"""
from __future__ import annotations

from cleaner.document import Document
from cleaner.registry import register_step
from cleaner.steps import original_line_numbers
from cleaner.config import Options
from cleaner.steps.base import Step


@register_step("filters")
class Filters(Step):
    name = "filters"

    @classmethod
    def settings(cls, options, shared):
        """The languages of `--lang` and the minimum length."""
        return {"langs": options.langs, "min_chars": options.min_chars}

    def __init__(self, langs: tuple[str, ...] | list[str] = (), min_chars: int = Options.min_chars):
        self.langs = {l.strip().lower() for l in langs if l.strip()}
        self.min_chars = max(1, int(min_chars))

    def __call__(self, doc: Document) -> Document | None:
        numbers = original_line_numbers(doc)
        kept = [(l, n) for l, n in zip(doc.lines, numbers) if l.strip()]
        doc.text = "\n".join(l for l, _ in kept)
        doc.line_numbers = [n for _, n in kept]
        if len(doc.text) < self.min_chars:
            doc.drop_reason = "empty after cleaning" if not doc.text else f"shorter than {self.min_chars} characters"
            return None
        if self.langs and doc.lang not in self.langs:
            doc.drop_reason = f"language {doc.lang} not in {','.join(sorted(self.langs))}"
            return None
        return doc
