"""The HTML of `cleaner report`: what cleaner.report.gather collected, rendered into the
self-contained template (inline CSS, JS, SVG charts and one script-safe JSON blob).

Kept apart from the gathering so the markup and its escaping live in one place.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from cleaner.report.charts import bar_chart
from cleaner.report.gather import Summary, family_of, is_heuristic, sorted_counts


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
    elif summary.explained and dict(sorted_counts(rec_fam)) != fam:
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
