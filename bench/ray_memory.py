#!/usr/bin/env python3
"""The Ray engine's driver memory as the input grows 1x -> 2x -> 4x (issue 15, point 2).

  python3 bench/ray_memory.py [DOCS.jsonl] [--docs 2000] [--scales 1,2,4] [--per-file 100] [--cpus 2]
                              [--copies | --distinct] [--code TREE]

Starts a Ray cluster on this machine (`ray.cluster_utils.Cluster`, loopback, its own processes
only), then for each scale runs `cleaner clean IN/ -o OUT/ --engine ray --ray-address ADDR` as its
own process: the driver, a client of the cluster as on a real one. The driver's resident set is
sampled every 20 ms from /proc (VmHWM, the kernel's peak, and VmRSS); the workers and raylets are
not the driver and are not counted. The Nx input is the first N x `--docs` bench texts (a corpus
that grows by new documents), or with `--copies` the first `--docs` texts plus N-1 perturbed copies
(bench/memory.py's perturbation: mostly near duplicates, as bench/memory.py grows its input), as
JSONL files of `--per-file` documents. With `--distinct`, document k is bench text k mod M (M
texts in the file) with the words of each line shuffled (seeded by k): every document is distinct
(no shared shingles, no exact copies) whatever N, and the corpus can outgrow the file (16,000
documents from its 9,275 texts); line lengths, words and languages stay the texts'. `--code TREE` runs another cleaner tree (e.g. an export of an older branch)
for comparison.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from memory import perturb  # noqa: E402

DEFAULT = ROOT / ".." / "shared" / "bench" / "dedup" / "docs.jsonl"


def shuffled_lines(text: str, rng: random.Random) -> str:
    """The text with the words of each line in a random order: a distinct document, same words and lines."""
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        rng.shuffle(words)
        out.append(" ".join(words))
    return "\n".join(out)


def make_inputs(texts: list[dict], scale: int, folder: Path, per_file: int, docs: int | None = None,
                distinct: bool = False) -> tuple[int, int]:
    """Nx input: `--copies`: the first `docs` texts and N-1 perturbed copies (mostly near duplicates);
    default: the first N x `docs` texts (new documents, as a growing corpus mostly is); `distinct`:
    N x `docs` documents, each a text with its lines' words shuffled."""
    folder.mkdir(parents=True)
    n = size = 0
    out = None
    if distinct:
        rounds = [(-1, [texts[k % len(texts)] for k in range(docs * scale)])]
    else:
        rounds = [(0, texts[: docs * scale])] if docs else [(c, texts) for c in range(scale)]
    for copy, batch in rounds:
        for i, rec in enumerate(batch):
            if n % per_file == 0:
                if out:
                    out.close()
                out = open(folder / f"part-{n // per_file:05d}.jsonl", "w", encoding="utf-8")
            if copy < 0:
                text, name = shuffled_lines(rec["text"], random.Random(f"d{i}")), f"{rec.get('id', i)}-d{i}"
            else:
                text = rec["text"] if copy == 0 else perturb(rec["text"], random.Random(f"{copy}-{i}"))
                name = f"{rec.get('id', i)}-c{copy}"
            line = json.dumps({"id": name, "text": text}) + "\n"
            out.write(line)
            n += 1
            size += len(line.encode())
    if out:
        out.close()
    return n, size


def status_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident), VmRSS, and its parts: RssAnon (heap), RssShmem (object-store pages mapped)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":", 1)[0]
                if key in ("VmHWM", "VmRSS", "RssAnon", "RssShmem", "RssFile"):
                    out[key] = int(line.split()[1])
    except OSError:
        pass
    return out


def run_driver(code: Path, inp: Path, out: Path, address: str) -> tuple[float, dict[str, int], int]:
    env = dict(os.environ, PYTHONPATH=str(code), RAY_ADDRESS=address)
    cmd = [sys.executable, "-m", "cleaner.cli", "clean", str(inp), "-o", f"{out}/", "--engine", "ray", "--quiet"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak: dict[str, int] = {}
    while proc.poll() is None:
        for k, v in status_kib(proc.pid).items():
            peak[k] = max(peak.get(k, 0), v)
        time.sleep(0.02)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"cleaner failed:\n{err[-3000:]}")
    elapsed = time.perf_counter() - start
    records = json.loads((out / "manifest.json").read_text())["records"]
    return elapsed, peak, records


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", nargs="?", default=str(DEFAULT))
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--scales", default="1,2,4")
    ap.add_argument("--per-file", type=int, default=100)
    ap.add_argument("--cpus", type=int, default=2)
    ap.add_argument("--code", default=str(ROOT), help="the cleaner tree to run (default: this one)")
    ap.add_argument("--copies", action="store_true", help="grow by perturbed copies (near duplicates) "
                                                          "instead of more distinct documents")
    ap.add_argument("--distinct", action="store_true", help="every document distinct: each text's lines with "
                                                            "their words shuffled (the corpus may outgrow the file)")
    args = ap.parse_args()
    print("$ python3 bench/ray_memory.py " + " ".join(sys.argv[1:]))
    code = Path(args.code).resolve()
    texts = []
    with open(args.path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                texts.append(json.loads(line))
            if len(texts) >= args.docs * (1 if args.copies else max(int(x) for x in args.scales.split(","))):
                break
    os.environ["PYTHONPATH"] = str(code)            # the cluster's workers import this tree
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"   # Ray's single-machine mode: all on loopback
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": args.cpus, "object_store_memory": 512 * 1024 ** 2, "include_dashboard": False,
        "node_ip_address": "127.0.0.1"})
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-raymem-"))
    try:
        for scale in (int(s) for s in args.scales.split(",")):
            inp = tmp / f"in{scale}"
            n, size = make_inputs(texts, scale, inp, args.per_file,
                                  None if args.copies else args.docs, args.distinct)
            elapsed, peak, records = run_driver(code, inp, tmp / f"out{scale}", cluster.address)
            rows.append((scale, n, len(list(inp.iterdir())), size, records, peak, elapsed))
            shutil.rmtree(inp)
            shutil.rmtree(tmp / f"out{scale}")
    finally:
        cluster.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ndriver peak RSS of `cleaner clean IN/ -o OUT/ --engine ray --ray-address ADDR` "
          f"(cluster: {args.cpus} CPUs on this machine; code: {code}; Nx = "
          f"{'the first %d documents and N-1 perturbed copies' % args.docs if args.copies else ('N x %d distinct documents (words shuffled in each line)' if args.distinct else 'the first N x %d documents') % args.docs}"
          f" of {args.path})\n")
    print("| scale | documents | input files | input MB | records out | driver peak RSS MB | of it heap (RssAnon) MB "
          "| growth per added document | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    base_n, base_peak = rows[0][1], rows[0][5]["VmHWM"]
    for scale, n, files, size, records, peak, elapsed in rows:
        per = f"{(peak['VmHWM'] - base_peak) * 1024 / (n - base_n):.0f} B" if n > base_n else "-"
        print(f"| {scale}x | {n} | {files} | {size / 1e6:.1f} | {records} | {peak['VmHWM'] / 1024:.1f} "
              f"| {peak.get('RssAnon', 0) / 1024:.1f} | {per} | {elapsed:.0f} |")
    last = rows[-1]
    print(f"\ninput grew {last[3] / rows[0][3]:.1f}x, driver peak RSS grew {last[5]['VmHWM'] / base_peak:.2f}x "
          f"(peak of the parts: {', '.join(f'{k} {v / 1024:.0f} MB' for k, v in sorted(last[5].items()))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
