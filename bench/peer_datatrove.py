#!/usr/bin/env python3
"""Peer run (issue 5 (d)): datatrove with the closest equivalent steps vs `cleaner clean`, same input.

  python3 bench/peer_datatrove.py [DOCS.jsonl] [--docs 3000]      (needs: pip install "datatrove>=0.10")

datatrove: JsonlReader -> FTFYFormatter -> C4QualityFilter (C4 line filtering, its defaults) ->
ExactDedupSignature, then ExactFindDedups, then JsonlReader -> ExactDedupFilter -> JsonlWriter
(its exact dedup is three stages; all are timed). cleaner: `cleaner clean FILE -o OUT -j 1`, all
default steps (extraction, repair, rules, structure, line classifier, langid, near+exact dedup).
Both single-process (datatrove: LocalPipelineExecutor tasks=1 workers=1), in this process, CPU
time (time.process_time) with wall time beside it; docs/s are input documents per CPU second.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT = ROOT / ".." / "shared" / "bench" / "dedup" / "docs.jsonl"


def _text(doc):
    return doc.text.encode("utf-8")


def datatrove_run(folder: Path, work: Path) -> tuple[float, float, int]:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup.exact_dedup import (ExactDedupConfig, ExactDedupFilter, ExactDedupSignature,
                                                      ExactFindDedups)
    from datatrove.pipeline.filters import C4QualityFilter
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from loguru import logger

    logger.remove()                     # datatrove logs every stage's stats to stderr
    cfg = ExactDedupConfig(content_getter=_text)
    stages = [
        [JsonlReader(str(folder)), FTFYFormatter(), C4QualityFilter(filter_no_terminal_punct=False),
         JsonlWriter(str(work / "filtered"), compression=None), ExactDedupSignature(str(work / "sigs"), config=cfg)],
        [ExactFindDedups(str(work / "sigs"), str(work / "dups"), config=cfg)],
        [JsonlReader(str(work / "filtered")), ExactDedupFilter(str(work / "dups"), config=cfg),
         JsonlWriter(str(work / "out"), compression=None)],
    ]
    c, w = time.process_time(), time.perf_counter()
    for i, steps in enumerate(stages):
        LocalPipelineExecutor(pipeline=steps, tasks=1, workers=1, logging_dir=str(work / f"logs{i}"),
                              skip_completed=False).run()
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    out = sum(1 for p in (work / "out").glob("*.jsonl") for line in open(p, "rb") if line.strip())
    return cpu, wall, out


def cleaner_run(inp: Path, out: Path) -> tuple[float, float, int]:
    from cleaner.cli import main

    c, w = time.process_time(), time.perf_counter()
    assert main(["clean", str(inp), "-o", str(out), "-j", "1", "--quiet"]) == 0
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    return cpu, wall, sum(1 for line in open(out, "rb") if line.strip())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--docs", type=int, default=3000)
    args = ap.parse_args()
    import importlib.metadata as md

    from text_path import first_lines

    print("$ python3 bench/peer_datatrove.py " + " ".join(sys.argv[1:]))
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        n = first_lines(Path(args.path), args.docs, tmp / "in" / "docs.jsonl")
        dt = datatrove_run(tmp / "in", tmp / "dt")
        cl = cleaner_run(tmp / "in" / "docs.jsonl", tmp / "cleaner.jsonl")
    print(f"\n(d) peer run on the first {n} documents of {args.path}, one process each, datatrove {md.version('datatrove')}\n")
    print("| run | CPU s | wall s | docs out | docs/s (CPU) |")
    print("|---|---|---|---|---|")
    print(f"| datatrove: JSONL reader, FTFY, C4QualityFilter, exact dedup (3 stages), JSONL writer | {dt[0]:.2f} | {dt[1]:.2f} | {dt[2]} | {n / dt[0]:.0f} |")
    print(f"| cleaner clean -j 1 (all default steps, near+exact dedup) | {cl[0]:.2f} | {cl[1]:.2f} | {cl[2]} | {n / cl[0]:.0f} |")
    print(f"cleaner per document / datatrove per document (CPU) = {cl[0] / dt[0]:.2f} (target < 1: {'met' if cl[0] < dt[0] else 'NOT met'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
