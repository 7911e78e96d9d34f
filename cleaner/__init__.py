"""cleaner: strip site chrome from scraped web text, repair encodings, tag languages, deduplicate.

The API (see README):
    cleaner.clean_text(text, *, html=False, url=None) -> str
    cleaner.clean_document(text_or_html, *, html=False, url=None) -> Document
    cleaner.clean_batch(texts, *, html=False) -> list[str]      # for datasets.map(batched=True)
    cleaner.Pipeline.default(**options).run(inputs) -> Iterator[Document]
    cleaner.write_jsonl(docs, path)
"""
from __future__ import annotations

from cleaner.api import clean_batch, clean_document, clean_text
from cleaner.config import Options
from cleaner.document import Document, Removal
from cleaner.pipeline import Pipeline
from cleaner.registry import available_steps, register_step
from cleaner.sinks.jsonl import write_jsonl
from cleaner.steps import Step

__version__ = "0.1.0"
__all__ = [
    "Document", "Options", "Pipeline", "Removal", "Step", "available_steps", "clean_batch",
    "clean_document", "clean_text", "register_step", "write_jsonl", "__version__",
]
