"""`cleaner report`: one self-contained HTML page showing what the cleaning removed, and why.

The page has no network fetches: CSS and JS are inlined, charts are inline SVG drawn here, and
the documents travel as one JSON blob (with `<`, `>`, `&` and U+2028/9 escaped, so a document
containing `</script>` cannot end the script element). The browser renders 50 documents per page
from that blob on demand, so 100,000 documents stay usable.

Size: every document and every removed line is embedded (removed lines are what people look at);
the *kept* text of each document is capped by a byte budget shared across the corpus (see
`text_budget`), keeping the lines next to each removal and the head and tail of the text, and the
page says how much was left out. Past `max_docs` documents, an evenly spaced sample is embedded
(totals still count every record).

This module writes the page (`build_report`, `main`); the numbers and lines it shows are gathered
in cleaner.report.gather, the HTML is made in cleaner.report.page, the files are read in
cleaner.report.reading.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterable

from cleaner.report.gather import (DEFAULT_MAX_DOCS, DEFAULT_TEXT_BUDGET, Summary, collect, embed_lines,
                                   family_of, interleave, is_heuristic, text_budget)
from cleaner.report.page import json_for_script, render
from cleaner.report.reading import count_records, default_stats_path, load_stats, read_records

__all__ = ["build_report", "collect", "count_records", "default_stats_path", "embed_lines", "family_of",
           "interleave", "is_heuristic", "json_for_script", "load_stats", "read_records", "render", "text_budget"]


def build_report(corpus_path: str | Path, out_path: str | Path, stats_path: str | Path | None = None, *,
                 max_docs: int = DEFAULT_MAX_DOCS, text_bytes: int = DEFAULT_TEXT_BUDGET) -> Summary:
    """Write the HTML report for `corpus_path` to `out_path` (atomically) and return what it shows.

    `stats_path` defaults to the stats file next to the corpus; `max_docs` documents are embedded
    at most (an even sample beyond); `text_bytes` is the corpus-wide budget of kept text.
    """
    t0 = time.perf_counter()
    corpus = Path(corpus_path)
    spath = Path(stats_path) if stats_path else default_stats_path(corpus)
    stats = load_stats(spath)
    summary, data = collect(corpus, stats, max_docs=max_docs, total_text=text_bytes)
    summary.stats_path = str(spath) if spath else None
    page = render(summary, data, corpus)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")   # not *.tmp: the checkpoint sweep deletes those
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    summary.html_bytes = out.stat().st_size
    summary.build_seconds = time.perf_counter() - t0
    return summary


def main(argv: Iterable[str] | None = None) -> int:
    """`python -m cleaner.report CORPUS -o REPORT.html` (the same as `cleaner report`)."""
    import argparse
    import sys

    p = argparse.ArgumentParser(prog="cleaner report", description="Write an HTML report of a corpus.")
    p.add_argument("corpus")
    p.add_argument("-o", "--output", default="out/report.html")
    p.add_argument("--stats", default=None, help="stats file (default: the one next to the corpus)")
    p.add_argument("--max-docs", type=int, default=DEFAULT_MAX_DOCS)
    args = p.parse_args(list(argv) if argv is not None else None)
    try:
        s = build_report(args.corpus, args.output, args.stats, max_docs=args.max_docs)
    except (OSError, ValueError) as e:
        from cleaner.errors import exit_code_for

        print(f"cleaner report: {e}", file=sys.stderr)
        return exit_code_for(e)
    print(f"{args.output}: {s.documents:,} documents ({s.documents_embedded:,} embedded), "
          f"{s.html_bytes / 1e6:.1f} MB, {s.build_seconds:.1f} s", file=sys.stderr)
    return 0
