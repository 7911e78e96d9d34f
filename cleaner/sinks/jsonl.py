"""JSONL corpus, stats and rejects writers (orjson: fast, and byte-stable for the same records)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import orjson

from cleaner.document import Document
from cleaner.sinks.atomic import atomic_output


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line. A lone surrogate (only the Python API can bring one in) becomes U+FFFD."""
    try:
        return orjson.dumps(record) + b"\n"
    except TypeError:
        return orjson.dumps(scrub(record)) + b"\n"


def scrub(value: Any) -> Any:
    """`value` with every lone surrogate in its strings (keys included) replaced by U+FFFD, so that
    it encodes as UTF-8 (JSON here, Parquet in sinks/parquet.py)."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def write_jsonl(docs: Iterable[Document | dict[str, Any]], path: str | Path, *, explain: bool = False) -> int:
    """Write documents (or ready records) to `path` atomically; returns how many were written."""
    n = 0
    with atomic_output(path) as out:
        for d in docs:
            out.write(dumps(d.record(explain) if isinstance(d, Document) else d))
            n += 1
    return n


def reject_record(doc: Document) -> dict[str, Any]:
    return {"id": doc.id, "source": doc.source, "url": doc.url, "reason": doc.drop_reason, "text": doc.text}


def write_json(obj: Any, path: str | Path) -> None:
    with atomic_output(path) as out:
        out.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")
