"""One-call cleaning for use inside other pipelines (a generator, a pandas column, datasets.map).

These run the per-document steps of the default pipeline on one text at a time: no corpus pass and no
dedup (those need the whole corpus: use `Pipeline.run`). The pipeline is built once per process.
A text is judged exactly as `cleaner clean` judges it when it is the only document of the run (and
as `cleaner explain`, `check` and `fix` judge a file); in a corpus, lines that recur in other
documents may go too (`heuristic/repeated-across-corpus`).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable

from cleaner.document import Document
from cleaner.pipeline import Pipeline
from cleaner.sources import stable_id


@lru_cache(maxsize=1)
def _default_pipeline() -> Pipeline:
    return Pipeline.default(config=None, jobs=1, dedup="none")


def clean_document(text_or_html: str, *, html: bool = False, url: str | None = None,
                   source: str | None = None) -> Document:
    """Clean one text (or page, with html=True) into a Document with text, title, lang, removed…

    `source` names the file the text came from, as `cleaner clean` would: a `.md` name makes its
    Markdown structure (headings, lists, code blocks) safe from every step.
    A document that cleaning empties comes back with empty text and its `drop_reason` set.
    """
    if not isinstance(text_or_html, str):
        raise TypeError(f"clean_document takes str, not {type(text_or_html).__name__}")
    doc = Document(id=stable_id("<api>", text_or_html), source=source or url or "<api>", url=url,
                   text="" if html else text_or_html, html=text_or_html if html else None)
    from cleaner.pipeline import apply_steps

    out = apply_steps(_default_pipeline().steps, doc)
    if out.failure is not None:
        raise ValueError(out.failure.reason)
    result = out.doc
    assert result is not None
    if out.dropped:
        result.text = ""
    return result


def clean_text(text: str, *, html: bool = False, url: str | None = None) -> str:
    """The clean text of one scraped text (or page, with html=True)."""
    return clean_document(text, html=html, url=url).text


def clean_batch(texts: Iterable[str], *, html: bool = False) -> list[str]:
    """Clean a batch of texts; for `datasets.Dataset.map(batched=True)` and pandas columns."""
    return [clean_text(t, html=html) for t in texts]
