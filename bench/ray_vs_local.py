"""Ray engine vs local engine (-j 2): wall time of `cleaner clean` and whether the records are equal.

Input: the repository's seeds plus the first N documents of a JSONL corpus. Each engine runs as its
own `cleaner clean` process (so the Ray figure includes starting a local Ray), alternating, R rounds.

    python bench/ray_vs_local.py [../shared/bench/dedup/docs.jsonl] [--docs 300] [--rounds 2]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(inputs: list[str], out: Path, extra: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cleaner", "clean", *inputs, "-o", str(out), "--quiet", *extra],
                          cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"cleaner failed ({' '.join(extra)}):\n{proc.stderr[-3000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", nargs="?", default=str(ROOT / "../shared/bench/dedup/docs.jsonl"))
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ray-bench-"))
    try:
        sample = tmp / "sample.jsonl"
        with open(args.corpus, "rb") as src, open(sample, "wb") as dst:
            for i, line in enumerate(src):
                if i >= args.docs:
                    break
                dst.write(line)
        inputs = [str(ROOT / "seeds"), str(sample)]
        engines = {"local -j 2": ["-j", "2"], "ray -j 2": ["-j", "2", "--engine", "ray"]}
        times: dict[str, list[float]] = {name: [] for name in engines}
        outputs: dict[str, bytes] = {}
        for _ in range(args.rounds):
            for name, extra in engines.items():
                out = tmp / f"{name.split()[0]}.jsonl"
                times[name].append(run(inputs, out, extra))
                outputs[name] = out.read_bytes()
        base = statistics.median(times["local -j 2"])
        print(f"{'engine':<12} {'median s':>9} {'ratio':>7}  runs")
        for name, ts in times.items():
            med = statistics.median(ts)
            print(f"{name:<12} {med:9.1f} {med / base:7.2f}  {', '.join(f'{t:.1f}' for t in ts)}")
        same = outputs["local -j 2"] == outputs["ray -j 2"]
        records = outputs["local -j 2"].count(b"\n")
        print(f"records: {records}; ray output byte-identical to local: {same}")
        print("command: python bench/ray_vs_local.py " + " ".join(sys.argv[1:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
