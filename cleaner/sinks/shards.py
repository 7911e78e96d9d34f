"""Sharded output (`-o DIR/` or `-o 'DIR/name-{shard}.jsonl.zst'`): size-bounded shards, one manifest.

A sink over the ordered record stream the engine yields, so it behaves the same for the local and
the Ray engine, and the shards are byte-identical for any `-j`: a shard is closed before the record
that would take it past `shard_size` bytes of JSONL (the records' bytes before compression, the
measure Hugging Face's `max_shard_size` uses too; a larger record gets a shard of its own). Shard N
is `part-0000N.jsonl.zst` in DIR mode, or the pattern with `{shard}` replaced by N on five digits;
a `.parquet` pattern writes Parquet shards (see parquet.py).

Atomic as a set: shards are written into a hidden staging folder beside them; only when every shard
is complete are they moved into place, the shards of an older run that the new set does not reuse
removed, and the manifest (`manifest.json`: per shard its records, bytes, sha256, first and last id,
languages, characters) written last. A set is complete exactly when its manifest is there: a killed
run leaves the previous set and its manifest untouched (and a hidden staging folder, removed by the
next run), and `cleaner stats DIR` checks the shards against the manifest. A lock file keeps two
runs from writing the same set at once.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.sinks.atomic import atomic_output, output_lock, signals_held, write_error
from cleaner.sinks.jsonl import dumps

DEFAULT_SHARD_SIZE = 256 * 1000 * 1000        # --shard-size 256MB
DIR_PATTERN = "part-{shard}.jsonl.zst"
MANIFEST_FORMAT = "cleaner-shards/1"


@dataclass(frozen=True)
class ShardSpec:
    """Where a shard set lives: `folder/prefix{shard}suffix`, with its manifest beside the shards."""

    folder: Path
    prefix: str
    suffix: str
    manifest: Path

    @classmethod
    def parse(cls, output: str) -> "ShardSpec":
        """`DIR/` (or an existing folder) or a pattern whose file name holds `{shard}`."""
        if "{shard}" not in output:
            folder = Path(output)
            prefix, _, suffix = DIR_PATTERN.partition("{shard}")
            return cls(folder, prefix, suffix, folder / "manifest.json")
        folder, name = os.path.split(output)
        if "{shard}" in folder or name.count("{shard}") != 1:
            raise ValueError(f"{output}: the output pattern needs one {{shard}}, in the file name")
        prefix, _, suffix = name.partition("{shard}")
        if not suffix.lower().endswith((".parquet", ".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".ndjson.gz",
                                        ".ndjson.zst")):
            raise ValueError(f"{output}: a shard pattern ends in .jsonl, .jsonl.gz, .jsonl.zst or .parquet")
        folder_path = Path(folder or ".")
        return cls(folder_path, prefix, suffix, folder_path / f"{prefix.rstrip('-_.') or 'shards'}.manifest.json")

    @property
    def parquet(self) -> bool:
        return self.suffix.lower().endswith(".parquet")

    def name(self, index: int) -> str:
        return f"{self.prefix}{index:05d}{self.suffix}"

    def matches(self, name: str) -> bool:
        return re.fullmatch(re.escape(self.prefix) + r"\d{5,}" + re.escape(self.suffix), name) is not None

    @property
    def stats(self) -> Path:
        """Where the run's stats go by default (`--stats` overrides)."""
        return self.manifest.with_name(self.manifest.name.replace("manifest.json", "stats.json"))

    @property
    def checkpoint(self) -> str:
        """The checkpoint's base path (the engine adds `.ckpt`): hidden, beside the shards."""
        return str(self.folder / f".{self.manifest.name.replace('.json', '')}")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class _Shard:
    """One shard being written: its file writer and the numbers for the manifest."""

    def __init__(self, spec: ShardSpec, index: int, staging: Path, explain: bool):
        self.name = spec.name(index)
        self.path = staging / self.name
        self.records = self.jsonl_bytes = self.chars = 0
        self.first_id: str | None = None
        self.last_id: str | None = None
        self.languages: Counter[str] = Counter()
        if spec.parquet:
            from cleaner.sinks.parquet import ParquetWriter

            self._cm: Any = ParquetWriter(self.path, explain=explain)
            self._parquet = self._cm.__enter__()
        else:
            self._cm = atomic_output(self.path)
            self._out = self._cm.__enter__()
            self._parquet = None

    def write(self, record: dict[str, Any], line: bytes) -> None:
        if self._parquet is not None:
            self._parquet.write(record)
        else:
            self._out.write(line)
        self.records += 1
        self.jsonl_bytes += len(line)
        self.chars += len(record.get("text") or "")
        self.languages[record.get("lang") or "und"] += 1
        if self.first_id is None:
            self.first_id = record.get("id")
        self.last_id = record.get("id")

    def close(self) -> dict[str, Any]:
        self._cm.__exit__(None, None, None)
        return {"file": self.name, "records": self.records, "bytes": self.path.stat().st_size,
                "jsonl_bytes": self.jsonl_bytes, "sha256": sha256_of(self.path), "first_id": self.first_id,
                "last_id": self.last_id, "chars": self.chars, "languages": dict(sorted(self.languages.items()))}

    def abort(self, exc: BaseException) -> None:
        try:
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
        except BaseException:  # noqa: BLE001  (discarding a temp file: nothing more to do)
            pass


