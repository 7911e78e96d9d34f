#!/usr/bin/env python3
"""Choose the line classifier's thresholds on one half of the sites, report them on the other.

    python3 bench/textpath_eval.py [BENCH_DIR] [--cv-dir bench/out/chrome_cv] [--write] [--lopt]

Runs the real `heuristics` step on the whole-page scrapes of pagetypes (982 pages, 7 page types)
and extraction (181 news pages), after phase A as `cleaner clean` runs it (bench/textpath_data.py),
each page with the fold model of bench/chrome_fit.py that never saw its site, and scores the texts
with the benchmark's scorer (macro 4-gram shingle F1 / P / R). Sites are split in two halves by hash:
the balanced threshold is the one with the best pagetypes F1 on the "fit" half among those that keep
recall >= the floors plus a margin on both sets' fit halves; strict and aggressive sit a fixed step
either side. The "held-out" half is only reported. `--write` stores the thresholds in the shipped
model. `--lopt` also reports leave-one-page-type-out: the page type's pages scored with models
fitted without any page of that type (slow: refits).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import textpath_data as T  # noqa: E402
from cleaner.classifier.model import ChromeModel  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.registry import make_step  # noqa: E402

FLOORS = {"pagetypes": 0.91, "extraction": 0.96}   # the recall floors of issue #12
MARGIN = 0.005                                     # chosen with this much recall to spare on the fit half
GRID = [0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]
STRICT_STEP, AGGRESSIVE_STEP = 0.07, -0.1


def run(data: dict, models: dict[int, ChromeModel], thr: float, mode: str = "balanced", fold_key=None) -> dict:
    """set -> {page id: cleaned text} with each page's fold model at threshold thr."""
    steps = {}
    out = {}
    for name, s in data.items():
        for k, m in models.items():
            st = make_step("heuristics", mode=mode, model=m)
            st.threshold = st.article_threshold = thr
            st.bind(s["counts"])
            steps[k] = st
        texts = {}
        for x in s["docs"]:
            d = x["doc"]
            d = Document(id=d.id, source=d.source, text=d.text, url=d.url, title=d.title,
                         line_numbers=list(d.line_numbers) if d.line_numbers else None)
            k = fold_key(x) if fold_key else T.fold_of(x["site"])
            r = steps[k](d)
            texts[x["id"]] = r.text if r is not None else ""
        out[name] = texts
    return out


def per_page(bench: Path, data: dict, texts: dict) -> dict:
    """set -> {page id: (tp, fp, fn)} (the scorer's per-document counts)."""
    sys.path.insert(0, str(bench / "tools"))
    from score_extraction import load_bench, score_texts
    out = {}
    for name in data:
        gold, _ = load_bench(bench / name)
        res = score_texts(gold, texts[name])["per_doc"]
        out[name] = {i: (d["tp"], d["fp"], d["fn"]) for i, d in res.items()}
    return out


def aggregate(rows: list) -> dict:
    from score_extraction import aggregate as agg
    P, R, F = agg(rows)
    return {"f1": F, "precision": P, "recall": R, "n": len(rows)}


def article_pages(data: dict) -> set[str]:
    """Pages the step treats as one article (article_like on the text as it reaches the step)."""
    from cleaner.classifier.features import LineTable
    from cleaner.steps.heuristics import HeuristicsStep
    out = set()
    for s in data.values():
        for x in s["docs"]:
            t = LineTable(x["doc"].lines)
            if HeuristicsStep.article_like(t, list(range(len(t)))):
                out.add(x["id"])
    return out


