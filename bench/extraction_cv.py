#!/usr/bin/env python3
"""Held-out extraction quality through the CLI: every page cleaned by the chooser fold that never saw its site.

    python3 bench/extraction_cv.py [BENCH_DIR ...] [--cv-dir bench/out/chooser_cv] [-j 2]

`bench/extraction_fit.py` writes one chooser per fold (fitted without that fold's sites) and the
page -> fold map. Here each fold's pages go through `cleaner clean` (the real CLI, default steps)
with `[tool.cleaner.step.extract] chooser = fold<k>.json`, the corpora are merged and scored with
`score_corpus.py`, per page type. Compare with a plain `cleaner clean` run (the shipped model, fitted on
every page: in-sample) and with trafilatura alone (BASELINES.md).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("benches", nargs="*", default=[str(BENCH / "pagetypes"), str(BENCH / "extraction")])
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chooser_cv"))
    ap.add_argument("-j", default="2")
    a = ap.parse_args()
    cv = Path(a.cv_dir)
    folds = json.loads((cv / "folds.json").read_text())
    tmp = Path(tempfile.mkdtemp(prefix="cleaner-cv-"))
    for bench in map(Path, a.benches):
        groups = defaultdict(list)
        for f in sorted((bench / "pages").glob("*.html.gz")):
            groups[folds[str(f)]].append(str(f))
        merged = tmp / f"{bench.name}.jsonl"
        with open(merged, "wb") as out:
            for k, files in sorted(groups.items()):
                cfg = tmp / f"fold{k}.toml"
                cfg.write_text(f'[step.extract]\nchooser = "{(cv / f"fold{k}.json").resolve()}"\n', encoding="utf-8")
                part = tmp / f"{bench.name}-{k}.jsonl"
                subprocess.run([sys.executable, "-m", "cleaner", "clean", *files, "-o", str(part), "--config", str(cfg),
                                "--dedup", "none", "-j", a.j, "--quiet"], check=True)
                out.write(part.read_bytes())
        print(f"## {bench.name}: held out by site (each page cleaned by the fold model that never saw its site)")
        subprocess.run([sys.executable, str(bench.parent / "tools" / "score_corpus.py"), str(merged), str(bench), "0", "--table"])
    print("\ncommand: python3 bench/extraction_cv.py " + " ".join(a.benches))


if __name__ == "__main__":
    main()
