"""cleaner: strip site chrome from scraped web text, repair encodings, tag languages, deduplicate.

The API (see README):
    cleaner.clean_text(text, *, html=False, url=None) -> str
    cleaner.clean_document(text_or_html, *, html=False, url=None) -> Document
    cleaner.clean_batch(texts, *, html=False) -> list[str]      # for datasets.map(batched=True)
    cleaner.Pipeline.default(**options).run(inputs) -> Iterator[Document]
    cleaner.write_jsonl(docs, path)

The names are imported on first use (PEP 562), so `cleaner --help` and other commands that need
none of them do not pay for the steps' libraries (ftfy, trafilatura, numpy, ...).
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from cleaner.version import __version__

_LAZY = {
    "clean_batch": "cleaner.api", "clean_document": "cleaner.api", "clean_text": "cleaner.api",
    "Options": "cleaner.config", "Document": "cleaner.document", "Removal": "cleaner.document",
    "Pipeline": "cleaner.pipeline", "available_steps": "cleaner.registry", "register_step": "cleaner.registry",
    "write_jsonl": "cleaner.sinks.jsonl", "Step": "cleaner.steps",
}
__all__ = sorted(_LAZY) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from cleaner.api import clean_batch, clean_document, clean_text
    from cleaner.config import Options
    from cleaner.document import Document, Removal
    from cleaner.pipeline import Pipeline
    from cleaner.registry import available_steps, register_step
    from cleaner.sinks.jsonl import write_jsonl
    from cleaner.steps import Step


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
