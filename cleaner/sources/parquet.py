"""Parquet files (`.parquet`: Hugging Face datasets and most corpus dumps): one document per row.

A row reads like a JSONL record (see jsonl.record_to_item): its `html` column (when present and not
empty) or its `text` column is the document, `id` and `url` are kept, every other column goes to
`meta`. `source` is `path#N` with N the 1-based row number in the file. A file with neither a `text`
nor an `html` column, or one that is not Parquet, is an InputError (one line, the run goes on); a
row without text is a Failure.

Streaming: pyarrow reads the footer, then the file batch by batch (`iter_batches`, a row group at a
time underneath), so a file larger than memory is fine; only the columns are read, never the file
whole. pyarrow is imported only when a Parquet file is read.

Values that JSON cannot hold become strings: dates and times in ISO 8601, decimals as text, binary
cells as base64 (a binary `text`/`html` column is decoded as text instead). A Parquet file written by
cleaner (`-o corpus.parquet`) stores `meta` as JSON text; it is read back as the object it was.
"""
from __future__ import annotations

import base64
import datetime as _dt
import decimal
from pathlib import Path
from typing import Any, Iterator

import orjson

from cleaner.sources import Failure, InputError, Item, register_reader
from cleaner.sources.decode import decode_bytes
from cleaner.sources.jsonl import record_to_item

BATCH_ROWS = 256
# Schema metadata key cleaner's Parquet writer sets: the columns holding JSON text (b"meta").
JSON_COLUMNS_KEY = b"cleaner.json_columns"


def _short(e: BaseException) -> str:
    text = " ".join(str(e).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _plain(value: Any) -> Any:
    """A cell as a JSON-friendly value (for `meta`)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if all(isinstance(x, tuple) and len(x) == 2 for x in value) and value:   # a Parquet map
            return {str(k): _plain(v) for k, v in value}
        return [_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def _row_to_item(row: dict[str, Any], where: str, json_columns: set[str], max_bytes: int | None) -> Item:
    for key in ("html", "text"):
        v = row.get(key)
        if isinstance(v, (bytes, bytearray)):
            try:
                row[key] = decode_bytes(bytes(v), where) if v.strip() else None
            except InputError as e:
                return Failure(where, f"column {key!r}: {e.reason}", e.kind)
        v = row.get(key)
        if max_bytes and isinstance(v, str) and len(v) > max_bytes:
            return Failure(where, f"column {key!r} holds {len(v)} characters, over the limit of {max_bytes} "
                                  f"(--max-bytes)", "too-large")
    for key in json_columns:
        v = row.get(key)
        if isinstance(v, str):
            try:
                row[key] = orjson.loads(v)
            except orjson.JSONDecodeError:
                pass
    rec = {k: (v if k in ("text", "html") else _plain(v)) for k, v in row.items()}
    return record_to_item(rec, where)


@register_reader("parquet", (".parquet", ".pq"), needs_path=True)
def read_parquet(path: Path, source: str, max_bytes: int | None = None) -> Iterator[Item]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(source, "reading Parquet needs pyarrow (pip install pyarrow)", "unsupported") from None
    try:
        pf = pq.ParquetFile(path if hasattr(path, "read") else str(path))   # the footer only (a path or an open remote file)
        schema = pf.schema_arrow
    except Exception as e:  # noqa: BLE001  (ArrowInvalid, OSError…: not Parquet, or cut short)
        raise InputError(source, f"not a readable Parquet file ({type(e).__name__}: {_short(e)})", "corrupt") from None
    names = list(schema.names)
    if "text" not in names and "html" not in names:
        shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
        raise InputError(source, f"Parquet file has neither a 'text' nor an 'html' column (columns: {shown or 'none'})")
    meta = schema.metadata or {}
    json_columns = {c for c in meta.get(JSON_COLUMNS_KEY, b"").decode("utf-8", "replace").split(",") if c}
    n = 0
    batches = pf.iter_batches(batch_size=BATCH_ROWS)
    while True:
        try:
            batch = next(batches)
            rows = batch.to_pylist()
        except StopIteration:
            return
        except Exception as e:  # noqa: BLE001  (a damaged page or row group: the rest cannot be found)
            yield Failure(f"{source}#{n + 1}", f"damaged Parquet data, rest of file skipped "
                                               f"({type(e).__name__}: {_short(e)})", "corrupt")
            return
        for row in rows:
            n += 1
            yield _row_to_item(row, f"{source}#{n}", json_columns, max_bytes)
