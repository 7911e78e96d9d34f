"""What `cleaner report` shows, gathered from a corpus: totals, duplicate clusters and each
embedded document's lines (kept and removed, in input order, within a byte budget).

Reading the files is cleaner.report.reading; turning what is gathered here into HTML is
cleaner.report.page. Kept apart so the numbers can be tested without the page.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from cleaner.report.reading import count_records, read_records

HEURISTIC_FAMILIES = ("heuristic", "structure")
DEFAULT_TEXT_BUDGET = 48_000_000      # bytes of kept text embedded across all documents
DEFAULT_MAX_DOC_TEXT = 20_000         # bytes of kept text for one document, whatever the budget
MIN_DOC_TEXT = 400                    # never cap a document's kept text below this
MAX_REMOVED_PER_DOC = 500             # removed lines embedded per document
MAX_LINE_CHARS = 2_000                # characters embedded per line
CONTEXT_LINES = 2                     # kept lines shown around each removed line when capped
DEFAULT_MAX_DOCS = 100_000


def family_of(rule: str) -> str:
    """The family a rule name belongs to: its part before the first "/" (`heuristic/url` -> `heuristic`)."""
    return rule.split("/", 1)[0]


def is_heuristic(rule: str) -> bool:
    """Rules named `heuristic/<signal>` or `structure/<what>` are signals, not rule-file rules."""
    return family_of(rule) in HEURISTIC_FAMILIES


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


def clip(s: str, limit: int = MAX_LINE_CHARS) -> str:
    """`s` cut to `limit` characters (with an ellipsis): no single line can blow up the page."""
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
            out.append([rule_index.setdefault(it[2], len(rule_index)), it[1], clip(it[3])])
        elif k:
            out.append(clip(it[1]))
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
        return sorted_counts(fam), "records"

    def rule_totals(self) -> tuple[dict[str, int], str]:
        if self.stats and isinstance(self.stats.get("lines_removed"), dict):
            return dict(self.stats["lines_removed"]), "stats"
        return sorted_counts(self.rules), "records"

    def language_totals(self) -> tuple[dict[str, int], str]:
        if self.stats and isinstance(self.stats.get("languages"), dict) and self.stats["languages"]:
            return dict(self.stats["languages"]), "stats"
        return sorted_counts(self.languages), "records"


def sorted_counts(c: Counter) -> dict[str, int]:
    """Counts as a dict, largest first (ties by name): the order every table and chart shows."""
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
                "id": str(rec.get("id", "")), "title": clip(str(rec.get("title") or ""), 200),
                "source": clip(str(rec.get("source") or ""), 300),
                "dups": [{"id": str(d.get("id", "")), "source": clip(str(d.get("source") or ""), 300),
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
            "id": str(rec.get("id", "")), "t": clip(str(rec.get("title") or ""), 300),
            "s": clip(str(rec.get("source") or ""), 500), "u": clip(str(rec.get("url") or ""), 500),
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
