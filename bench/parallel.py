#!/usr/bin/env python3
"""Parallel speed-up (issue 5 (c)): `cleaner clean FILE -o OUT -j 2` vs `-j 1`, same input, subprocesses.

  python3 bench/parallel.py [DOCS.jsonl] [--docs 3000] [--rounds 2]

Wall time of the real CLI in subprocesses, alternating -j 1 / -j 2, best of the rounds; the two
outputs are compared byte for byte. The machine's other load disturbs wall time: the load average
is printed beside the numbers, with the CPU time of all processes of each run (cores actually used
= CPU / wall). Run it on a quiet tree: the byte comparison is between separate runs, so code edited
between them (other engineers at work) shows up as a difference.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT = ROOT / ".." / "shared" / "bench" / "dedup" / "docs.jsonl"


LAUNCHER = ("import resource, subprocess, sys, time; t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True); "
            "w = time.perf_counter() - t; r = resource.getrusage(resource.RUSAGE_CHILDREN); print(w, r.ru_utime + r.ru_stime)")


def run(inp: Path, out: Path, jobs: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the run and its workers) of one CLI run."""
    p = subprocess.run([sys.executable, "-c", LAUNCHER, sys.executable, "-m", "cleaner.cli", "clean", str(inp),
                        "-o", str(out), "-j", str(jobs), "--quiet"], check=True, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = p.stdout.split()
    return float(wall), float(cpu)


def main() -> int:
    from text_path import first_lines

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    print("$ python3 bench/parallel.py " + " ".join(sys.argv[1:]))
    times: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="bench-par-") as tmp:
        tmp = Path(tmp)
        inp = tmp / "docs.jsonl"
        n = first_lines(Path(args.path), args.docs, inp)
        load = os.getloadavg()[0]
        for r in range(args.rounds):
            for jobs in (1, 2) if r % 2 == 0 else (2, 1):
                times[jobs].append(run(inp, tmp / f"j{jobs}.jsonl", jobs))
        same = (tmp / "j1.jsonl").read_bytes() == (tmp / "j2.jsonl").read_bytes()
    (one, cpu1), (two, cpu2) = min(times[1]), min(times[2])
    print(f"\n(c) -j 2 vs -j 1 on the first {n} documents of {args.path} ({os.cpu_count()} cores, load average {load:.1f} at start), wall, best of {args.rounds}\n")
    print("| run | wall s | CPU s (all processes) | docs/s | speed-up |")
    print("|---|---|---|---|---|")
    print(f"| cleaner clean -j 1 | {one:.2f} | {cpu1:.2f} | {n / one:.0f} | 1.00 |")
    print(f"| cleaner clean -j 2 | {two:.2f} | {cpu2:.2f} | {n / two:.0f} | {one / two:.2f} |")
    print(f"outputs byte-identical: {same}; target speed-up >= 1.7: {'met' if one / two >= 1.7 else 'NOT met'}")
    print(f"cores actually used by -j 2: {cpu2 / two:.2f} (the rest of the machine's load competes for the other)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
