"""Parquet corpus writer (`-o corpus.parquet`, or Parquet shards): the record schema as columns.

Columns, in the order of the JSONL record: id, text, title, url, source, lang (strings), lang_score
(double), date (string), `removed` (with --explain: list of {line, rule, text}), duplicates (list of
{id, source, similarity}), meta. `meta` holds arbitrary keys per record, which a Parquet schema cannot,
so it is stored as JSON text and flagged in the schema metadata (`cleaner.json_columns`); cleaner's
Parquet reader and `cleaner stats` turn it back into the object.

Rows are written in row groups of ROW_GROUP_ROWS records (zstd-compressed), so memory holds one
group; the file is written to a temporary name and renamed when complete (see atomic.atomic_path).
pyarrow is imported only when Parquet is written. The bytes depend only on the records, never on
`-j`.
"""
from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import orjson

from cleaner.sinks.atomic import write_error
from cleaner.sinks.jsonl import scrub

ROW_GROUP_ROWS = 10_000
ROW_GROUP_BYTES = 64 * 1024 * 1024      # or fewer rows, when their text adds up to this
COMPRESSION = "zstd"
JSON_COLUMNS = "meta"


def record_schema(explain: bool) -> Any:
    import pyarrow as pa

    s = pa.string()
    fields = [pa.field("id", s, nullable=False), pa.field("text", s), pa.field("title", s), pa.field("url", s),
              pa.field("source", s), pa.field("lang", s), pa.field("lang_score", pa.float64()), pa.field("date", s)]
    if explain:
        fields.append(pa.field("removed", pa.list_(pa.struct([("line", pa.int64()), ("rule", s), ("text", s)]))))
    fields.append(pa.field("duplicates", pa.list_(pa.struct([("id", s), ("source", s), ("similarity", pa.float64())]))))
    fields.append(pa.field("meta", s))
    return pa.schema(fields, metadata={b"cleaner.json_columns": JSON_COLUMNS.encode(), b"cleaner.schema": b"1"})


def _row(record: dict[str, Any]) -> dict[str, Any]:
    """A record as a row: `meta` as JSON text, similarities as floats (the record is not changed)."""
    row = dict(record)
    try:
        row["meta"] = orjson.dumps(record.get("meta") or {}).decode("utf-8")
    except TypeError:                       # a lone surrogate (only the Python API can bring one in)
        row["meta"] = orjson.dumps(scrub(record.get("meta") or {})).decode("utf-8")
    row["duplicates"] = [{**d, "similarity": None if d.get("similarity") is None else float(d["similarity"])}
                         for d in record.get("duplicates") or ()]
    return row


class ParquetWriter:
    """Write records (dicts of the record schema) to one Parquet file, atomically.

    Use as a context manager; `write(record)` per record. An exception in the block leaves no file.
    """

    def __init__(self, path: str | Path, *, explain: bool = False):
        self.path, self.explain = Path(path), explain
        self.records = 0
        self._rows: list[dict[str, Any]] = []
        self._size = 0
        self._stack = ExitStack()
        self._writer: Any = None

    def __enter__(self) -> "ParquetWriter":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            from cleaner.sinks.atomic import OutputError

            raise OutputError(f"{self.path}: writing Parquet needs pyarrow (pip install pyarrow)") from None
        from cleaner.sinks.atomic import atomic_path

        self._schema = record_schema(self.explain)
        tmp = self._stack.enter_context(atomic_path(self.path))
        self._writer = pq.ParquetWriter(tmp, self._schema, compression=COMPRESSION)
        return self

    def write(self, record: dict[str, Any]) -> None:
        row = _row(record)
        self._rows.append(row)
        self._size += len(row.get("text") or "") + len(row["meta"])
        self.records += 1
        if len(self._rows) >= ROW_GROUP_ROWS or self._size >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._rows:
            return
        import pyarrow as pa

        try:
            table = pa.Table.from_pylist(self._rows, schema=self._schema)
        except (UnicodeEncodeError, pa.ArrowException):   # a lone surrogate from the Python API
            table = pa.Table.from_pylist([scrub(r) for r in self._rows], schema=self._schema)
        try:
            self._writer.write_table(table, row_group_size=len(self._rows))
        except OSError as e:
            raise write_error(self.path, e) from None
        self._rows, self._size = [], 0

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is None:
                self._flush()
            try:
                self._writer.close()
            except OSError as e:
                raise write_error(self.path, e) from None
        except BaseException as e:          # the write itself failed: no file at the target
            if exc_type is None:
                self._stack.__exit__(type(e), e, e.__traceback__)
                raise
        self._stack.__exit__(exc_type, exc, tb)   # rename into place, or discard on an exception
