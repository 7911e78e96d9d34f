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
"""
from __future__ import annotations

import html
import os
import re
import time

import orjson
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from cleaner.report.charts import bar_chart
from cleaner.report.reading import count_records, default_stats_path, load_stats, read_records

__all__ = ["build_report", "collect", "count_records", "default_stats_path", "embed_lines", "family_of",
           "interleave", "is_heuristic", "json_for_script", "load_stats", "read_records", "render", "text_budget"]

HEURISTIC_FAMILIES = ("heuristic", "structure")
DEFAULT_TEXT_BUDGET = 48_000_000      # bytes of kept text embedded across all documents
DEFAULT_MAX_DOC_TEXT = 20_000         # bytes of kept text for one document, whatever the budget
MIN_DOC_TEXT = 400                    # never cap a document's kept text below this
MAX_REMOVED_PER_DOC = 500             # removed lines embedded per document
MAX_LINE_CHARS = 2_000                # characters embedded per line
CONTEXT_LINES = 2                     # kept lines shown around each removed line when capped
DEFAULT_MAX_DOCS = 100_000


def family_of(rule: str) -> str:
    return rule.split("/", 1)[0]


def is_heuristic(rule: str) -> bool:
    """Rules named `heuristic/<signal>` or `structure/<what>` are signals, not rule-file rules."""
    return family_of(rule) in HEURISTIC_FAMILIES


# --------------------------------------------------------------------------- reading: cleaner.report.reading

# --------------------------------------------------------------------------- per-document view

def interleave(text: str, removed: list[dict[str, Any]], line_numbers: list[int] | None = None) -> list[tuple]:
    """The document as it was read: kept lines and removed lines in input order.

    Returns `("kept", text)` and `("removed", line, rule, text)` items. With the kept lines' own
    input line numbers the order is exact. Without them (the record has only the removed lines'
    numbers; blank lines were dropped silently) the kept lines are placed, in order, into the
    widest gaps between removed lines first: content is one long run, chrome sits around it.
    """
    kept = text.split("\n") if text else []
    rem = sorted(
        (r for r in removed if isinstance(r, dict)),
        key=lambda r: (r.get("line") if isinstance(r.get("line"), int) else 0),
    )
    rem_items = [("removed", r.get("line") if isinstance(r.get("line"), int) else 0,
                  str(r.get("rule", "?")), str(r.get("text", ""))) for r in rem]
    if line_numbers is not None and len(line_numbers) == len(kept):
        items = [(no, 1, ("kept", t)) for no, t in zip(line_numbers, kept)]
        items += [(it[1], 0, it) for it in rem_items]
        return [it for _, _, it in sorted(items, key=lambda x: (x[0], x[1]))]
    if not rem_items:
        return [("kept", t) for t in kept]
    # Gaps: before the first removed line, between each pair, and after the last (unbounded).
    bounds = [0] + [it[1] for it in rem_items]
    caps = [max(0, bounds[i + 1] - bounds[i] - 1) for i in range(len(rem_items))]
    counts = [0] * (len(caps) + 1)
    left = len(kept)
    for i in sorted(range(len(caps)), key=lambda i: (-caps[i], i)):
        take = min(caps[i], left)
        counts[i] = take
        left -= take
    counts[-1] = left
    out: list[tuple] = []
    k = 0
    for gap, n in enumerate(counts):
        out.extend(("kept", t) for t in kept[k:k + n])
        k += n
        if gap < len(rem_items):
            out.append(rem_items[gap])
    return out


def _clip(s: str, limit: int = MAX_LINE_CHARS) -> str:
    return s if len(s) <= limit else s[:limit] + "…"


def embed_lines(items: list[tuple], rule_index: dict[str, int], budget: int) -> tuple[list, int]:
    """Lines for the page: kept lines as strings, removed as [rule, line, text], cut runs as [-1, lines, chars].

    When the kept text is over `budget` bytes, keep the lines next to each removal and as much of
    the head and tail as fits; the rest become "cut" markers. Returns (lines, chars cut).
    """
    sizes = [len(it[1].encode("utf-8")) + 1 if it[0] == "kept" else 0 for it in items]
    keep = [True] * len(items)
    if sum(sizes) > budget:
        keep = [it[0] == "removed" for it in items]
        used = 0
        for i, it in enumerate(items):        # context around removals first
            if it[0] == "removed":
                for j in range(max(0, i - CONTEXT_LINES), min(len(items), i + CONTEXT_LINES + 1)):
                    if not keep[j] and used + sizes[j] <= budget:
                        keep[j] = True
                        used += sizes[j]
        def fill(indices: Iterable[int], cap: int) -> None:
            nonlocal used
            for j in indices:
                if keep[j]:
                    continue
                if used + sizes[j] > cap:
                    break
                keep[j] = True
                used += sizes[j]

        fill(range(len(items)), used + (budget - used) // 2)        # head: half of what is left
        fill(range(len(items) - 1, -1, -1), budget)                 # tail: the rest
        fill(range(len(items)), budget)                             # head again if the tail was short
    out: list = []
    cut_chars = 0
    for it, k in zip(items, keep):
        if it[0] == "removed":
            out.append([rule_index.setdefault(it[2], len(rule_index)), it[1], _clip(it[3])])
        elif k:
            out.append(_clip(it[1]))
        else:
            cut_chars += len(it[1])
            if out and isinstance(out[-1], list) and out[-1][0] == -1:
                out[-1][1] += 1
                out[-1][2] += len(it[1])
            else:
                out.append([-1, 1, len(it[1])])
    return out, cut_chars


# --------------------------------------------------------------------------- aggregation

@dataclass
class Summary:
    """What the page shows above the documents; also returned to callers and tests."""

    documents: int = 0
    documents_embedded: int = 0
    explained: int = 0                         # records that carry a `removed` list
    rules: Counter = field(default_factory=Counter)          # from records
    rule_docs: Counter = field(default_factory=Counter)      # documents a rule fired in
    family_docs: Counter = field(default_factory=Counter)    # documents a family fired in
    languages: Counter = field(default_factory=Counter)
    clusters: list = field(default_factory=list)
    duplicates: int = 0
    kept_bytes: int = 0
    cut_chars: int = 0
    cut_docs: int = 0
    sampled: bool = False
    text_budget_per_doc: int = 0
    stats: dict | None = None
    stats_path: str | None = None
    build_seconds: float = 0.0
    html_bytes: int = 0

    def family_totals(self) -> tuple[dict[str, int], str]:
        """Lines removed per family, from the stats file when there is one; and where they came from."""
        if self.stats and isinstance(self.stats.get("lines_removed_by_family"), dict):
            return dict(self.stats["lines_removed_by_family"]), "stats"
        fam: Counter = Counter()
        for rule, n in self.rules.items():
            fam[family_of(rule)] += n
        return _sorted(fam), "records"

    def rule_totals(self) -> tuple[dict[str, int], str]:
        if self.stats and isinstance(self.stats.get("lines_removed"), dict):
            return dict(self.stats["lines_removed"]), "stats"
        return _sorted(self.rules), "records"

    def language_totals(self) -> tuple[dict[str, int], str]:
        if self.stats and isinstance(self.stats.get("languages"), dict) and self.stats["languages"]:
            return dict(self.stats["languages"]), "stats"
        return _sorted(self.languages), "records"


def _sorted(c: Counter) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def text_budget(n_docs: int, total: int = DEFAULT_TEXT_BUDGET) -> int:
    """Bytes of kept text embedded per document: the corpus-wide budget shared out, within bounds."""
    return max(MIN_DOC_TEXT, min(DEFAULT_MAX_DOC_TEXT, total // max(1, n_docs)))


def collect(corpus: Path, stats: dict | None, *, max_docs: int, total_text: int) -> tuple[Summary, dict]:
    """Stream the corpus once: count everything, embed the (sampled) documents."""
    n_records = count_records(corpus)
    summary = Summary(stats=stats)
    summary.sampled = n_records > max_docs
    step = n_records / max_docs if summary.sampled else 1.0
    budget = text_budget(min(n_records, max_docs), total_text)
    summary.text_budget_per_doc = budget
    rule_index: dict[str, int] = {}
    docs: list[dict] = []
    next_pick = 0.0
    for i, rec in enumerate(read_records(corpus)):
        summary.documents += 1
        removed = rec.get("removed")
        if isinstance(removed, list):
            summary.explained += 1
        else:
            removed = []
        rules_here = Counter(str(r.get("rule", "?")) for r in removed if isinstance(r, dict))
        summary.rules.update(rules_here)
        summary.rule_docs.update(rules_here.keys())
        summary.family_docs.update({family_of(r) for r in rules_here})
        lang = str(rec.get("lang") or "und")
        summary.languages[lang] += 1
        dups = rec.get("duplicates") if isinstance(rec.get("duplicates"), list) else []
        dups = [d for d in dups if isinstance(d, dict)]
        if dups:
            summary.duplicates += len(dups)
            summary.clusters.append({
                "id": str(rec.get("id", "")), "title": _clip(str(rec.get("title") or ""), 200),
                "source": _clip(str(rec.get("source") or ""), 300),
                "dups": [{"id": str(d.get("id", "")), "source": _clip(str(d.get("source") or ""), 300),
                          "sim": d.get("similarity")} for d in dups[:50]],
                "more": max(0, len(dups) - 50),
            })
        if i < next_pick:
            continue
        next_pick += step
        text = rec.get("text") if isinstance(rec.get("text"), str) else ""
        meta = rec.get("meta") if isinstance(rec.get("meta"), dict) else {}
        numbers = rec.get("line_numbers") or meta.get("line_numbers")
        items = interleave(text, removed[:MAX_REMOVED_PER_DOC],
                           numbers if isinstance(numbers, list) else None)
        lines, cut = embed_lines(items, rule_index, budget)
        if cut:
            summary.cut_docs += 1
            summary.cut_chars += cut
        summary.kept_bytes += len(text.encode("utf-8"))
        doc = {
            "id": str(rec.get("id", "")), "t": _clip(str(rec.get("title") or ""), 300),
            "s": _clip(str(rec.get("source") or ""), 500), "u": _clip(str(rec.get("url") or ""), 500),
            "l": lang, "ls": rec.get("lang_score"), "d": rec.get("date"),
            "r": sorted({x[0] for x in lines if isinstance(x, list) and x[0] >= 0}),
            "n": len(dups), "x": lines,
        }
        if len(removed) > MAX_REMOVED_PER_DOC:
            doc["rm"] = len(removed) - MAX_REMOVED_PER_DOC
        docs.append(doc)
    summary.documents_embedded = len(docs)
    rules = [None] * len(rule_index)
    for name, idx in rule_index.items():
        rules[idx] = name
    return summary, {"rules": rules, "docs": docs, "clusters": summary.clusters}


# --------------------------------------------------------------------------- rendering

def json_for_script(obj: Any) -> str:
    """JSON that is safe inside <script>: no `<`, `>`, `&` or line separators appear literally."""
    s = orjson.dumps(obj).decode("utf-8")
    return (s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _num(n: Any) -> str:
    return f"{n:,}" if isinstance(n, int) else _esc(n)


def _table(rows: list[tuple], head: tuple, filter_kind: str, empty: str) -> str:
    if not rows:
        return f'<p class="muted">{_esc(empty)}</p>'
    out = ['<table class="totals"><thead><tr>' + "".join(f"<th>{_esc(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for name, *cells in rows:
        out.append(
            f'<tr class="filterable" data-filter-kind="{filter_kind}" data-filter="{_esc(name)}" tabindex="0">'
            f'<td class="name"><span class="chip">{_esc(name)}</span></td>'
            + "".join(f'<td class="num" data-col="{i}">{_num(c)}</td>' for i, c in enumerate(cells)) + "</tr>"
        )
    out.append("</tbody></table>")
    return "".join(out)


def render(summary: Summary, data: dict, corpus: Path) -> str:
    fam, fam_src = summary.family_totals()
    rules, rules_src = summary.rule_totals()
    langs, lang_src = summary.language_totals()
    rec_fam: Counter = Counter()
    for rule, n in summary.rules.items():
        rec_fam[family_of(rule)] += n
    fam_docs = summary.family_docs
    notes: list[str] = []
    st = summary.stats or {}
    if summary.explained == 0:
        notes.append("This corpus was written without <code>--explain</code>: its records carry no "
                     "<code>removed</code> lines, so documents show their clean text only and the "
                     "totals come " + ("from the stats file." if summary.stats else "from nowhere (no stats file either)."))
    elif summary.explained < summary.documents:
        notes.append(f"{summary.documents - summary.explained:,} of {summary.documents:,} records carry no "
                     "<code>removed</code> list.")
    if summary.stats is None:
        notes.append("No stats file found next to the corpus: totals are computed from the records "
                     "(documents dropped during cleaning are not counted).")
    elif summary.explained and dict(_sorted(rec_fam)) != fam:
        notes.append("Totals come from the stats file; the <em>in records</em> column counts the removed "
                     "lines kept on the records, which leaves out documents dropped later (duplicates, filters).")
    if summary.sampled:
        notes.append(f"The corpus has {summary.documents:,} documents: an evenly spaced sample of "
                     f"{summary.documents_embedded:,} is embedded below (totals count every record).")
    if summary.cut_docs:
        notes.append(f"Kept text is capped at {summary.text_budget_per_doc:,} bytes per document to keep the "
                     f"page small: {summary.cut_docs:,} documents were cut ({summary.cut_chars:,} characters "
                     "of kept text left out, shown as ‘… lines not embedded’). Removed lines are all shown.")
    else:
        notes.append("Every document is embedded in full.")

    fam_rows = [(f, n, rec_fam.get(f, 0), fam_docs.get(f, 0)) for f, n in fam.items()]
    for f in sorted(set(rec_fam) - set(fam)):
        fam_rows.append((f, 0, rec_fam[f], fam_docs[f]))
    rule_items = list(rules.items()) + [(r, 0) for r in sorted(set(summary.rules) - set(rules))]
    chrome_rows = [(r, n, summary.rules.get(r, 0), summary.rule_docs.get(r, 0)) for r, n in rule_items if not is_heuristic(r)]
    heur_rows = [(r, n, summary.rules.get(r, 0), summary.rule_docs.get(r, 0)) for r, n in rule_items if is_heuristic(r)]
    src_label = "lines removed" + (" (stats)" if fam_src == "stats" else "")
    head = ("", src_label, "in records", "docs")
    dropped = st.get("documents_dropped") or {}
    failures = st.get("failures") or {}
    cards = [
        ("documents in", st.get("documents_in", "–")),
        ("documents out", st.get("documents_out", summary.documents)),
        ("in this file", summary.documents),
        ("lines removed", st.get("lines_removed_total", sum(fam.values()))),
        ("duplicate clusters", st.get("duplicate_clusters", len(summary.clusters))),
        ("duplicates dropped", st.get("duplicates_dropped", summary.duplicates)),
        ("languages", len(langs)),
        ("failures", st.get("failures_total", sum(failures.values()) if failures else 0)),
    ]
    card_html = "".join(f'<div class="card"><div class="v">{_num(v)}</div><div class="k">{_esc(k)}</div></div>'
                        for k, v in cards)
    small_tables = ""
    if dropped:
        small_tables += "<h3>Documents dropped</h3>" + _table([(k, v) for k, v in dropped.items()], ("reason", "documents"), "none", "")
    if failures:
        small_tables += "<h3>Failures</h3>" + _table([(k, v) for k, v in failures.items()], ("kind", "inputs"), "none", "")

    blob = json_for_script(data)
    meta = {
        "corpus": str(corpus), "documents": summary.documents, "embedded": summary.documents_embedded,
        "sampled": summary.sampled, "budget": summary.text_budget_per_doc, "explained": summary.explained,
    }
    page = _asset("template.html")
    subs = {
        "TITLE": _esc(f"cleaner report: {corpus.name}"),
        "CORPUS": _esc(str(corpus)),
        "STATS": _esc(summary.stats_path or "none (totals from records)"),
        "CSS": _asset("report.css"),
        "JS": _asset("report.js").replace("</", "<\\/"),
        "NOTES": "".join(f"<li>{n}</li>" for n in notes),
        "CARDS": card_html,
        "FAMILY_SOURCE": "the stats file" if fam_src == "stats" else "the records (no stats file)",
        "FAMILY_TABLE": _table(fam_rows, ("family",) + head[1:], "family", "No lines were removed."),
        "FAMILY_CHART": bar_chart(list(fam.items()), "Lines removed per family", "family"),
        "LANG_CHART": bar_chart(list(langs.items()), "Documents per language" + (" (stats)" if lang_src == "stats" else ""), "lang"),
        "RULE_TABLE": _table(chrome_rows, ("rule",) + head[1:], "rule", "No rule-file rules fired."),
        "HEURISTIC_TABLE": _table(heur_rows, ("signal",) + head[1:], "rule", "No heuristic or structural removals."),
        "SMALL_TABLES": small_tables,
        "CLUSTER_COUNT": _num(len(summary.clusters)),
        "DATA": blob,
        "META": json_for_script(meta),
    }
    # One pass over the (small) template: replacing key by key would copy the big page each time.
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: subs[m.group(1)], page)


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
