"""How big and how slow is `cleaner report` on a large corpus? A synthetic one, made here.

    python bench/report_scale.py [N_DOCS=100000] [--browser]

Writes N synthetic records shaped like `cleaner clean --explain` output (3 KB of text, 0-8 removed
lines from 30 rules, 5% with duplicates, 8 languages; seeded, so the same every run) to a temp dir,
builds the report, and prints its size and build time against a baseline in the same run: one plain
pass of json.loads over the corpus. With --browser, also loads it in headless Chromium and times
page-ready, a reason filter and a search.
"""
from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cleaner.report import build_report, read_records  # noqa: E402

WORDS = ("the of and to in a is that for on with as was by at from it be this are or an have not "
         "market city council report water energy school health people year government new data "
         "study research police court price team season music film street river local public").split()
RULES = ([f"{fam}/{r}" for fam in ("comments", "share", "related", "newsletter", "navigation", "cookies",
                                   "copyright", "ads", "credits", "follow-promos", "source")
          for r in ("a", "b")] + [f"heuristic/{s}" for s in ("menu-run", "short-tail", "repeated-across-corpus", "link-run")]
         + [f"structure/{s}" for s in ("breadcrumb", "date-header", "repeated-title", "placeholder")])
LANGS = ("en", "en", "en", "de", "fr", "es", "ja", "und", "pt", "it")


def make_corpus(path: Path, n: int) -> dict:
    rnd = random.Random(1234)
    lines_removed: Counter = Counter()
    langs: Counter = Counter()
    clusters = dups = 0
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            paras = []
            size = 0
            while size < 3000:
                p = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(15, 60))).capitalize() + "."
                paras.append(p)
                size += len(p) + 1
            removed = []
            line = 1
            for _ in range(rnd.randint(0, 3)):
                rule = rnd.choice(RULES)
                removed.append({"line": line, "rule": rule, "text": f"{rule.split('/')[1]} chrome line {line}"})
                line += rnd.randint(1, 2)
            tail = line + 2 * len(paras) + 1
            for _ in range(rnd.randint(0, 5)):
                rule = rnd.choice(RULES)
                removed.append({"line": tail, "rule": rule, "text": f"Leave a Reply <{rule}> </script> {tail}"})
                tail += rnd.randint(1, 2)
            lines_removed.update(r["rule"] for r in removed)
            lang = LANGS[i % len(LANGS)]
            langs[lang] += 1
            duplicates = []
            if rnd.random() < 0.05:
                clusters += 1
                duplicates = [{"id": f"d{i}-{k}", "source": f"crawl/{i}-{k}.html", "similarity": round(rnd.uniform(0.8, 1), 4)}
                              for k in range(rnd.randint(1, 3))]
                dups += len(duplicates)
            rec = {"id": f"{i:016x}", "text": "\n".join(paras), "title": f"Synthetic document {i}",
                   "url": f"https://example.com/{i}", "source": f"crawl/{i}.html", "lang": lang, "lang_score": 0.99,
                   "date": None, "removed": removed, "duplicates": duplicates, "meta": {}}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    fam: Counter = Counter()
    for r, k in lines_removed.items():
        fam[r.split("/")[0]] += k
    srt = lambda c: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))  # noqa: E731
    stats = {"documents_in": n + dups, "documents_out": n, "lines_removed_total": sum(lines_removed.values()),
             "lines_removed_by_family": srt(fam), "lines_removed": srt(lines_removed), "documents_dropped": {"duplicate/near": dups},
             "duplicate_clusters": clusters, "duplicates_dropped": dups, "languages": srt(langs), "failures": {},
             "failures_total": 0, "events": {}}
    path.with_name(path.name + ".stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return stats


def browser_timings(report: Path) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "browser"))
    import chrome
    from selenium.webdriver.support.ui import WebDriverWait

    if chrome.missing():
        return {}
    d = chrome.start(1280, 1400)
    try:
        d.set_page_load_timeout(600)
        t0 = time.perf_counter()
        d.get(report.resolve().as_uri())
        WebDriverWait(d, 600).until(lambda x: x.execute_script("return document.body.getAttribute('data-ready') === '1'"))
        ready = time.perf_counter() - t0
        t0 = time.perf_counter()
        d.find_element("css selector", "#family-totals tr[data-filter]").click()
        d.execute_script("return document.querySelectorAll('#docs .ln').length")
        filt = time.perf_counter() - t0
        d.find_element("css selector", "#family-totals tr[data-filter]").click()   # clear it again
        t0 = time.perf_counter()
        d.execute_script("var s=document.getElementById('search'); s.value='council'; s.dispatchEvent(new Event('input'));")
        WebDriverWait(d, 120, poll_frequency=0.05).until(lambda x: x.execute_script("return document.querySelectorAll('#docs mark').length > 0"))
        search = time.perf_counter() - t0 - 0.2   # minus the input debounce
        heap = d.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : 0")
        return {"page ready (s)": ready, "filter click (s)": filt, "first search (s)": search, "JS heap (MB)": heap / 1e6}
    finally:
        chrome.quit(d)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        make_corpus(corpus, n)
        t0 = time.perf_counter()
        count = sum(1 for _ in read_records(corpus))
        baseline = time.perf_counter() - t0
        out = Path(tmp) / "report.html"
        s = build_report(corpus, out)
        rows = [
            ("documents", f"{count:,}"), ("corpus size (MB)", f"{corpus.stat().st_size / 1e6:.1f}"),
            ("report size (MB)", f"{s.html_bytes / 1e6:.1f}"), ("documents embedded", f"{s.documents_embedded:,}"),
            ("kept-text cap per doc (bytes)", f"{s.text_budget_per_doc:,}"), ("documents cut", f"{s.cut_docs:,}"),
            ("baseline: json.loads pass (s)", f"{baseline:.2f}"), ("report build (s)", f"{s.build_seconds:.2f}"),
            ("build / baseline", f"{s.build_seconds / baseline:.1f}x"),
        ]
        if "--browser" in sys.argv:
            rows += [(k, f"{v:.2f}") for k, v in browser_timings(out).items()]
        print(f"$ python {' '.join(sys.argv)}")
        width = max(len(k) for k, _ in rows)
        for k, v in rows:
            print(f"{k:<{width}}  {v:>12}")


if __name__ == "__main__":
    main()
