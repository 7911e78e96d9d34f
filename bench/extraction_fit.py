#!/usr/bin/env python3
"""Fit the extraction chooser shipped in cleaner/extraction/chooser.json, with site-grouped CV.

    python3 bench/extraction_fit.py [PAGETYPES_DIR] [--extraction EXTRACTION_DIR] [--out cleaner/extraction/chooser.json]
                                    [--cache bench/out/extraction_rows.pkl] [--cv-dir bench/out/chooser_cv] [--refresh]

For every page of the pagetypes set (982 pages, 7 page types) and of the extraction set (181 news
pages, typed article) the extract step's candidates are computed with the step's own code
(trafilatura's fast path, the page's visible text, forum posts, trafilatura's full run), each is
scored against the gold text (4-gram shingle F1, the benchmark's metric), and the page's signals are
recorded (`cleaner.extraction.signals`). Models fitted with LightGBM (fit time only; the package
evaluates the exported trees in pure Python):
- a page-type model (7 classes) for `meta.page_type`, whose probabilities are appended to the signals;
- per alternative, P(it beats trafilatura's fast text by more than WIN), on rows whose type
  probabilities come from models that did not see the page's site (stacking);
- per alternative, a margin on that probability, chosen by an inner 3-fold site-grouped CV on the
  training part for the benchmark's aggregate F1. The hand-set guard `chooser.page_allowed` applies.
Folds are grouped by site (URL host), so no site is in both the fit and the report: the report is the
out-of-fold score per page type for each set, and the fold models go to --cv-dir for
bench/extraction_cv.py (the same, through the CLI). Evaluation data stay out of the repository:
only tree thresholds are written.
"""
from __future__ import annotations

import argparse
import itertools
import gzip
import json
import pickle
import sys
import time

import numpy as np
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.extraction.chooser import ALTERNATIVES, PAGE_TYPES, page_allowed  # noqa: E402
from cleaner.extraction.signals import FEATURES  # noqa: E402

N_FOLDS = 5
PARAMS = dict(learning_rate=0.05, num_leaves=7, min_data_in_leaf=15, feature_fraction=0.8,
              bagging_fraction=0.8, bagging_freq=1, lambda_l2=1.0, seed=11, deterministic=True,
              force_row_wise=True, num_threads=2, verbose=-1)
GAIN_TREES = 120
TYPE_TREES = 80
WIN = 0.03                                  # an alternative "wins" a page when its F1 is this much higher
MARGINS = (0.5, 0.6, 0.7, 0.8, 0.9)         # candidate probability margins, one per alternative

_STEP = None


def _init(fast: bool) -> None:
    global _STEP
    from cleaner.steps.extract import Extract
    _STEP = Extract(choose=False, fast=fast)


def _page(args: tuple[str, str, str]) -> dict:
    """Candidates, their texts and the signal row of one page (the step's own code)."""
    path, url, gold = args
    from score_extraction import doc_counts, doc_f1   # the bench's tools folder: on sys.path since main()
    html = gzip.decompress(Path(path).read_bytes()).decode("utf-8", "replace")
    t0 = time.process_time()
    texts, row, meta = _STEP.candidates(html, url)
    cpu = time.process_time() - t0
    counts = {k: doc_counts(gold, v) for k, v in texts.items()}
    scores = {k: doc_f1(*c) for k, c in counts.items()}
    return {"row": row, "scores": scores, "counts": counts, "cpu": cpu, "title": meta.get("title"),
            "available": {k: bool(texts.get(k, "").strip()) for k in ALTERNATIVES}}


def site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def load(bench: Path) -> list[dict]:
    pages = []
    idx = [json.loads(l) for l in open(bench / "index.jsonl", encoding="utf-8")]
    for d in idx:
        g = json.load(open(bench / "pages" / f"{d['id']}.json", encoding="utf-8"))
        pages.append({"id": d["id"], "url": d.get("url") or g.get("url") or "", "type": d.get("page_type", "article"),
                      "gold": g["articleBody"], "path": str(bench / "pages" / f"{d['id']}.html.gz")})
    return pages


def compute(pages: list[dict], fast: bool) -> list[dict]:
    with Pool(2, initializer=_init, initargs=(fast,)) as pool:
        out = pool.map(_page, [(p["path"], p["url"], p["gold"]) for p in pages], chunksize=4)
    for p, o in zip(pages, out):
        p.update(o)
    return pages


def fold_of(s: str, k: int = N_FOLDS, salt: str = "") -> int:
    import hashlib
    return int(hashlib.sha1((salt + s).encode()).hexdigest(), 16) % k


def _X(rows) -> np.ndarray:
    return np.asarray(rows, dtype=float)


def fit_types(pages):
    import lightgbm as lgb
    y = np.asarray([PAGE_TYPES.index(p["type"]) for p in pages])
    return lgb.train(dict(PARAMS, objective="multiclass", num_class=len(PAGE_TYPES)), lgb.Dataset(_X([p["row"] for p in pages]), y),
                     TYPE_TREES)


