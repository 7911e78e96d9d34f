"""The one record type that flows through the pipeline, from source to sink."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Removal:
    """A line taken out of a document: where it was, which rule or signal took it, and its text.

    `line` is the 1-based line number in the text the source produced (for scraped text: the file).
    `rule` is `family/rule-id` for a rule, `structure/<what>` or `heuristic/<signal>` otherwise.
    """

    line: int
    rule: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "rule": self.rule, "text": self.text}


@dataclass
class Document:
    """A document on its way through the steps.

    A source fills `id`, `source`, and either `text` (scraped text) or `html` (a page); steps refine
    `text` and fill `title`, `lang`, `removed`…; corpus steps fill `duplicates`.
    """

    id: str
    source: str
    text: str = ""
    html: str | None = None
    title: str | None = None
    url: str | None = None
    date: str | None = None
    lang: str = "und"
    lang_score: float = 0.0
    removed: list[Removal] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    # Not part of the record: set by the step that drops the document, for stats and --rejects.
    drop_reason: str | None = None
    # Original line numbers of the current `text` lines (1-based), kept in step with `text` by the
    # line-editing helpers so that every Removal can name the line of the input it came from.
    line_numbers: list[int] | None = None
    # Not part of the record: where the text came from ("text" as scraped, "html" once extracted
    # from a page); a step with `applies_to` runs only on documents of those origins.
    origin: str = "text"
    # Not part of the record: things worth counting in the stats ("extract/fallback", …).
    events: list[str] = field(default_factory=list)
    # Not part of the record: one entry per step call, (step, seconds, lines removed, events counted),
    # written by `cleaner.steps.run.apply_steps` and summed into the per-step stats.
    step_log: list[tuple[str, float, int, tuple[str, ...]]] = field(default_factory=list)
    # Not part of the record: input line numbers no step removes (a Markdown file's headings, lists,
    # code blocks: cleaner.markdown); None until the pipeline has looked at the text as read.
    protected: frozenset[int] | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n") if self.text else []

    def record(self, explain: bool = False) -> dict[str, Any]:
        """The JSONL record of the contract (key order fixed, so output bytes are stable)."""
        rec: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "lang": self.lang,
            "lang_score": round(self.lang_score, 4),
            "date": self.date,
        }
        if explain:
            rec["removed"] = [r.to_dict() for r in self.removed]
        rec["duplicates"] = self.duplicates
        rec["meta"] = self.meta
        return rec
