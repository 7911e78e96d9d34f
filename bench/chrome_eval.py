#!/usr/bin/env python3
"""Score the chrome steps on plain text: the 60-doc chrome dev set and the 181 whole-page scrapes.

    python3 bench/chrome_eval.py [BENCH_DIR] [--cv-dir bench/out/chrome_cv] [--modes strict,balanced,aggressive]

Runs the real registered steps (the phrase rules "chrome" and "structure" when they exist, then
"heuristics") on every text, with `LineCounts` built over the evaluated set (the corpus being
cleaned, as the pipeline does), writes the cleaned texts and calls the benchmark's own scorers.
Rows marked "CV" use, for each document, the fold model of bench/chrome_fit.py that never saw its
site (the fit trains on silver labels of the same 181 pages); "shipped" rows use the packaged model
(in-sample for those pages). Timing: the heuristics step (first pass included) against the text
path it joins (ftfy + seeded langdetect per document), same documents, same run.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.classifier.model import ChromeModel  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.linefreq import LineCounts, document_keys, site_of  # noqa: E402
from cleaner.registry import available_steps, make_step  # noqa: E402


def fold_of(site: str, n: int) -> int:
    return int.from_bytes(hashlib.blake2b(site.encode(), digest_size=4).digest(), "little") % n


def load_dev(bench: Path) -> list[Document]:
    docs = []
    for line in (bench / "chrome/dev/labels.jsonl").read_text().splitlines():
        name = json.loads(line)["doc"]
        path = bench / "chrome/dev/docs" / f"{name}.txt"
        text = path.read_text(encoding="utf-8").removesuffix("\n")
        docs.append(Document(id=name, source=str(path), text=text))
    return docs


def load_pages(bench: Path) -> list[Document]:
    docs = []
    for path in sorted((bench / "extraction/pages").glob("*.page.txt")):
        docs.append(Document(id=path.name.removesuffix(".page.txt"), source=str(path),
                             text=path.read_text(encoding="utf-8")))
    return docs


def page_sites(bench: Path) -> dict[str, str]:
    """page id -> URL host: used ONLY to pick the CV fold that never trained on that site."""
    out = {}
    for rec in map(json.loads, (bench / "extraction/index.jsonl").read_text().splitlines()):
        out[rec["id"]] = (urlsplit(rec["url"]).hostname or "").removeprefix("www.")
    return out


USE_RULES = True


def rule_steps() -> list:
    """The registered steps that run before heuristics (skipped when they fail to build)."""
    steps = []
    for n in ("chrome", "structure") if USE_RULES else ():
        if n in available_steps():
            try:
                steps.append(make_step(n))
            except Exception as e:  # a rule set being edited by someone else must not stop the bench
                print(f"warning: step {n!r} not used: {type(e).__name__}: {e}", file=sys.stderr)
    return steps


def clean(docs: list[Document], mode: str, models: dict[str, ChromeModel | None], fold_key) -> list[Document]:
    """Rules first, then counts over the set, then heuristics with the model chosen per document."""
    pre = rule_steps()
    out = []
    for d in docs:
        d = Document(id=d.id, source=d.source, text=d.text, url=d.url)
        for s in pre:
            d = s(d) if d is not None else None
        out.append(d)
    counts = LineCounts()
    for d in out:
        if d is not None:
            counts.add(document_keys(d.lines), site_of(d.url, d.source))
    steps = {}
    for key, m in models.items():
        steps[key] = make_step("heuristics", mode=mode, model=m)
        steps[key].bind(counts)
    return [steps[fold_key(d)](d) if d is not None else None for d in out]


def write(docs: list[Document], pred_dir: Path) -> None:
    pred_dir.mkdir(parents=True, exist_ok=True)
    for d in docs:
        if d is not None:
            (pred_dir / f"{d.id}.txt").write_text(d.text + "\n", encoding="utf-8")


def score_chrome(bench: Path, pred: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(bench / "tools/score_chrome.py"), str(bench / "chrome/dev"), str(pred)],
                         capture_output=True, text=True, check=True).stdout
    return {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", out)}


def score_extraction(bench: Path, pred: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(bench / "tools/score_extraction.py"), str(pred), str(bench / "extraction")],
                         capture_output=True, text=True, check=True).stdout
    row = next(l for l in out.splitlines() if l.startswith("ALL")).split()
    return {"F1": float(row[2]), "P": float(row[3]), "R": float(row[4])}


def chrome_free_loss(bench: Path, docs: list[Document], cleaned: list[Document]) -> tuple[int, int]:
    """(chrome-free docs, lines they lost)."""
    free = {json.loads(l)["doc"] for l in (bench / "chrome/dev/labels.jsonl").read_text().splitlines()
            if not json.loads(l)["removed_line_indices"]}
    lost = 0
    for d, c in zip(docs, cleaned):
        if d.id in free:
            lost += sum(1 for l in d.lines if l.strip()) - (sum(1 for l in c.lines if l.strip()) if c else 0)
    return len(free), lost


def timing(docs: list[Document]) -> tuple[float, float]:
    """(text path seconds, heuristics seconds) in one run. The text path is what a plain-text
    document goes through anyway: ftfy repair, the rule steps (chrome, structure) and seeded
    langdetect; the heuristics cost is the first pass (line hashes) plus the step, run on the
    lines the rules left, as in the pipeline."""
    import ftfy
    from langdetect import DetectorFactory, detect_langs
    DetectorFactory.seed = 0
    pre = rule_steps()
    ruled = []
    t = time.perf_counter()
    for d in docs:
        d = Document(id=d.id, source=d.source, text=ftfy.fix_text(d.text), url=d.url)
        for s in pre:
            d = s(d) if d is not None else None
        if d is not None:
            detect_langs(d.text[:5000] or "x")
            ruled.append(d)
    base = time.perf_counter() - t
    t = time.perf_counter()
    counts = LineCounts()
    for d in ruled:
        counts.add(document_keys(d.lines), site_of(d.url, d.source))
    step = make_step("heuristics")
    step.bind(counts)
    for d in ruled:
        step(d)
    return base, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("bench", nargs="?", default=str(ROOT.parent / "shared/bench"))
    ap.add_argument("--cv-dir", default=str(ROOT / "bench/out/chrome_cv"))
    ap.add_argument("--modes", default="strict,balanced,aggressive")
    ap.add_argument("--out", default=None, help="keep the cleaned texts here (default: a temp dir)")
    ap.add_argument("--no-rules", action="store_true", help="heuristics alone, without chrome/structure")
    a = ap.parse_args()
    global USE_RULES
    USE_RULES = not a.no_rules
    bench = Path(a.bench)
    dev, pages = load_dev(bench), load_pages(bench)
    sites = page_sites(bench)
    by_prefix = {pid[:10]: s for pid, s in sites.items()}
    cv_dir = Path(a.cv_dir)
    n_folds = len(list(cv_dir.glob("fold[0-9]*.json")))
    cv_models = {str(k): ChromeModel.from_path(cv_dir / f"fold{k}.json") for k in range(n_folds)}
    dev_fold = lambda d: str(fold_of(by_prefix[d.id.rsplit("_", 1)[1]], n_folds))
    page_fold = lambda d: str(fold_of(sites[d.id], n_folds))
    tmp = Path(a.out or tempfile.mkdtemp(prefix="chrome_eval_"))
    print(f"steps before heuristics: {[s.name for s in rule_steps()] or 'none registered'}")
    print("| model | mode | dev drop P | dev drop R | dev drop F1 | dev content loss | chrome-free lines lost "
          "| pages F1 | pages P | pages R |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for model_name, models, fd, fp in (("CV (grouped by site)", cv_models, dev_fold, page_fold),
                                       ("shipped (in-sample)", {"": None}, lambda d: "", lambda d: "")):
        for mode in a.modes.split(","):
            key = f"{'cv' if models is cv_models else 'shipped'}_{mode}"
            cd = clean(dev, mode, models, fd)
            write(cd, tmp / key / "dev")
            sc = score_chrome(bench, tmp / key / "dev")
            n_free, free_lost = chrome_free_loss(bench, dev, cd)
            cp = clean(pages, mode, models, fp)
            write(cp, tmp / key / "pages")
            se = score_extraction(bench, tmp / key / "pages")
            print(f"| {model_name} | {mode} | {sc['drop_precision']:.3f} | {sc['drop_recall']:.3f} | "
                  f"{sc['drop_F1']:.3f} | {sc['content_line_loss']:.3f} | {free_lost} (of {n_free} docs) | "
                  f"{se['F1']:.3f} | {se['P']:.3f} | {se['R']:.3f} |")
    base, step = timing(pages + dev)
    print(f"\ntiming over {len(pages) + len(dev)} docs: text path (ftfy + rules + structure + langdetect) {base:.2f}s, "
          f"heuristics step incl. first pass {step:.2f}s, ratio +{step / base:.1%}")
    print(f"cleaned texts in {tmp}")
    print("command: python3 bench/chrome_eval.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