def stacked(pages, tmodel) -> list[list[float]]:
    """Signal rows with the page-type probabilities of `tmodel` appended (what the gain models see)."""
    probs = tmodel.predict(_X([p["row"] for p in pages]))
    return [list(p["row"]) + list(map(float, pr)) for p, pr in zip(pages, probs)]


def stacked_oof(pages, k: int = 3) -> list[list[float]]:
    """Stacked rows whose type probabilities come from models that did not see the page's site."""
    out: list = [None] * len(pages)
    for g in range(k):
        tm = fit_types([p for p in pages if fold_of(p["site"], k, "t") != g])
        idx = [i for i, p in enumerate(pages) if fold_of(p["site"], k, "t") == g]
        for i, r in zip(idx, stacked([pages[i] for i in idx], tm)):
            out[i] = r
    return out


def fit_gains(pages, rows) -> dict:
    """Per alternative: P(it beats trafilatura's text by > WIN on this page), weighted by how much is at stake."""
    import lightgbm as lgb
    models = {}
    for k in ALTERNATIVES:
        d = np.asarray([p["scores"][k] - p["scores"]["trafilatura"] for p in pages])
        models[k] = lgb.train(dict(PARAMS, objective="binary"), lgb.Dataset(_X(rows), (d > WIN).astype(float),
                                                                           weight=np.abs(d) + 0.02), GAIN_TREES)
    return models


def gain_probs(models, rows) -> list[dict[str, float]]:
    P = {k: m.predict(_X(rows)) for k, m in models.items()}
    return [{k: float(P[k][i]) for k in ALTERNATIVES} for i in range(len(rows))]


def choose(probs: dict[str, float], margins: dict[str, float], available: dict[str, bool] | None = None) -> str:
    wins = {k: probs[k] - margins[k] for k in ALTERNATIVES if probs[k] > margins[k] and (available is None or available[k])}
    return max(wins, key=lambda k: wins[k]) if wins else "trafilatura"


def aggregate_f1(pages, picks) -> float:
    """The benchmark's own aggregate: F1 of macro precision and macro recall over pages."""
    from score_extraction import aggregate
    return aggregate([p["counts"][k] for p, k in zip(pages, picks)])[2]


def pick_margins(pages) -> dict[str, float]:
    """Margins chosen on held-out sites of the training part (3 inner folds), for the benchmark's aggregate F1."""
    probs: list = [None] * len(pages)
    rows = stacked_oof(pages)
    for g in range(3):
        tr = [i for i, p in enumerate(pages) if fold_of(p["site"], 3, "m") != g]
        te = [i for i, p in enumerate(pages) if fold_of(p["site"], 3, "m") == g]
        models = fit_gains([pages[i] for i in tr], [rows[i] for i in tr])
        for i, q in zip(te, gain_probs(models, [rows[i] for i in te])):
            probs[i] = q
    best = None
    for combo in itertools.product(MARGINS, repeat=len(ALTERNATIVES)):
        m = dict(zip(ALTERNATIVES, combo))
        score = aggregate_f1(pages, [choose(q, m, p["available"]) for p, q in zip(pages, probs)])
        if best is None or score > best[0] + 1e-9:
            best = (score, m)
    return best[1]


def fit_all(pages):
    """The whole chooser on `pages`: type model, margins (inner CV), gain models on stacked OOF rows."""
    margins = pick_margins(pages)
    tmodel = fit_types(pages)
    gains = fit_gains(pages, stacked_oof(pages))
    return tmodel, gains, margins


