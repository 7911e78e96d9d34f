#!/usr/bin/env python3
"""Memory as the input grows (issue 5 (e)): peak RSS of `cleaner clean` on 1x, 2x, 4x a corpus.

  python3 bench/memory.py [DOCS.jsonl] [--docs 2000] [--scales 1,2,4] [--jobs 1]

The Nx corpus is the first `--docs` bench texts plus N-1 perturbed copies of them (seeded word
deletions and adjacent swaps on ~8% of the words each: not exact duplicates, many still near ones).
Each run is a fresh `python -m cleaner.cli clean` under a launcher that reports the peak resident
set of its descendants (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss). The growth per added
document is the dedup index (signatures, line counts) plus whatever else is not flat; it is compared
with the in-memory size of the dedup signatures themselves.

Also printed: the growth between consecutive scales (caches that fill up, such as RE2's lazily built
DFAs of the rule sets, bounded by their memory budget, show as growth that falls with scale), and
what the corpus-wide tables themselves take per document, measured in this process on the base
texts (the line-count tables and the engine's signature store).
"""
from __future__ import annotations

import argparse
import json
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT = ROOT / ".." / "shared" / "bench" / "dedup" / "docs.jsonl"
LAUNCHER = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def perturb(text: str, rng: random.Random, rate: float = 0.08) -> str:
    words = text.split(" ")
    out: list[str] = []
    i = 0
    while i < len(words):
        r = rng.random()
        if r < rate / 2:                              # delete
            i += 1
            continue
        if r < rate and i + 1 < len(words):           # swap with the next word
            out += [words[i + 1], words[i]]
            i += 2
            continue
        out.append(words[i])
        i += 1
    return " ".join(out)


def make_corpus(texts: list[dict], scale: int, dest: Path) -> int:
    n = 0
    with open(dest, "w", encoding="utf-8") as f:
        for copy in range(scale):
            for i, rec in enumerate(texts):
                text = rec["text"] if copy == 0 else perturb(rec["text"], random.Random(f"{copy}-{i}"))
                f.write(json.dumps({"id": f"{rec.get('id', i)}-c{copy}", "text": text}) + "\n")
                n += 1
    return n


def peak_rss_kib(inp: Path, out: Path, jobs: int) -> int:
    cmd = [sys.executable, "-c", LAUNCHER, sys.executable, "-m", "cleaner.cli", "clean", str(inp), "-o", str(out),
           "-j", str(jobs), "--quiet"]
    p = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return int(p.stdout.strip().splitlines()[-1])


def signature_bytes(texts: list[str]) -> float:
    """Mean pickled size of a dedup signature (what the index keeps per document)."""
    from cleaner.dedup import make_stage
    from cleaner.document import Document

    stage = make_stage("near")
    sizes = [len(pickle.dumps(stage.signature(Document(text=t, source=f"x#{i}", id=str(i)), None), protocol=5))
             for i, t in enumerate(texts)]
    return sum(sizes) / len(sizes)


def table_bytes(texts: list[str]) -> tuple[float, float]:
    """(line-count table bytes, signature-store bytes in memory) per document, on these texts."""
    import sys as _sys

    from cleaner.dedup import make_stage
    from cleaner.document import Document
    from cleaner.linefreq import LineCounts, document_keys

    counts = LineCounts()
    for t in texts:
        counts.add(document_keys(t.split("\n")), "site")
    stage = make_stage("near")
    store = stage.new_store()
    for i, t in enumerate(texts):
        doc = Document(text=t, source=f"{DEFAULT.name}#{i + 1}", id=f"{i:016x}")
        store.add(i, *stage.signature(doc, counts))
    arrays = sum(a.itemsize * len(a) for a in (store.idx, store.exact, store.size, store.length, store.band_row,
                                               store.sketch_at, store.sketch_len))
    strings = sum(_sys.getsizeof(x) + 8 for x in store.ids) + sum(_sys.getsizeof(x) + 8 for x in store.sources)
    in_memory = arrays + len(store.has_exact) + len(store.bands) + strings
    store.close()
    return counts.nbytes() / len(texts), in_memory / len(texts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--scales", default="1,2,4")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    print("$ python3 bench/memory.py " + " ".join(sys.argv[1:]))
    texts = []
    with open(args.path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line))
            if len(texts) >= args.docs:
                break
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        tmp = Path(tmp)
        for scale in (int(s) for s in args.scales.split(",")):
            inp = tmp / f"x{scale}.jsonl"
            n = make_corpus(texts, scale, inp)
            rss = peak_rss_kib(inp, tmp / f"out{scale}.jsonl", args.jobs)
            rows.append((scale, n, inp.stat().st_size, rss))
            inp.unlink()
    print(f"\n(e) peak RSS of `cleaner clean X.jsonl -o OUT -j {args.jobs}` as the input grows (base: first {len(texts)} documents of {args.path})\n")
    print("| scale | documents | input MB | peak RSS MB | RSS growth per added document (from 1x) | (from the previous row) |")
    print("|---|---|---|---|---|---|")
    base_n, base_rss = rows[0][1], rows[0][3]
    prev = None
    for scale, n, size, rss in rows:
        per = f"{(rss - base_rss) * 1024 / (n - base_n):.0f} B" if n > base_n else "-"
        step = f"{(rss - prev[1]) * 1024 / (n - prev[0]):.0f} B" if prev else "-"
        print(f"| {scale}x | {n} | {size / 1e6:.1f} | {rss / 1024:.1f} | {per} | {step} |")
        prev = (n, rss)
    sig = signature_bytes([t["text"] for t in texts[:500]])
    print(f"\ndedup signature, pickled, mean over 500 documents: {sig:.0f} B/document")
    lc, st = table_bytes([t["text"] for t in texts])
    print(f"corpus-wide tables on the base texts: line counts {lc:.0f} B/document, signature store in memory "
          f"{st:.0f} B/document (sketches on disk)")
    last = rows[-1]
    growth = (last[3] - base_rss) * 1024 / max(1, last[1] - base_n)
    print(f"input grew {last[2] / rows[0][2]:.1f}x, peak RSS grew {last[3] / base_rss:.2f}x; growth {growth:.0f} B per added document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
