"""Step "heuristics": drop the chrome lines no rule names, with a small line classifier.

Runs after the phrase rules ("chrome") and the structural step, on the lines they left. Each line
gets explainable features (shape, position and runs, lexical tie to the body, stop-word density,
repetition across the corpus when `bind` gave counts) and a probability from the shipped
gradient-boosted trees; lines above the mode's threshold go, each with the reason
`heuristic/<signal>` naming the strongest signal behind it.
"""
from __future__ import annotations

from pathlib import Path

from cleaner.classifier.features import FEATURE_NAMES, line_features
from cleaner.classifier.model import ChromeModel, default_model
from cleaner.document import Document
from cleaner.linefreq import LineCounts, site_of
from cleaner.registry import register_step
from cleaner.steps import drop_lines

MODES = ("strict", "balanced", "aggressive")
_F = {name: i for i, name in enumerate(FEATURE_NAMES)}


def explain(row: list[float]) -> str:
    """The dominant human-readable signal behind a dropped line."""
    if row[_F["corpus_count"]] >= 2 or row[_F["site_count"]] >= 2:
        return "heuristic/repeated-across-corpus"
    if row[_F["has_email"]] or row[_F["has_phone"]]:
        return "heuristic/contact"
    if row[_F["has_url"]]:
        return "heuristic/url"
    if row[_F["has_copyright"]]:
        return "heuristic/copyright"
    if row[_F["has_reading_time"]]:
        return "heuristic/reading-time"
    if row[_F["short_run"]] >= 3:
        return "heuristic/menu-run"
    if row[_F["n_words"]] <= 6 and row[_F["has_date"]]:
        return "heuristic/date-line"
    if row[_F["digit_tok_ratio"]] >= 0.5:
        return "heuristic/counter"
    if row[_F["dup_in_doc"]] >= 2:
        return "heuristic/repeated-in-document"
    if row[_F["before_first_prose"]]:
        return "heuristic/short-head"
    if row[_F["after_last_prose"]]:
        return "heuristic/short-tail"
    if row[_F["lex_tie"]] == 0:
        return "heuristic/no-tie-to-body"
    return "heuristic/model"


@register_step("heuristics")
class HeuristicsStep:
    """Remove chrome lines by classifier. `mode`: strict (fewest removals) | balanced | aggressive."""

    name = "heuristics"

    def __init__(self, mode: str = "balanced", model: str | Path | ChromeModel | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if model is None:
            self.model = default_model()
        elif isinstance(model, ChromeModel):
            self.model = model
        else:
            self.model = ChromeModel.from_path(model)
        self.mode = mode
        self.threshold = self.model.thresholds[mode]
        self.counts: LineCounts | None = None

    def bind(self, counts: LineCounts) -> None:
        """Give the step the corpus-wide line counts of the first pass (optional)."""
        self.counts = counts

    def scores(self, doc: Document) -> list[tuple[int, float, list[float]]]:
        """(line index, chrome probability, features) for each non-blank line of the current text."""
        site = site_of(doc.url, doc.source) if self.counts is not None else None
        idx, rows = line_features(doc.lines, self.counts, site)
        return [(i, self.model.probability(r), r) for i, r in zip(idx, rows)]

    def candidate(self, row: list[float]) -> bool:
        """Strict and balanced only touch the head and tail blocks (outside the first..last prose
        line) and lines repeated across the corpus: lists and tables inside the body are content
        far more often than not. Aggressive looks everywhere."""
        return (self.mode == "aggressive" or row[_F["before_first_prose"]] > 0 or row[_F["after_last_prose"]] > 0
                or row[_F["corpus_count"]] >= 2)

    def __call__(self, doc: Document) -> Document | None:
        if not doc.text:
            return doc
        reasons = {i: explain(r) for i, p, r in self.scores(doc) if p >= self.threshold and self.candidate(r)}
        return drop_lines(doc, reasons)
