#!/usr/bin/env python3
"""Shared data of the text-path fit and evaluation (bench/chrome_fit.py, bench/textpath_eval.py).

The whole-page scrapes (`pages/<id>.page.txt`) of two benchmark sets, the 982 pages of 7 page types
(`pagetypes`) and the 181 news pages (`extraction`), each run through the pipeline's phase A (the
steps before the line classifier: repair, normalize, chrome rules, structure) exactly as
`cleaner clean` does, with the corpus line counts of each set built as the CLI builds them when the
set is cleaned on its own. Cached under bench/out/ (evaluation data: never committed).

Silver line labels (1 = chrome, 0 = content, None = blank) come from each page's gold text: a line
of 4+ tokens is content when half its 4-gram shingles are in the gold, a shorter one when it equals
a gold line (or the gold title).
Groups: `site` (URL host) and `page_type`; `part` splits the sites in two by hash: "fit" (used to
choose thresholds) and "held-out" (only reported).
"""
from __future__ import annotations

import hashlib
import json
import pickle
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.document import Document  # noqa: E402
from cleaner.linefreq import LineCounts, document_keys, site_of  # noqa: E402

SETS = ("pagetypes", "extraction")
TOKEN = re.compile(r"\w+")
N_FOLDS = 5
CACHE = ROOT / "bench/out/textpath_cache.pkl"


def tokens(s: str) -> list[str]:
    return [t.casefold() for t in TOKEN.findall(s)]


def site_from_url(url: str) -> str:
    return (urlsplit(url).hostname or url).removeprefix("www.")


def fold_of(key: str, n: int = N_FOLDS) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "little") % n


def part_of(site: str) -> str:
    """Half of the sites choose the thresholds ("fit"), the other half only report ("held-out")."""
    return "fit" if fold_of("part:" + site, 2) == 0 else "held-out"


def silver_labels(lines: list[str], gold: str, title: str | None = None) -> list[int | None]:
    gt = tokens(gold)
    shingles = {tuple(gt[i:i + 4]) for i in range(len(gt) - 3)}
    paragraphs = {" ".join(tokens(p)) for p in gold.split("\n") if p.strip()}
    if title:
        paragraphs.add(" ".join(tokens(title)))
    out: list[int | None] = []
    for line in lines:
        if not line.strip():
            out.append(None)
            continue
        t = tokens(line)
        if len(t) >= 4:
            sh = [tuple(t[i:i + 4]) for i in range(len(t) - 3)]
            out.append(0 if sum(s in shingles for s in sh) / len(sh) >= 0.5 else 1)
        else:
            out.append(0 if t and " ".join(t) in paragraphs else 1)
    return out


def phase_a_steps():
    from cleaner.pipeline import Pipeline
    pipe = Pipeline.default(dedup="none", jobs=1)
    before, after = pipe.phases()
    return before


def build(bench: Path) -> dict:
    """set -> {"docs": [...], "counts": LineCounts}; each doc a dict with the phase-A Document."""
    from cleaner.pipeline import apply_steps
    steps = phase_a_steps()
    out = {}
    for name in SETS:
        d = bench / name
        index = {r["id"]: r for r in map(json.loads, (d / "index.jsonl").read_text().splitlines())}
        docs = []
        for pid in sorted(index):
            path = d / "pages" / f"{pid}.page.txt"
            if not path.exists():
                continue
            gold = json.loads((d / "pages" / f"{pid}.json").read_text())
            doc = Document(id=pid, source=str(path), text=path.read_text(encoding="utf-8"))
            res = apply_steps(steps, doc)
            if res.failure or res.dropped:
                continue
            site = site_from_url(index[pid]["url"])
            docs.append({"id": pid, "set": name, "site": site, "page_type": index[pid].get("page_type", "article"),
                         "part": part_of(site), "doc": res.doc, "gold": gold["articleBody"],
                         "title": gold.get("title")})
        counts = LineCounts()
        for x in docs:
            counts.add(document_keys(x["doc"].lines), site_of(x["doc"].url, x["doc"].source))
        out[name] = {"docs": docs, "counts": counts}
    return out


def load(bench: Path, refresh: bool = False) -> dict:
    if CACHE.exists() and not refresh:
        return pickle.loads(CACHE.read_bytes())
    data = build(bench)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_bytes(pickle.dumps(data))
    return data


def score(bench: Path, name: str, texts: dict[str, str]) -> dict:
    """The benchmark's own scorer (macro 4-gram shingle P/R/F1), ALL and per page type."""
    sys.path.insert(0, str(bench / "tools"))
    from score_extraction import load_bench, score_texts
    gold, types = load_bench(bench / name)
    res = {"ALL": score_texts(gold, texts)}
    for t in sorted(set(types.values())):
        sub = {i: g for i, g in gold.items() if types[i] == t}
        if len(sub) < len(gold):
            res[t] = score_texts(sub, texts)
    return res
