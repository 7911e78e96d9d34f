#!/usr/bin/env python3
"""Language ID bench: cleaner's `detect_language` vs plain seeded langdetect, per length bucket.

usage: python3 bench/langid.py [DEV.jsonl]   (default ../shared/bench/langid/dev.jsonl)

Each line of the set has `text` and a gold ISO 639-1 `lang`. For each detector and bucket it prints
accuracy, confidently wrong answers (a code that is neither the gold nor `und`) and `und` answers,
then the time of both detectors over the whole set (profiles loaded before timing) and their ratio.
Plain langdetect's `zh-cn`/`zh-tw` are counted as `zh`, as in the set's BASELINES.md.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.steps.langid import CODE_MAP, detect_language  # noqa: E402

BUCKETS = (("<50", 0, 50), ("50-200", 50, 201), (">200", 201, 10**9), ("50+", 50, 10**9), ("all", 0, 10**9))


def plain_langdetect():
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str:
        try:
            code = detect(text)
        except LangDetectException:
            return "und"
        return CODE_MAP.get(code, code)

    return run


def timed(fn, texts):
    start = time.perf_counter()
    out = [fn(t) for t in texts]
    return out, time.perf_counter() - start


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".." / "shared" / "bench" / "langid" / "dev.jsonl"
    rows = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    texts = [r["text"] for r in rows]
    plain = plain_langdetect()
    plain("warm up the profiles")
    detect_language("warm up the profiles")
    plain_pred, plain_time = timed(plain, texts)
    ours_pred, ours_time = timed(lambda t: detect_language(t)[0], texts)

    print(f"$ python3 bench/langid.py {path}")
    print(f"{len(rows)} texts, {len({r['lang'] for r in rows})} languages\n")
    print("| bucket | n | detector | accuracy | wrong | und |")
    print("|---|---|---|---|---|---|")
    for name, lo, hi in BUCKETS:
        idx = [i for i, t in enumerate(texts) if lo <= len(t) < hi]
        if not idx:
            continue
        for label, pred in (("plain langdetect (seed 0)", plain_pred), ("cleaner detect_language", ours_pred)):
            right = sum(pred[i] == rows[i]["lang"] for i in idx)
            und = sum(pred[i] == "und" for i in idx)
            wrong = len(idx) - right - und
            print(f"| {name} | {len(idx)} | {label} | {right / len(idx):.3f} | {wrong} | {und} |")
    long = [i for i, t in enumerate(texts) if len(t) >= 50]
    agree = sum(plain_pred[i] == ours_pred[i] for i in long)
    both = [i for i in long if ours_pred[i] != "und" and plain_pred[i] != "und"]
    print(f"\nagreement with plain langdetect on texts of 50+ chars: {agree}/{len(long)} = {agree / len(long):.4f}"
          f" (where neither says und: {sum(plain_pred[i] == ours_pred[i] for i in both)}/{len(both)})")
    print(f"\ntime: plain {plain_time:.2f}s ({len(texts) / plain_time:.0f} docs/s), "
          f"cleaner {ours_time:.2f}s ({len(texts) / ours_time:.0f} docs/s), ratio cleaner/plain = {ours_time / plain_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
