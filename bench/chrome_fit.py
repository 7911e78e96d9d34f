#!/usr/bin/env python3
"""Fit the chrome line classifier shipped in cleaner/classifier/model.json, with grouped CV.

    python3 bench/chrome_fit.py [BENCH_DIR] [--out cleaner/classifier/model.json] [--cv-dir bench/out/chrome_cv]

Training data are SILVER line labels (evaluation data: nothing of it enters the repo except fitted
tree thresholds) from three kinds of text, each line labelled content when it matches the page's
gold text (bench/textpath_data.py: 4-gram shingle overlap >= 0.5, or equal to a gold line for
short lines), chrome otherwise:
  - the whole-page scrapes of the 982 pagetypes pages (7 page types, 832 sites) and of the 181
    extraction pages, after the pipeline's phase A (rules, structure) as `cleaner clean` runs it;
  - a recall-leaning trafilatura extraction of the 181 extraction pages' HTML (extractor outputs).
Every row is used twice, with and without corpus counts, so the model also works when the pipeline
never called `bind`. Two stages: stage one scores each line from its own features; stage two adds
the out-of-fold stage-one probabilities of its neighbourhood (features.CONTEXT_NAMES). Folds are
grouped by site (URL host); the fold models go to --cv-dir so that bench/textpath_eval.py and
bench/chrome_eval.py report scores on sites the model never saw, and textpath_eval.py chooses the
thresholds (on one half of the sites) and writes them into the shipped model.
Needs lightgbm (fit time only; the package evaluates the exported trees in pure Python).
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

import textpath_data as T  # noqa: E402
from cleaner.classifier.features import ABSENT, CONTEXT_NAMES, FEATURE_NAMES, context_rows, line_features  # noqa: E402
from cleaner.linefreq import LineCounts, document_keys, site_of  # noqa: E402

N_FOLDS = 5
PARAMS = dict(objective="binary", learning_rate=0.08, num_leaves=15, min_data_in_leaf=50,
              feature_fraction=0.9, bagging_fraction=0.9, bagging_freq=1, lambda_l2=1.0,
              seed=7, deterministic=True, force_row_wise=True, num_threads=2, verbose=-1)
N_TREES = 60          # stage one
N_TREES_2 = 40        # stage two
STAGE2_FLOOR = 0.2    # lines under this stage-one probability are never cut: stage two skips them
COUNT_COLS = [FEATURE_NAMES.index(c) for c in ("corpus_count", "corpus_share", "site_count", "site_share")]
CONTENT_WEIGHT = 1.0  # the thresholds (chosen on held-out sites) carry the precision-first trade-off


def fold_of(site: str) -> int:
    return T.fold_of(site, N_FOLDS)


def extractor_outputs(bench: Path) -> list[dict]:
    """The 181 extraction pages as recall-leaning trafilatura outputs (cached)."""
    cache = ROOT / "bench/out/chrome_fit_trafilatura.json"
    if cache.exists():
        return json.loads(cache.read_text())
    import trafilatura
    ext_dir = bench / "extraction"
    out = []
    for rec in map(json.loads, (ext_dir / "index.jsonl").read_text().splitlines()):
        pid = rec["id"]
        gold = json.loads((ext_dir / "pages" / f"{pid}.json").read_text())
        html = gzip.decompress((ext_dir / "pages" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        text = trafilatura.extract(html, favor_recall=True, include_comments=True, include_tables=True) or ""
        out.append({"id": pid, "site": T.site_from_url(rec["url"]), "lines": text.split("\n"),
                    "gold": gold["articleBody"], "title": gold.get("title")})
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


def corpora(bench: Path) -> list[tuple[str, list[dict], LineCounts]]:
    """(variant, documents {id, site, lines, labels}, the variant's corpus counts)."""
    data = T.load(bench)
    out = []
    for name in T.SETS:
        docs = [{"id": x["id"], "site": x["site"], "lines": x["doc"].lines, "source": x["doc"].source,
                 "labels": T.silver_labels(x["doc"].lines, x["gold"], x["title"])} for x in data[name]["docs"]]
        out.append((name, docs, data[name]["counts"]))
    ext = extractor_outputs(bench)
    counts = LineCounts()
    for d in ext:
        counts.add(document_keys(d["lines"]), "extraction-trafilatura")
    docs = [{"id": d["id"], "site": d["site"], "lines": d["lines"], "labels": T.silver_labels(d["lines"], d["gold"], d["title"])}
            for d in ext]
    out.append(("trafilatura", docs, counts))
    return out


def featurise(corp):
    """Rows (per document: with counts, then the same without), labels, groups (site), variants, and
    the row ranges of each (document, with/without counts) for the stage-two context."""
    X, y, groups, variants, spans, counted = [], [], [], [], [], []
    for variant, docs, counts in corp:
        site = "extraction-trafilatura" if variant == "trafilatura" else None
        for d in docs:
            s = site_of(None, d["source"]) if site is None else site
            idx, rows = line_features(d["lines"], counts, s)
            labs = [d["labels"][i] for i in idx]
            for with_counts in (True, False):
                start = len(y)
                for r, lab in zip(rows, labs):
                    r = list(r)
                    if not with_counts:
                        for c in COUNT_COLS:
                            r[c] = ABSENT
                    X.append(r)
                    y.append(lab)
                    groups.append(d["site"])
                    variants.append(variant)
                    counted.append(with_counts)
                spans.append((start, len(y)))
    return X, y, groups, variants, spans, counted


NO_COUNTS_WEIGHT = 0.25   # the copy without corpus counts (a run without `bind`) weighs less than the real rows


def weights(y, counted) -> list[float]:
    """Every line weighs the same, its copy without counts NO_COUNTS_WEIGHT (balancing the text
    variants, as before, made the 181 extractor outputs a third of the weight)."""
    return [(CONTENT_WEIGHT if lab == 0 else 1.0) * (1.0 if c else NO_COUNTS_WEIGHT) for lab, c in zip(y, counted)]


def with_context(X, p, spans):
    """Stage-two rows: each stage-one row plus the context of the stage-one probabilities p."""
    out = [None] * len(X)
    for a, b in spans:
        for j, c in zip(range(a, b), context_rows([float(q) for q in p[a:b]])):
            out[j] = list(X[j]) + c
    return out


def fit(X, y, w, n_trees=N_TREES):
    import lightgbm as lgb
    import numpy as np
    ds = lgb.Dataset(np.asarray(X, dtype=np.float64), label=np.asarray(y), weight=np.asarray(w), free_raw_data=False)
    return lgb.train(PARAMS, ds, num_boost_round=n_trees)


def export_trees(booster) -> list:
    def conv(node):
        if "leaf_value" in node:
            return node["leaf_value"]
        if node.get("decision_type") != "<=":
            raise ValueError("unexpected split type")
        return [node["split_feature"], node["threshold"], conv(node["left_child"]), conv(node["right_child"])]
    return [conv(t["tree_structure"]) for t in booster.dump_model()["tree_info"]]


def prf(y, p, thr):
    tp = sum(1 for a, b in zip(y, p) if a == 1 and b >= thr)
    fp = sum(1 for a, b in zip(y, p) if a == 0 and b >= thr)
    fn = sum(1 for a, b in zip(y, p) if a == 1 and b < thr)
    P = tp / (tp + fp) if tp + fp else 1.0
    R = tp / (tp + fn) if tp + fn else 1.0
    return P, R, 2 * P * R / (P + R) if P + R else 0.0


# Placeholder thresholds until bench/textpath_eval.py --write chooses them on held-out sites.
THRESHOLDS = {"strict": 0.95, "balanced": 0.85, "aggressive": 0.7}


def spec_of(b1, b2, thresholds) -> dict:
    return {"features": FEATURE_NAMES, "thresholds": thresholds, "trees": export_trees(b1),
            "stage2": {"context": CONTEXT_NAMES, "floor": STAGE2_FLOOR, "trees": export_trees(b2)},
            "fitted_by": "bench/chrome_fit.py", "params": PARAMS, "n_trees": [N_TREES, N_TREES_2]}


def main() -> None:
    import numpy as np
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(ROOT.parent / "shared/bench"))
    ap.add_argument("--out", default=str(ROOT / "cleaner/classifier/model.json"))
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chrome_cv"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    X, y, groups, variants, spans, counted = featurise(corpora(Path(a.bench)))
    X = np.asarray(X, dtype=np.float64)
    w = weights(y, counted)
    print(f"silver rows={len(y)} (x2: with/without counts) chrome share={sum(y) / len(y):.3f} "
          f"sites={len(set(groups))} built in {time.perf_counter() - t0:.1f}s")
    cv_dir = Path(a.cv_dir)
    cv_dir.mkdir(parents=True, exist_ok=True)
    folds = np.asarray([fold_of(g) for g in groups])
    ya, wa = np.asarray(y), np.asarray(w)
    oof1 = np.zeros(len(y))
    firsts = []
    for k in range(N_FOLDS):
        tr, te = folds != k, folds == k
        b = fit(X[tr], ya[tr], wa[tr])
        oof1[te] = b.predict(X[te])
        firsts.append(b)
    X2 = np.asarray(with_context(X, oof1, spans), dtype=np.float64)
    oof2 = np.zeros(len(y))
    for k in range(N_FOLDS):
        tr, te = folds != k, folds == k
        b2 = fit(X2[tr], ya[tr], wa[tr], N_TREES_2)
        oof2[te] = b2.predict(X2[te])
        (cv_dir / f"fold{k}.json").write_text(json.dumps(spec_of(firsts[k], b2, THRESHOLDS)))
    (cv_dir / "folds.json").write_text(json.dumps({"n_folds": N_FOLDS, "fold_of_site": "blake2b(site, 4 bytes) % n_folds"}))
    final1 = fit(X, ya, wa)
    final2 = fit(X2, ya, wa, N_TREES_2)
    thresholds = THRESHOLDS
    if Path(a.out).exists():          # keep the thresholds textpath_eval.py chose, if any
        try:
            thresholds = json.loads(Path(a.out).read_text())["thresholds"]
        except (ValueError, KeyError):
            pass
    Path(a.out).write_text(json.dumps(spec_of(final1, final2, thresholds), separators=(",", ":")) + "\n")
    print("| silver lines (chrome = positive), CV 5 folds grouped by site | text | stage | threshold | P | R | F1 |")
    print("|---|---|---|---|---|---|---|")
    for variant in sorted(set(variants)):
        rows = [i for i, v in enumerate(variants) if v == variant]
        for stage, p in (("one", oof1), ("two", oof2)):
            for t in (0.5, 0.8, 0.9):
                P, R, F = prf([y[i] for i in rows], [p[i] for i in rows], t)
                print(f"| | {variant} | {stage} | {t} | {P:.3f} | {R:.3f} | {F:.3f} |")
    print(f"wrote {a.out} ({Path(a.out).stat().st_size // 1024} KiB) and {cv_dir}/fold*.json "
          f"in {time.perf_counter() - t0:.1f}s")
    print("command: python3 bench/chrome_fit.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
