#!/usr/bin/env python3
"""Fit the chrome line classifier shipped in cleaner/classifier/model.json, with grouped CV.

    python3 bench/chrome_fit.py [EXTRACTION_DIR] [--out cleaner/classifier/model.json] [--cv-dir bench/out/chrome_cv]

Training data are SILVER line labels made from the extraction benchmark (181 pages, evaluation data:
nothing of it enters the repo except fitted tree thresholds): each page is turned into text twice,
as the whole-page scrape (`<id>.page.txt`) and as a recall-leaning trafilatura extraction of the
HTML, and each line is labelled content when it matches the gold article body (4-gram shingle
overlap >= 0.5, or equal to a gold paragraph for short lines, or the page's <h1>), chrome otherwise.
Every row is used twice, with and without corpus counts, so the model also works when the pipeline
never called `bind`. Folds are grouped by site (URL host); the fold models and the site->fold map
go to --cv-dir so that bench/chrome_eval.py can report cross-validated scores.
Needs lightgbm (fit time only; the package evaluates the exported trees in pure Python).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.classifier.features import ABSENT, FEATURE_NAMES, line_features  # noqa: E402
from cleaner.linefreq import LineCounts, document_keys  # noqa: E402

TOKEN = re.compile(r"\w+")
N_FOLDS = 5
PARAMS = dict(objective="binary", learning_rate=0.08, num_leaves=15, min_data_in_leaf=20,
              feature_fraction=0.9, bagging_fraction=0.9, bagging_freq=1, lambda_l2=1.0,
              seed=7, deterministic=True, force_row_wise=True, num_threads=2, verbose=-1)
N_TREES = 80
COUNT_COLS = [FEATURE_NAMES.index(c) for c in ("corpus_count", "corpus_share", "site_count", "site_share")]


def fold_of(site: str) -> int:
    return int.from_bytes(hashlib.blake2b(site.encode(), digest_size=4).digest(), "little") % N_FOLDS


def site_from_url(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def tokens(s: str) -> list[str]:
    return [t.casefold() for t in TOKEN.findall(s)]


def headline(html: str) -> str | None:
    import lxml.html
    try:
        h1 = lxml.html.fromstring(html).find(".//h1")
    except Exception:
        return None
    return " ".join(tokens(h1.text_content())) if h1 is not None else None


def silver_labels(lines: list[str], gold: str, h1: str | None) -> list[int | None]:
    """1 = chrome, 0 = content, None = blank."""
    gt = tokens(gold)
    shingles = {tuple(gt[i:i + 4]) for i in range(len(gt) - 3)}
    paragraphs = {" ".join(tokens(p)) for p in gold.split("\n") if p.strip()}
    out: list[int | None] = []
    seen_h1 = False
    for line in lines:
        if not line.strip():
            out.append(None)
            continue
        t = tokens(line)
        norm = " ".join(t)
        if h1 and norm == h1 and not seen_h1:
            seen_h1 = True
            out.append(0)
        elif len(t) >= 4:
            sh = [tuple(t[i:i + 4]) for i in range(len(t) - 3)]
            out.append(0 if sum(s in shingles for s in sh) / len(sh) >= 0.5 else 1)
        else:
            out.append(0 if t and norm in paragraphs else 1)
    return out


def build_corpora(ext_dir: Path) -> dict[str, list[dict]]:
    """variant -> documents {id, site, lines, labels}."""
    import trafilatura
    corpora: dict[str, list[dict]] = {"page": [], "trafilatura": []}
    for rec in map(json.loads, (ext_dir / "index.jsonl").read_text().splitlines()):
        pid, site = rec["id"], site_from_url(rec["url"])
        gold = json.loads((ext_dir / "pages" / f"{pid}.json").read_text())["articleBody"]
        html = gzip.decompress((ext_dir / "pages" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
        h1 = headline(html)
        page = (ext_dir / "pages" / f"{pid}.page.txt").read_text(encoding="utf-8").split("\n")
        traf = (trafilatura.extract(html, favor_recall=True, include_comments=True, include_tables=True) or "").split("\n")
        for variant, lines in (("page", page), ("trafilatura", traf)):
            corpora[variant].append({"id": pid, "site": site, "lines": lines, "labels": silver_labels(lines, gold, h1)})
    return corpora


def featurise(corpora: dict[str, list[dict]]):
    """Rows (with counts, then the same rows without), labels, groups (site)."""
    X, y, groups, variants = [], [], [], []
    for variant, docs in corpora.items():
        counts = LineCounts()
        for d in docs:
            counts.add(document_keys(d["lines"]), d["site"])
        for d in docs:
            idx, rows = line_features(d["lines"], counts, d["site"])
            for i, r in zip(idx, rows):
                lab = d["labels"][i]
                absent = list(r)
                for c in COUNT_COLS:
                    absent[c] = ABSENT
                X += [r, absent]
                y += [lab, lab]
                groups += [d["site"], d["site"]]
                variants += [variant, variant]
    return X, y, groups, variants


CONTENT_WEIGHT = 3.0   # losing a content line costs more than keeping a chrome line


def weights(y, variants) -> list[float]:
    """Each text variant weighs the same in total (the whole-page scrapes would swamp the extractor
    outputs), and content lines weigh CONTENT_WEIGHT times a chrome line."""
    from collections import Counter
    per = Counter(variants)
    return [len(y) / (len(per) * per[v]) * (CONTENT_WEIGHT if lab == 0 else 1.0) for lab, v in zip(y, variants)]


def fit(X, y, w):
    import lightgbm as lgb
    import numpy as np
    ds = lgb.Dataset(np.asarray(X, dtype=np.float64), label=np.asarray(y), weight=np.asarray(w),
                     feature_name=FEATURE_NAMES, free_raw_data=False)
    return lgb.train(PARAMS, ds, num_boost_round=N_TREES)


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


# Mode thresholds on the chrome probability. Chosen by hand from out-of-fold sweeps (the silver
# labels of extractor outputs are too noisy to pick them automatically: a content-loss budget on
# them sent every threshold to 0.98+). strict and balanced also only look at the head and tail
# blocks and at corpus-repeated lines (see cleaner/steps/heuristics.py); aggressive looks everywhere.
THRESHOLDS = {"strict": 0.7, "balanced": 0.4, "aggressive": 0.4}


def pick_thresholds(y, p) -> dict[str, float]:
    return dict(THRESHOLDS)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("ext_dir", nargs="?", default=str(ROOT.parent / "shared/bench/extraction"))
    ap.add_argument("--out", default=str(ROOT / "cleaner/classifier/model.json"))
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chrome_cv"))
    a = ap.parse_args()
    t0 = time.perf_counter()
    corpora = build_corpora(Path(a.ext_dir))
    X, y, groups, variants = featurise(corpora)
    w = weights(y, variants)
    print(f"silver rows={len(y)} (x2: with/without counts) chrome share={sum(y) / len(y):.3f} "
          f"sites={len(set(groups))} built in {time.perf_counter() - t0:.1f}s")
    cv_dir = Path(a.cv_dir)
    cv_dir.mkdir(parents=True, exist_ok=True)
    oof = [0.0] * len(y)
    import numpy as np
    for k in range(N_FOLDS):
        train = [i for i, g in enumerate(groups) if fold_of(g) != k]
        test = [i for i, g in enumerate(groups) if fold_of(g) == k]
        b = fit([X[i] for i in train], [y[i] for i in train], [w[i] for i in train])
        pred = b.predict(np.asarray([X[i] for i in test]))
        for i, q in zip(test, pred):
            oof[i] = float(q)
        (cv_dir / f"fold{k}.json").write_text(json.dumps(
            {"features": FEATURE_NAMES, "trees": export_trees(b), "thresholds": {}}))
    ext = [i for i, v in enumerate(variants) if v == "trafilatura"]
    thresholds = pick_thresholds([y[i] for i in ext], [oof[i] for i in ext])
    for k in range(N_FOLDS):
        f = cv_dir / f"fold{k}.json"
        spec = json.loads(f.read_text()); spec["thresholds"] = thresholds
        f.write_text(json.dumps(spec))
    (cv_dir / "folds.json").write_text(json.dumps({"n_folds": N_FOLDS, "fold_of_site": "blake2b(site, 4 bytes) % n_folds"}))
    final = fit(X, y, w)
    ins = [float(q) for q in final.predict(np.asarray(X))]
    spec = {"features": FEATURE_NAMES, "thresholds": thresholds, "trees": export_trees(final),
            "fitted_by": "bench/chrome_fit.py", "params": PARAMS, "n_trees": N_TREES}
    Path(a.out).write_text(json.dumps(spec, separators=(",", ":")) + "\n")
    print(f"thresholds: {thresholds}")
    print("| silver lines (chrome = positive) | text | mode | P | R | F1 |")
    print("|---|---|---|---|---|---|")
    for name, p in (("in-sample", ins), (f"CV, {N_FOLDS} folds grouped by site", oof)):
        for variant in sorted(set(variants)):
            rows = [i for i, v in enumerate(variants) if v == variant]
            for mode, t in thresholds.items():
                P, R, F = prf([y[i] for i in rows], [p[i] for i in rows], t)
                print(f"| {name} | {variant} | {mode} | {P:.3f} | {R:.3f} | {F:.3f} |")
    print(f"wrote {a.out} ({Path(a.out).stat().st_size // 1024} KiB) and {cv_dir}/fold*.json "
          f"in {time.perf_counter() - t0:.1f}s")
    print("command: python3 bench/chrome_fit.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
