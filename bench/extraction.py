#!/usr/bin/env python3
"""Extraction quality and speed: cleaner's HTML steps vs plain trafilatura on the extraction set.

    python3 bench/extraction.py [BENCH_DIR] [--pred PRED_DIR] [--rounds 2] [--no-speed]

1. Runs the "extract" step, then whichever of "repair", "normalize", "chrome", "structure",
   "heuristics" are registered (missing ones are skipped and named), on every page, writes
   PRED_DIR/<id>.txt, and scores with BENCH_DIR/../tools/score_extraction.py.
2. Times the same steps against plain `trafilatura.extract(include_comments=False)` over the same
   pages in this one process, alternating the two (rounds), and prints the time ratio.
"""
from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cleaner.document import Document  # noqa: E402
from cleaner.config import Options  # noqa: E402
from cleaner.pipeline import build_steps as pipeline_steps  # noqa: E402

TEXT_STEPS = tuple(n for n in Options().steps if n != "extract")   # the CLI's default chain
DEFAULT_BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "extraction"


def build_steps(names=TEXT_STEPS) -> tuple[list, list[str]]:
    """The steps exactly as the CLI builds them (rules wired into extract's selectors, and so on)."""
    return pipeline_steps(Options(steps=("extract", *names))), []


def runs_on(step, doc) -> bool:
    """A step declaring `applies_to` skips other origins, as in the pipeline (the classifier: text only)."""
    applies = getattr(step, "applies_to", None)
    return applies is None or doc.origin in applies


def load_pages(bench: Path) -> list[tuple[str, str]]:
    pages = []
    for f in sorted((bench / "pages").glob("*.html.gz")):
        pid = f.name[: -len(".html.gz")]
        pages.append((pid, gzip.decompress(f.read_bytes()).decode("utf-8", errors="replace")))
    return pages


def run_steps(steps, pid: str, html: str) -> str:
    doc: Document | None = Document(id=pid, source=f"{pid}.html.gz", html=html)
    for step in steps:
        if doc is None:
            return ""
        if runs_on(step, doc):
            doc = step(doc)
    return doc.text if doc is not None else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench", nargs="?", default=str(DEFAULT_BENCH))
    ap.add_argument("--pred", default="/tmp/cleaner-extraction-pred")
    ap.add_argument("--rounds", type=int, default=2, help="alternating timing rounds per system")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--steps", default=",".join(TEXT_STEPS),
                    help="text steps after extract, comma-separated ('' for extract alone)")
    a = ap.parse_args()
    bench, pred = Path(a.bench), Path(a.pred)
    pred.mkdir(parents=True, exist_ok=True)
    pages = load_pages(bench)
    steps, missing = build_steps([n for n in a.steps.split(",") if n])
    print(f"$ python3 {' '.join(sys.argv)}")
    print(f"pages={len(pages)} steps={[s.name for s in steps]} missing={missing}")

    fallbacks = 0
    step_time = {s.name: 0.0 for s in steps}
    for pid, html in pages:
        doc: Document | None = Document(id=pid, source=f"{pid}.html.gz", html=html)
        for step in steps:
            t0 = time.process_time()
            doc = step(doc) if doc is not None and runs_on(step, doc) else doc
            step_time[step.name] += time.process_time() - t0
        fallbacks += doc is not None and "extract/fallback" in doc.events
        (pred / f"{pid}.txt").write_text(doc.text if doc is not None else "", encoding="utf-8")
    print(f"extract/fallback used on {fallbacks} pages")
    print("seconds per step (first pass, includes warm-up): "
          + ", ".join(f"{k} {v:.2f}" for k, v in step_time.items()))
    scorer = bench.parent / "tools" / "score_extraction.py"
    cmd = [sys.executable, str(scorer), str(pred), str(bench), "--bootstrap", "200"]
    print("$ " + " ".join(cmd))
    subprocess.run(cmd, check=False)

    if a.no_speed:
        return
    import trafilatura

    def plain() -> None:
        for _pid, html in pages:
            trafilatura.extract(html, include_comments=False)

    def ours() -> None:
        for pid, html in pages:
            run_steps(steps, pid, html)

    times: dict[str, list[float]] = {"trafilatura.extract": [], "cleaner steps": []}
    for _ in range(a.rounds):
        for label, fn in (("trafilatura.extract", plain), ("cleaner steps", ours)):
            t0 = time.process_time()
            fn()
            times[label].append(time.process_time() - t0)
    print("\nCPU seconds of this process (time.process_time: less noisy on a shared machine)")
    print(f"{'system':<22}{'best s':>8}{'mean s':>8}{'pages/s':>9}")
    for label, ts in times.items():
        print(f"{label:<22}{min(ts):>8.2f}{sum(ts)/len(ts):>8.2f}{len(pages)/min(ts):>9.1f}")
    ratio = min(times["cleaner steps"]) / min(times["trafilatura.extract"])
    print(f"ratio cleaner/trafilatura (best of {a.rounds}): {ratio:.3f}  (target <= 1.15)")


if __name__ == "__main__":
    main()
