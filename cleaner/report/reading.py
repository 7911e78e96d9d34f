"""Reading a corpus for the report: its records in any shape `-o` writes (through
`cleaner.sinks.readback`, as `cleaner stats` reads them), their number, and the run's stats beside it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator


def read_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """The records of a corpus in any shape `-o` writes (JSONL, `.gz`/`.zst`, Parquet, a shard folder or
    pattern, a manifest), read by `cleaner.sinks.readback` as `cleaner stats` reads them.

    A path with no record to read (missing, not JSONL) is a UsageError; a malformed line further in
    is a ValueError naming the file and line.
    """
    from cleaner.errors import UsageError
    from cleaner.sinks.readback import iter_records, open_corpus

    corpus = open_corpus(path)
    if not corpus.files:
        raise UsageError(corpus.problems[0] if corpus.problems else f"{path}: no corpus files")
    seen = 0
    for f in corpus.files:
        problems: list[str] = []
        for rec in iter_records(f, problems):
            seen += 1
            yield rec
        if problems:
            raise (ValueError if seen else UsageError)(problems[0])


def corpus_files(path: Path | str) -> list[Path]:
    from cleaner.sinks.readback import open_corpus

    return open_corpus(path).files


def default_stats_path(corpus: Path) -> Path | None:
    """The stats file written next to the corpus: `corpus.jsonl.stats.json` or `corpus.stats.json`."""
    if corpus.is_dir() or "{shard}" in str(corpus) or corpus.name.endswith("manifest.json"):
        from cleaner.sinks.readback import open_corpus

        manifest = open_corpus(corpus).manifest_path            # a shard set: DIR/stats.json beside it
        if manifest is None:
            return None
        stats = manifest.with_name(manifest.name.replace("manifest.json", "stats.json"))
        return stats if stats.is_file() else None
    name = corpus.name
    candidates = [corpus.with_name(name + ".stats.json")]
    for suffix in (".gz", ".zst"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            candidates.append(corpus.with_name(name + ".stats.json"))
    if name.endswith(".jsonl"):
        candidates.append(corpus.with_name(name[: -len(".jsonl")] + ".stats.json"))
    return next((c for c in candidates if c.is_file()), None)


def count_records(path: Path | str) -> int:
    """Records in the corpus: Parquet's row counts, else non-blank lines read as bytes (cheap next to
    parsing them)."""
    from cleaner.sources.files import open_input

    n = 0
    for f in corpus_files(path):
        if f.name.lower().endswith(".parquet"):
            try:
                import pyarrow.parquet as pq

                n += pq.ParquetFile(str(f)).metadata.num_rows
            except Exception:  # noqa: BLE001  (read_records names the problem)
                pass
            continue
        try:
            with open_input(f, None, str(f)) as fh:
                n += sum(1 for line in fh if line.strip())
        except Exception:  # noqa: BLE001  (read_records names the problem)
            pass
    return n


def load_stats(path: Path | None) -> dict | None:
    if path is None:
        return None
    with open(path, encoding="utf-8") as fh:
        stats = json.load(fh)
    return stats if isinstance(stats, dict) else None