def shard_starts(lengths: "Any", shard_size: int) -> list[int]:
    """Where each shard begins (ordinals into the record stream) for records of these JSONL byte
    lengths: the rule `ShardWriter.write` applies, for writers that write the shards apart."""
    starts: list[int] = []
    size = 0
    for i, n in enumerate(lengths):
        n = int(n)
        if not starts or (size and size + n > shard_size):
            starts.append(i)
            size = 0
        size += n
    return starts


def write_shard(spec: ShardSpec, index: int, staging: str | Path, records: Any, *, explain: bool = False) -> dict[str, Any]:
    """Write shard `index` of a set from `records` (dicts, in order) into `staging` (the folder of a
    `ShardWriter` that is open elsewhere, on a file system both see); returns its manifest entry."""
    shard = _Shard(spec, index, Path(staging), explain)
    try:
        for record in records:
            shard.write(record, dumps(record))
    except BaseException as e:
        shard.abort(e)
        raise
    return shard.close()


class ShardWriter:
    """Context manager: `write(record)` per record in corpus order; the set appears on success."""

    def __init__(self, spec: ShardSpec, *, shard_size: int = DEFAULT_SHARD_SIZE, explain: bool = False):
        if shard_size <= 0:
            raise ValueError("the shard size must be positive")
        self.spec, self.shard_size, self.explain = spec, shard_size, explain
        self.shards: list[dict[str, Any]] = []
        self.records = 0
        self._current: _Shard | None = None
        self._lock: Any = None
        self._staging: Path | None = None

    # -- set-up: the lock, leftovers of killed runs, the staging folder ---------------------------
    def __enter__(self) -> "ShardWriter":
        folder = self.spec.folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise write_error(folder, e) from None
        self._lock = output_lock(self.spec.manifest, shown=str(folder))
        self._lock.__enter__()
        try:
            for stale in folder.glob(f".{self.spec.manifest.name}.staging-*"):
                shutil.rmtree(stale, ignore_errors=True)       # a killed run's (we hold the lock)
            self._staging = Path(tempfile.mkdtemp(prefix=f".{self.spec.manifest.name}.staging-", dir=folder))
        except OSError as e:
            self._unlock()
            raise write_error(folder, e) from None
        return self

    def write(self, record: dict[str, Any]) -> None:
        line = dumps(record)
        cur = self._current
        if cur is not None and cur.records and cur.jsonl_bytes + len(line) > self.shard_size:
            self.shards.append(cur.close())
            cur = self._current = None
        if cur is None:
            assert self._staging is not None
            cur = self._current = _Shard(self.spec, len(self.shards), self._staging, self.explain)
        cur.write(record, line)
        self.records += 1

    @property
    def staging(self) -> Path:
        """The staging folder: shards written apart (`write_shard`) go here, then `add` them."""
        assert self._staging is not None, "the writer is not open"
        return self._staging

    def add(self, entry: dict[str, Any]) -> None:
        """Take a shard that `write_shard` wrote into `staging`, as the next shard of the set."""
        if self._current is not None:
            raise RuntimeError("a shard set is written either record by record or shard by shard")
        if entry["file"] != self.spec.name(len(self.shards)):
            raise ValueError(f"shard {entry['file']} added out of order (expected {self.spec.name(len(self.shards))})")
        self.shards.append(entry)
        self.records += entry["records"]

    # -- the end: move the complete set into place, or leave the old one untouched ----------------
    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        try:
            if exc_type is not None:
                if self._current is not None:
                    self._current.abort(exc)
                return
            if self._current is not None:
                self.shards.append(self._current.close())
                self._current = None
            with signals_held():             # an interrupt must not land between the shards and the manifest
                self._commit()
        finally:
            if self._staging is not None:
                shutil.rmtree(self._staging, ignore_errors=True)
            self._unlock()

    def _commit(self) -> None:
        spec, folder = self.spec, self.spec.folder
        assert self._staging is not None
        try:
            if spec.manifest.exists():
                os.unlink(spec.manifest)             # from here until the new manifest: incomplete
            new = {s["file"] for s in self.shards}
            for s in self.shards:
                os.replace(self._staging / s["file"], folder / s["file"])
            for old in folder.iterdir():
                if old.name not in new and spec.matches(old.name) and old.is_file():
                    old.unlink()
        except OSError as e:
            raise write_error(folder, e) from None
        manifest = {"format": MANIFEST_FORMAT, "pattern": f"{spec.prefix}{{shard}}{spec.suffix}",
                    "shard_size": self.shard_size, "records": self.records, "shards": self.shards}
        import orjson

        with atomic_output(spec.manifest) as out:
            out.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")

    def _unlock(self) -> None:
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.__exit__(None, None, None)
