#!/usr/bin/env python3
"""CPU cost of the extract step per page, this tree vs an earlier revision vs plain trafilatura.

    python3 bench/html_cost.py [PAGES_DIR ...] [--before REV] [--rounds 3] [--limit N]

Each side runs in its own fresh process over the same pages (the earlier revision from
`git archive REV`, so both are the code as it was), timing only the step's `__call__` with CPU
time; rounds alternate the sides and the best round of each is kept (the machine is shared).
Default pages: the 181 news pages of `extraction/` and the 982 of `pagetypes/`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"

WORKER = r"""
import gzip, json, sys, time
from pathlib import Path
files = json.loads(sys.argv[1])
pages = [gzip.decompress(Path(f).read_bytes()).decode("utf-8", "replace") for f in files]
if sys.argv[2] == "trafilatura":
    import trafilatura
    run = lambda h: trafilatura.extract(h, include_comments=False)
else:
    from cleaner.document import Document
    from cleaner.steps.extract import Extract
    step = Extract()
    run = lambda h: step(Document(id="x", source="x.html", html=h))
run(pages[0])                          # warm the imports and lazy tables
t = time.process_time()
for h in pages:
    run(h)
print(json.dumps({"cpu": time.process_time() - t, "n": len(pages)}))
"""


def time_side(files: list[str], side: str, path: Path | None) -> float:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    out = subprocess.run([sys.executable, "-c", WORKER, json.dumps(files), side], env=env, cwd=path or ROOT,
                         capture_output=True, text=True, check=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    return r["cpu"] / r["n"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pages", nargs="*", default=[str(BENCH / "extraction" / "pages"), str(BENCH / "pagetypes" / "pages")])
    ap.add_argument("--before", default="5f208be", help="the revision to compare with (default: before issue 12)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="pages per set (0: all)")
    a = ap.parse_args()
    old = Path(tempfile.mkdtemp(prefix="cleaner-before-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", a.before, "cleaner", "rules"], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(old)
    if (old / "rules").exists() and not (old / "cleaner" / "_rules").exists():
        pass   # the step finds rules/ beside the package in a source tree
    print(f"| pages | this tree ms/page | {a.before} ms/page | trafilatura.extract ms/page | this / {a.before} | this / trafilatura |")
    print("|---|---|---|---|---|---|")
    for d in a.pages:
        files = sorted(str(f) for f in Path(d).glob("*.html.gz"))
        if a.limit:
            files = files[: a.limit]
        best = {"new": float("inf"), "old": float("inf"), "traf": float("inf")}
        for _ in range(a.rounds):
            best["new"] = min(best["new"], time_side(files, "cleaner", ROOT))
            best["old"] = min(best["old"], time_side(files, "cleaner", old))
            best["traf"] = min(best["traf"], time_side(files, "trafilatura", ROOT))
        print(f"| {Path(d).parent.name} ({len(files)}) | {1000 * best['new']:.1f} | {1000 * best['old']:.1f} | "
              f"{1000 * best['traf']:.1f} | {best['new'] / best['old']:.2f}x | {best['new'] / best['traf']:.2f}x |")
    print(f"\ncommand: python3 bench/html_cost.py --before {a.before} --rounds {a.rounds}" + (f" --limit {a.limit}" if a.limit else ""))


if __name__ == "__main__":
    main()
