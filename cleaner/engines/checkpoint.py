"""Checkpoints: a killed run resumes where its first phase stopped and gives the uninterrupted result.

The first phase (reading, extraction, rules: the expensive part) writes every outcome, in input
order, to a spool in `<output>.ckpt/`, and every few seconds records how many outcomes are safely on
disk. `--resume` re-reads the inputs, skips that many, and appends; the later phases are replayed from
the spool. A checkpoint belongs to one set of inputs and options: a fingerprint guards against
resuming with others. The folder is removed when the run completes. An interrupted run (Ctrl-C,
SIGTERM) saves what it has before it stops; `--resume` says on stderr what it found.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from cleaner.engines.spool import Spool
from cleaner.sinks.atomic import write_error

EVERY_SECONDS = float(os.environ.get("CLEANER_CHECKPOINT_SECONDS", "5"))   # how often progress is made durable


def fingerprint(inputs: list[Any], options: Any) -> str:
    opts = {k: v for k, v in asdict(options).items() if k not in ("jobs", "engine", "ray_address", "explain")}
    blob = json.dumps([[str(i) for i in inputs], opts], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class Checkpoint:
    def __init__(self, directory: Path, fp: str):
        self.dir, self.fp = directory, fp
        self.state_path = directory / "state.json"
        self._last = time.monotonic()

    @classmethod
    def start(cls, output: str, inputs: list[Any], options: Any, resume: bool) -> tuple["Checkpoint", Spool, int]:
        """A checkpoint and its spool: resumed when asked and valid, else fresh. Returns items to skip."""
        directory = Path(f"{output}.ckpt")
        cp = cls(directory, fingerprint(inputs, options))
        from cleaner.sinks.atomic import remove_stale_temps

        remove_stale_temps(output)        # temp files a killed writer left (unlocked ones only)
        if resume:
            state = read_state(directory)
            if state is None:
                _say("no checkpoint to resume: starting from the beginning")
            elif state.get("fingerprint") != cp.fp:
                _say("checkpoint does not match these inputs/options: starting over")
            else:
                spool = Spool(str(directory / "phase-a.bin"), keep=True, count=state["count"], size=state["size"])
                _say(f"resuming from checkpoint: {state['count']:,} documents already done")
                return cp, spool, state["count"]
        shutil.rmtree(directory, ignore_errors=True)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise write_error(directory, e) from None
        return cp, Spool(str(directory / "phase-a.bin"), keep=True), 0

    def maybe_save(self, spool: Spool, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < EVERY_SECONDS:
            return
        self._last = now
        count, size = spool.commit()
        tmp = self.state_path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps({"fingerprint": self.fp, "count": count, "size": size}))
            os.replace(tmp, self.state_path)
        except OSError as e:
            raise write_error(self.state_path, e) from None

    def finish(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def read_state(directory: str | Path) -> dict[str, Any] | None:
    """The saved state of the checkpoint in `directory` (fingerprint, count, size), or None."""
    try:
        state = json.loads((Path(directory) / "state.json").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("count"), int) or not isinstance(state.get("size"), int):
        return None
    return state


def saved_count(output: str) -> int | None:
    """How many documents the checkpoint of `output` holds (what `--resume` skips), or None."""
    state = read_state(f"{output}.ckpt")
    return None if state is None else state["count"]


def _say(line: str) -> None:
    print(f"cleaner: {line}", file=sys.stderr, flush=True)
