"""Reading a written corpus back, whatever shape `-o` gave it: for `cleaner stats` and your scripts.

`open_corpus(PATH)` takes a JSONL file (`.gz`/`.zst` too), a Parquet file, a shard folder, a shard
pattern with `{shard}`, or a manifest, and gives the files in corpus order with the manifest (when
there is one) and the problems found on the way; `iter_records(files)` yields the records as dicts,
the same dicts for every format (Parquet's JSON `meta` column is turned back into its object).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from cleaner.sinks.shards import ShardSpec

MAX_LINE_PROBLEMS = 5        # malformed lines named one by one in a file; the rest are counted


@dataclass
class Corpus:
    path: str
    files: list[Path]
    manifest: dict[str, Any] | None = None
    manifest_path: Path | None = None
    problems: list[str] = field(default_factory=list)


def _find_manifest(folder: Path) -> Path | None:
    plain = folder / "manifest.json"
    if plain.is_file():
        return plain
    found = sorted(folder.glob("*.manifest.json"))
    return found[0] if len(found) == 1 else None


def _from_manifest(path: str, manifest_path: Path) -> Corpus:
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        shards = manifest["shards"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return Corpus(path, [], problems=[f"{manifest_path}: unreadable manifest ({type(e).__name__}: {e})"])
    files = [manifest_path.parent / s["file"] for s in shards]
    return Corpus(path, files, manifest, manifest_path)


def open_corpus(path: str | Path) -> Corpus:
    p = str(path)
    if "{shard}" in p:
        spec = ShardSpec.parse(p)
        if spec.manifest.is_file():
            return _from_manifest(p, spec.manifest)
        files = sorted(f for f in spec.folder.iterdir() if spec.matches(f.name)) if spec.folder.is_dir() else []
        return Corpus(p, files, problems=[f"{spec.manifest}: no manifest: an incomplete shard set (a killed run?) "
                                          f"or not written by cleaner"])
    q = Path(p)
    if q.is_dir():
        m = _find_manifest(q)
        if m is not None:
            return _from_manifest(p, m)
        files = sorted(f for f in q.iterdir() if f.is_file() and not f.name.startswith(".") and
                       f.name.lower().endswith((".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet")))
        return Corpus(p, files, problems=[f"{q}: no manifest.json: an incomplete shard set (a killed run?) "
                                          f"or not written by cleaner; reading {len(files)} files found"])
    if q.name.endswith("manifest.json") and q.is_file():
        return _from_manifest(p, q)
    if not q.exists():
        return Corpus(p, [], problems=[f"{p}: no such file or directory"])
    return Corpus(p, [q])


def iter_records(file: Path, problems: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The records of one corpus file (JSONL, compressed or not, or Parquet)."""
    problems = problems if problems is not None else []
    if file.name.lower().endswith(".parquet"):
        yield from _parquet_records(file, problems)
        return
    import orjson

    from cleaner.sources import InputError
    from cleaner.sources.files import open_input

    try:
        with open_input(file, None, str(file)) as f:
            good = bad = 0
            for n, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    rec = orjson.loads(line)
                except orjson.JSONDecodeError as e:
                    rec, error, what = None, f"malformed JSON line ({e})", "not JSON"
                else:
                    error = what = None if isinstance(rec, dict) else "not a JSON object"
                if error is None:
                    good += 1
                    yield rec
                    continue
                if not good:                   # a text file, a log, a JSON array: one line, not one per line
                    problems.append(f"{file}: not a JSONL corpus (line {n} is {what})")
                    return
                bad += 1
                if bad <= MAX_LINE_PROBLEMS:
                    problems.append(f"{file}#{n}: {error}")
            if bad > MAX_LINE_PROBLEMS:
                problems.append(f"{file}: {bad - MAX_LINE_PROBLEMS} more malformed lines")
    except InputError as e:
        problems.append(f"{e.source}: {e.reason}")
    except (EOFError, OSError) as e:
        problems.append(f"{file}: corrupt or truncated ({type(e).__name__}: {e})")
    except Exception as e:  # noqa: BLE001  (zstandard errors)
        problems.append(f"{file}: unreadable ({type(e).__name__}: {e})")


def _parquet_records(file: Path, problems: list[str]) -> Iterator[dict[str, Any]]:
    import orjson

    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(str(file))
        json_cols = {c for c in (pf.schema_arrow.metadata or {}).get(b"cleaner.json_columns", b"").decode().split(",") if c}
        for batch in pf.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                for c in json_cols:
                    if isinstance(row.get(c), str):
                        row[c] = orjson.loads(row[c])
                yield row
    except Exception as e:  # noqa: BLE001  (ArrowInvalid, OSError, ImportError: one line, go on)
        problems.append(f"{file}: unreadable Parquet ({type(e).__name__}: {e})")