def fmt(r: dict) -> str:
    return f"{r['f1']:.3f} / {r['precision']:.3f} / {r['recall']:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(ROOT.parent / "shared/bench"))
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chrome_cv"))
    ap.add_argument("--write", action="store_true", help="store the chosen thresholds in the shipped model")
    ap.add_argument("--grid", default=",".join(map(str, GRID)))
    ap.add_argument("--reuse", action="store_true", help="reuse the last run's per-page counts (same grid)")
    ap.add_argument("--all", action="store_true", help="print every threshold pair")
    a = ap.parse_args()
    bench = Path(a.bench)
    t0 = time.perf_counter()
    data = T.load(bench)
    cv = Path(a.cv_dir)
    models = {k: ChromeModel.from_path(cv / f"fold{k}.json") for k in range(T.N_FOLDS)}
    grid = [float(g) for g in a.grid.split(",")]
    sys.path.insert(0, str(bench / "tools"))
    arts = article_pages(data)
    cache = ROOT / "bench/out/textpath_counts.pkl"
    if a.reuse and cache.exists():
        import pickle
        counts = pickle.loads(cache.read_bytes())
    else:
        counts = {thr: per_page(bench, data, run(data, models, thr)) for thr in grid}
        import pickle
        cache.write_bytes(pickle.dumps(counts))
    meta = {(n, x["id"]): x for n, s in data.items() for x in s["docs"]}

    def score(ta: float, to: float, name: str, part: str, ptype: str | None = None) -> dict:
        rows = []
        for pid in counts[ta][name]:
            x = meta.get((name, pid))
            if x is not None and (part == "all" or x["part"] == part) and (ptype is None or x["page_type"] == ptype):
                rows.append(counts[ta if pid in arts else to][name][pid])
        return aggregate(rows)

    print(f"pages treated as articles: {sum(1 for k in meta if k[1] in arts)} of {len(meta)}")
    print("| article threshold | other threshold | " + " | ".join(f"{n} {p}" for n in T.SETS for p in ("fit", "held-out")) + " |")
    print("|---|---|" + "---|" * 4)
    best, best_f = None, -1.0
    for ta in grid:
        for to in grid:
            fit = {n: score(ta, to, n, "fit") for n in T.SETS}
            ok = all(fit[n]["recall"] >= FLOORS[n] + MARGIN for n in T.SETS)
            f = fit["pagetypes"]["f1"] + fit["extraction"]["f1"]
            if ok and f > best_f:
                best, best_f = (ta, to), f
            if ta == to or ok or a.all:
                print(f"| {ta} | {to} | " + " | ".join(fmt(score(ta, to, n, p)) for n in T.SETS for p in ("fit", "held-out"))
                      + (" | ok" if ok else " |"))
    if best is None:
        best = (max(grid), max(grid))
    ta, to = best
    thresholds = {"strict": round(min(0.99, to + STRICT_STEP), 3), "strict-article": round(min(0.99, ta + STRICT_STEP), 3),
                  "balanced": to, "balanced-article": ta,
                  "aggressive": round(to + AGGRESSIVE_STEP, 3), "aggressive-article": round(ta + AGGRESSIVE_STEP, 3)}
    print(f"\nchosen on the fit half (best pagetypes F1 + extraction F1 with recall >= floor + {MARGIN} on both): {thresholds}\n")
    print("| set | sites | F1 / P / R (balanced, fold models that never saw the site) |")
    print("|---|---|---|")
    for n in T.SETS:
        for p in ("fit", "held-out"):
            print(f"| {n} | {p} ({sum(1 for x in data[n]['docs'] if x['part'] == p)} pages) | {fmt(score(ta, to, n, p))} |")
    types = sorted({x["page_type"] for x in data["pagetypes"]["docs"]})
    print("\n| pagetypes F1 / R | " + " | ".join(types) + " |")
    print("|---|" + "---|" * len(types))
    for p in ("fit", "held-out"):
        print(f"| {p} sites | " + " | ".join(f"{score(ta, to, 'pagetypes', p, t)['f1']:.3f} / {score(ta, to, 'pagetypes', p, t)['recall']:.3f}"
                                          for t in types) + " |")
    if a.write:
        p = ROOT / "cleaner/classifier/model.json"
        spec = json.loads(p.read_text())
        spec["thresholds"] = thresholds
        p.write_text(json.dumps(spec, separators=(",", ":")) + "\n")
        for k in range(T.N_FOLDS):
            f = cv / f"fold{k}.json"
            spec = json.loads(f.read_text())
            spec["thresholds"] = thresholds
            f.write_text(json.dumps(spec))
        print(f"wrote the thresholds into {p} and the fold models")
    print(f"\n{time.perf_counter() - t0:.0f}s; command: python3 bench/textpath_eval.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