def export(booster) -> list:
    """LightGBM trees as nested lists [feature, threshold, left, right]; a leaf is a number."""
    def conv(node):
        if "leaf_value" in node:
            return round(float(node["leaf_value"]), 6)
        assert node["decision_type"] == "<=", node["decision_type"]
        return [int(node["split_feature"]), float(node["threshold"]), conv(node["left_child"]), conv(node["right_child"])]
    return [conv(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]


def apply(fitted, pages) -> tuple[list[str], list[str]]:
    tmodel, gains, margins = fitted
    rows = stacked(pages, tmodel)
    types = [PAGE_TYPES[int(np.argmax(r[-len(PAGE_TYPES):]))] for r in rows]
    picks = [choose(q, margins, guard(p["available"], r)) for p, q, r in zip(pages, gain_probs(gains, rows), rows)]
    return picks, types


def guard(available: dict[str, bool], row) -> dict[str, bool]:
    """The chooser's own guard on the page-text candidate (see cleaner.extraction.chooser.page_allowed)."""
    return dict(available, page=available["page"] and page_allowed(row))


def report(title: str, pages, picks, types=None) -> None:
    print(f"\n{title}")
    print("| page type | pages | trafilatura (fast) | cleaner's choice | best candidate per page | picks |")
    print("|---|---|---|---|---|---|")
    groups = defaultdict(list)
    for i, p in enumerate(pages):
        groups["ALL"].append(i)
        groups[p["type"]].append(i)
    for t in ["ALL"] + sorted(k for k in groups if k != "ALL"):
        ps = [pages[i] for i in groups[t]]
        ks = [picks[i] for i in groups[t]]
        base = aggregate_f1(ps, ["trafilatura"] * len(ps))
        from score_extraction import aggregate, doc_f1
        oracle = aggregate([max(p["counts"].values(), key=lambda c: doc_f1(*c)) for p in ps])[2]
        print(f"| {t} | {len(ps)} | {base:.3f} | {aggregate_f1(ps, ks):.3f} | {oracle:.3f} | {dict(sorted(Counter(ks).items()))} |")
    if types is not None:
        acc = sum(p["type"] == t for p, t in zip(pages, types)) / len(pages)
        print(f"page-type accuracy: {acc:.3f}")


def write_spec(path: Path, fitted, note: str) -> None:
    tmodel, gains, margins = fitted
    spec = {"features": FEATURES, "alternatives": list(ALTERNATIVES), "page_types": list(PAGE_TYPES),
            "margins": margins, "win": WIN, "type_trees": export(tmodel),
            "gain_trees": {k: export(m) for k, m in gains.items()}, "fitted_on": note}
    path.write_text(json.dumps(spec, separators=(",", ":")) + "\n", encoding="utf-8")


def cached(bench: Path, cache: Path, fast: bool, refresh: bool, kind: str | None = None) -> list[dict]:
    if cache.exists() and not refresh:
        return pickle.loads(cache.read_bytes())
    pages = load(bench)
    if kind:
        for p in pages:
            p["type"] = kind
    pages = compute(pages, fast)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(pages))
    return pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("bench", nargs="?", default=str(ROOT.parent / "shared/bench/pagetypes"))
    ap.add_argument("--extraction", default=str(ROOT.parent / "shared/bench/extraction"),
                    help="the 181 news pages, fitted on too (as articles), reported apart ('' to leave out)")
    ap.add_argument("--out", default=str(ROOT / "cleaner/extraction/chooser.json"))
    ap.add_argument("--cache", default=str(ROOT / "bench/out/extraction_rows.pkl"))
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chooser_cv"), help="fold models for bench/extraction_cv.py")
    ap.add_argument("--fast", type=int, default=1, help="trafilatura's fast path (1, the step's default) or full (0)")
    ap.add_argument("--refresh", action="store_true", help="recompute the candidates even if cached")
    a = ap.parse_args()
    sys.path.insert(0, str(Path(a.bench).resolve().parents[0] / "tools"))
    sets = {"pagetypes": cached(Path(a.bench), Path(a.cache), bool(a.fast), a.refresh)}
    if a.extraction:
        sets["extraction"] = cached(Path(a.extraction), Path(a.cache).with_name(Path(a.cache).stem + "_extraction.pkl"),
                                    bool(a.fast), a.refresh, kind="article")
    pages = [dict(p, set=name) for name, ps in sets.items() for p in ps]
    for p in pages:
        p["site"] = site(p["url"])
    picks, types = [None] * len(pages), [None] * len(pages)
    cv_dir = Path(a.cv_dir)
    cv_dir.mkdir(parents=True, exist_ok=True)
    folds = {}
    for f in range(N_FOLDS):
        train = [p for p in pages if fold_of(p["site"]) != f]
        test = [i for i, p in enumerate(pages) if fold_of(p["site"]) == f]
        fitted = fit_all(train)
        write_spec(cv_dir / f"fold{f}.json", fitted, f"fold {f} of {N_FOLDS}: sites outside the fold")
        folds.update({p["path"]: f for p in (pages[i] for i in test)})
        print(f"fold {f}: margins {fitted[2]}")
        for i, k, t in zip(test, *apply(fitted, [pages[i] for i in test])):
            picks[i], types[i] = k, t
    for name in sets:
        idx = [i for i, p in enumerate(pages) if p["set"] == name]
        report(f"{name}, out of fold ({N_FOLDS} folds grouped by site: no site is in both fit and report)",
               [pages[i] for i in idx], [picks[i] for i in idx], [types[i] for i in idx])
    cpu = sum(p["cpu"] for p in pages) / len(pages)
    print(f"candidates + signals CPU per page (all candidates, the full run included): {1000 * cpu:.1f} ms")
    (cv_dir / "folds.json").write_text(json.dumps(folds, indent=0, sort_keys=True), encoding="utf-8")
    fitted = fit_all(pages)
    write_spec(Path(a.out), fitted, f"{len(pages)} pages ({', '.join(f'{k} {len(v)}' for k, v in sets.items())}), "
                                    f"margins by 3-fold site-grouped CV")
    print(f"\nwrote {a.out}: margins {fitted[2]}; fold models and the page->fold map in {cv_dir}")
    print(f"command: python3 bench/extraction_fit.py {a.bench} --extraction {a.extraction} --fast {a.fast}")


if __name__ == "__main__":
    main()
