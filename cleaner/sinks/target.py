"""What `-o` names, and the sink that writes it.

- `corpus.jsonl` (`.gz`, `.zst` compress): one JSONL file (the default, `out/corpus.jsonl`);
- `corpus.parquet`: one Parquet file with the record schema (parquet.py);
- `DIR/` (a trailing slash, or an existing folder): size-bounded shards `DIR/part-00000.jsonl.zst`…
  with `DIR/manifest.json` (shards.py);
- a pattern holding `{shard}`, e.g. `out/en-{shard}.jsonl.gz` or `out/{shard}.parquet`: shards named
  by it, with `out/en.manifest.json`;
- `-`: JSONL on standard output (no checkpoint, and no stats file unless `--stats` names one).

Any other name (`x.csv`, `x.txt`, `x.json`, no extension) is refused: the output would not be what
its name says. Every file sink takes records (dicts) in corpus order and writes atomically: nothing
appears at the target unless the run completes.
"""
from __future__ import annotations

import os
import re
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from cleaner.sinks.shards import DEFAULT_SHARD_SIZE, ShardSpec, ShardWriter


STDOUT = "-"
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.zstd", ".ndjson", ".ndjson.gz", ".ndjson.zst")
FORMS = ("FILE.jsonl, FILE.jsonl.gz, FILE.jsonl.zst, FILE.parquet, DIR/ (shards), a pattern with {shard} "
         "(e.g. out/part-{shard}.jsonl.zst), or - (standard output)")


@dataclass(frozen=True)
class Target:
    kind: str                         # "jsonl" | "parquet" | "shards" | "stdout"
    output: str                       # -o as given
    stats: str                        # the default stats path ("" for standard output: none)
    checkpoint: str | None            # the checkpoint's base path (the engine adds `.ckpt`); None: no checkpoint
    shards: ShardSpec | None = None

    def describe(self, written: Any = None) -> str:
        """For the summary line: where the corpus went."""
        if self.kind == "shards" and written is not None:
            n = len(written.shards)
            return f"{self.output} ({n} shard{'s' if n != 1 else ''}, {self.shards.manifest.name})"  # type: ignore[union-attr]
        if self.kind == "stdout":
            return "standard output"
        return self.output


def is_folder_output(output: str) -> bool:
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def parse_output(output: str) -> Target:
    """The Target for `-o OUTPUT`; ValueError with a one-line reason for a name that cannot work."""
    if output == STDOUT:
        return Target("stdout", output, "", None)
    if "{shard}" in output or is_folder_output(output):
        spec = ShardSpec.parse(output)
        return Target("shards", output, str(spec.stats), spec.checkpoint, spec)
    low = output.lower()
    if low.endswith(".parquet"):
        kind = "parquet"
    elif low.endswith(JSONL_SUFFIXES):
        kind = "jsonl"
    else:
        raise ValueError(f"-o {output}: not a form cleaner writes; use {FORMS}")
    return Target(kind, output, f"{output}.stats.json", output)


class _JsonlSink:
    def __init__(self, stream: Any):
        from cleaner.sinks.jsonl import dumps

        self._stream, self._dumps, self.records = stream, dumps, 0

    def write(self, record: dict[str, Any]) -> None:
        self._stream.write(self._dumps(record))
        self.records += 1


class _StdoutStream:
    """Standard output for the corpus: buffered, flushed when the run completes. A reader that goes
    away (`| head`) ends the run quietly instead of with a broken-pipe traceback."""

    def __init__(self, out: Any):
        self._out = out

    def write(self, data: bytes) -> None:
        try:
            self._out.write(data)
        except BrokenPipeError:
            _quiet_stdout()
            raise SystemExit(1) from None   # as the Python docs advise for SIGPIPE: quiet, not "finished"

    def flush(self) -> None:
        try:
            self._out.flush()
        except BrokenPipeError:
            _quiet_stdout()
            raise SystemExit(1) from None


def _quiet_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush says nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


@contextmanager
def open_sink(target: Target, *, explain: bool = False, shard_size: int | None = None) -> Iterator[Any]:
    """A sink with `write(record)`; the output appears only when the block completes."""
    if target.kind == "shards":
        assert target.shards is not None
        with ShardWriter(target.shards, shard_size=shard_size or DEFAULT_SHARD_SIZE, explain=explain) as w:
            yield w
    elif target.kind == "stdout":
        out = _StdoutStream(sys.stdout.buffer)
        yield _JsonlSink(out)
        out.flush()
    elif target.kind == "parquet":
        from cleaner.sinks.parquet import ParquetWriter

        with ParquetWriter(target.output, explain=explain) as w:
            yield w
    else:
        from cleaner.sinks.atomic import atomic_output

        with atomic_output(target.output) as out:
            yield _JsonlSink(out)


_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9, "gb": 10**9,
          "t": 10**12, "tb": 10**12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text: str) -> int:
    """`256MB` -> 256,000,000; `1GiB` -> 2**30; a bare number is bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = m.group(2).lower() if m else None
    if m is None or unit not in _UNITS:
        raise ValueError(f"not a size: {text!r} (use e.g. 256MB, 1GB, 512MiB)")
    n = int(float(m.group(1)) * _UNITS[unit])
    if n <= 0:
        raise ValueError(f"the shard size must be positive: {text!r}")
    return n
