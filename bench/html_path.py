#!/usr/bin/env python3
"""HTML path, whole process (issue 13 point 1): `cleaner clean PAGES -j 1` vs a plain trafilatura loop.

  python3 bench/html_path.py [PAGES_DIR] [--rounds 3] [--score] [-- EXTRA CLEANER ARGS]

Both sides run as a user runs them, each round in a fresh process, alternating:
  cleaner   `python -m cleaner.cli clean 'PAGES_DIR/*.html.gz' -o OUT -j 1 --quiet` (start-up, reading,
            every default step, line counts, near dedup, writing)
  baseline  `python bench/plain_trafilatura.py PAGES_DIR OUT`: import trafilatura, read and gunzip
            each page, decode UTF-8, `trafilatura.extract(html, include_comments=False)`, write the
            texts as JSON lines
Reported: wall time and CPU time (user + system of the child, from getrusage; the machine is shared,
CPU is what contention disturbs least), best and median of the rounds, and their ratios. With
`--score`, the cleaner corpus is also scored with ../tools/score_extraction.py (a page whose record
was dropped as a duplicate counts as empty).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / ".." / "shared" / "bench" / "extraction" / "pages"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one child process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{p.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def score(corpus: Path, pages: Path) -> None:
    scorer = pages.parent.parent / "tools" / "score_extraction.py"
    with tempfile.TemporaryDirectory(prefix="bench-html-pred-") as pred:
        for line in open(corpus, encoding="utf-8"):
            rec = json.loads(line)
            pid = Path(rec["source"]).name.split(".")[0]
            Path(pred, f"{pid}.txt").write_text(rec["text"], encoding="utf-8")
        cmd = [sys.executable, str(scorer), pred, str(pages.parent)]
        print("$ " + " ".join(cmd))
        subprocess.run(cmd, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="?", default=str(DEFAULT))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--score", action="store_true", help="also score the cleaner corpus (extraction F1)")
    ap.add_argument("extra", nargs="*", help="extra cleaner arguments (after --)")
    args = ap.parse_args()
    pages = Path(args.pages).resolve()
    n = len(list(pages.glob("*.html.gz")))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p))
    print("$ python3 bench/html_path.py " + " ".join(sys.argv[1:]))
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    times: dict[str, list[tuple[float, float]]] = {"trafilatura": [], "cleaner": []}
    with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
        out = Path(tmp) / "corpus.jsonl"
        sides = {
            "trafilatura": [sys.executable, str(ROOT / "bench" / "plain_trafilatura.py"), str(pages), str(Path(tmp) / "plain.jsonl")],
            "cleaner": [sys.executable, "-m", "cleaner.cli", "clean", str(pages / "*.html.gz"), "-o", str(out), "-j", "1",
                        "--quiet", *args.extra],
        }
        for r in range(args.rounds):
            for side in (("trafilatura", "cleaner") if r % 2 == 0 else ("cleaner", "trafilatura")):
                times[side].append(timed(sides[side], env))
        records = sum(1 for _ in open(out, encoding="utf-8"))
        if args.score:
            score(out, pages)
    print(f"\nHTML path, {n} pages of {pages}, whole process, -j 1, {args.rounds} alternating rounds "
          f"(load average now {os.getloadavg()[0]:.1f})\n")
    print("| run | wall best s | wall median s | CPU best s | CPU median s | ms/page (CPU best) |")
    print("|---|---|---|---|---|---|")
    for side, label in (("trafilatura", "plain trafilatura.extract(include_comments=False) loop"),
                        ("cleaner", "cleaner clean -j 1 (all default steps, near dedup, read+write)")):
        walls, cpus = [w for w, _ in times[side]], [c for _, c in times[side]]
        print(f"| {label} | {min(walls):.2f} | {statistics.median(walls):.2f} | {min(cpus):.2f} | "
              f"{statistics.median(cpus):.2f} | {min(cpus) / n * 1000:.1f} |")
    tw, tc = [w for w, _ in times["trafilatura"]], [c for _, c in times["trafilatura"]]
    cw, cc = [w for w, _ in times["cleaner"]], [c for _, c in times["cleaner"]]
    print(f"\nratio cleaner / trafilatura: CPU best {min(cc) / min(tc):.2f}, CPU median {statistics.median(cc) / statistics.median(tc):.2f}, "
          f"wall best {min(cw) / min(tw):.2f} (target <= 1.0); cleaner kept {records} of {n} pages")
    print("commands:\n  " + "\n  ".join(" ".join(c) for c in sides.values()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
