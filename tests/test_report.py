"""The HTML report: totals, per-document view data, escaping, caps. No browser needed here."""
from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from pathlib import Path

import pytest

from cleaner.report import (
    build_report, default_stats_path, embed_lines, interleave, json_for_script, text_budget,
)

FIXTURE = Path(__file__).parent / "browser" / "fixture" / "corpus.jsonl"


def blob(page: str, element_id: str = "report-data") -> dict:
    m = re.search(r'<script type="application/json" id="%s">(.*?)</script>' % element_id, page, re.S)
    assert m, element_id
    return json.loads(m.group(1))


def table_numbers(page: str, table_id: str) -> dict[str, int]:
    """name -> first number column of a totals table, read from the HTML as a browser would."""
    m = re.search(r'<div id="%s">(.*?)</div>' % table_id, page, re.S)
    assert m, table_id
    rows = re.findall(r'data-filter="([^"]*)".*?<td class="num" data-col="0">([\d,]+)</td>', m.group(1), re.S)
    return {html.unescape(name): int(n.replace(",", "")) for name, n in rows}


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    dst = tmp_path / "corpus.jsonl"
    shutil.copy(FIXTURE, dst)
    shutil.copy(FIXTURE.with_name("corpus.jsonl.stats.json"), tmp_path / "corpus.jsonl.stats.json")
    return dst


def test_family_and_rule_totals_come_from_the_stats_file(corpus: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    summary = build_report(corpus, out)
    page = out.read_text(encoding="utf-8")
    stats = json.loads((tmp_path / "corpus.jsonl.stats.json").read_text())
    assert summary.stats_path.endswith("corpus.jsonl.stats.json")
    assert table_numbers(page, "family-totals") == stats["lines_removed_by_family"]
    shown_rules = {**table_numbers(page, "rule-totals"), **table_numbers(page, "heuristic-totals")}
    assert shown_rules == stats["lines_removed"]
    heuristics = table_numbers(page, "heuristic-totals")
    assert heuristics and all(r.split("/")[0] in ("heuristic", "structure") for r in heuristics)
    assert "heuristic/menu-run" in heuristics and "source/source-link" not in heuristics


def test_every_document_and_removed_line_is_embedded_with_its_rule(corpus: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    summary = build_report(corpus, out)
    data = blob(out.read_text(encoding="utf-8"))
    recs = records(corpus)
    assert summary.documents == summary.documents_embedded == len(data["docs"]) == 5
    assert [d["id"] for d in data["docs"]] == [r["id"] for r in recs]
    struck = {(x[2], data["rules"][x[0]]) for d in data["docs"] for x in d["x"] if isinstance(x, list) and x[0] >= 0}
    assert ("Leave a Reply", "comments/leave-a-reply") in struck
    assert ("Source link", "source/source-link") in struck
    assert len(struck) == len({(r["text"], r["rule"]) for rec in recs for r in rec["removed"]})
    # Clean text survives whole: the kept lines, in order, are the record's text.
    for d, rec in zip(data["docs"], recs):
        assert "\n".join(x for x in d["x"] if isinstance(x, str)) == rec["text"]
    assert data["clusters"][0]["dups"][0]["sim"] == pytest.approx(0.9375)


def test_document_text_cannot_break_out_of_the_page(corpus: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    build_report(corpus, out)
    page = out.read_text(encoding="utf-8")
    assert "document.title='pwned'" in json.dumps(blob(page))          # the text is there…
    assert "<script>document.title" not in page and "<img src=x" not in page  # …but never as markup
    assert page.count("</script>") == 3                                 # meta, data, code
    assert "\u2028" not in page


def test_page_fetches_nothing_from_the_network(corpus: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    build_report(corpus, out)
    page = out.read_text(encoding="utf-8")
    code = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)
    assert not re.search(r'<link|<iframe|\bsrc\s*=|@import|url\(|fetch\(|XMLHttpRequest', code)
    assert "default-src 'none'" in page                                # and the CSP forbids it anyway


def test_json_for_script_round_trips_and_hides_markup():
    value = {"t": "</script><!-- & \u2028 \u2029 >"}
    s = json_for_script(value)
    assert json.loads(s) == value
    assert not set("<>&\u2028\u2029") & set(s)


def test_without_explain_the_page_says_so_and_uses_the_stats(corpus: Path, tmp_path: Path):
    recs = records(corpus)
    for r in recs:
        del r["removed"]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    out = tmp_path / "report.html"
    summary = build_report(corpus, out)
    page = out.read_text(encoding="utf-8")
    assert summary.explained == 0
    assert "written without <code>--explain</code>" in page
    stats = json.loads((tmp_path / "corpus.jsonl.stats.json").read_text())
    assert table_numbers(page, "family-totals") == stats["lines_removed_by_family"]
    assert len(blob(page)["docs"]) == 5


def test_without_stats_totals_are_computed_from_records(corpus: Path, tmp_path: Path):
    (tmp_path / "corpus.jsonl.stats.json").unlink()
    out = tmp_path / "report.html"
    summary = build_report(corpus, out)
    page = out.read_text(encoding="utf-8")
    assert summary.stats is None
    assert "No stats file found" in page
    expected: dict[str, int] = {}
    for rec in records(corpus):
        for r in rec["removed"]:
            fam = r["rule"].split("/")[0]
            expected[fam] = expected.get(fam, 0) + 1
    assert table_numbers(page, "family-totals") == expected


def test_compressed_corpus_and_stats_next_to_it(corpus: Path, tmp_path: Path):
    gz = tmp_path / "c.jsonl.gz"
    gz.write_bytes(gzip.compress(corpus.read_bytes()))
    shutil.copy(tmp_path / "corpus.jsonl.stats.json", tmp_path / "c.stats.json")
    assert default_stats_path(gz) == tmp_path / "c.stats.json"
    summary = build_report(gz, tmp_path / "r.html")
    assert summary.documents == 5 and summary.stats is not None


def test_interleave_exact_when_kept_line_numbers_are_known():
    removed = [{"line": 1, "rule": "nav/menu", "text": "Home"}, {"line": 4, "rule": "comments/x", "text": "Leave a Reply"}]
    items = interleave("a\nb", removed, line_numbers=[2, 5])
    assert items == [("removed", 1, "nav/menu", "Home"), ("kept", "a"), ("removed", 4, "comments/x", "Leave a Reply"), ("kept", "b")]


def test_interleave_puts_content_in_the_widest_gap():
    # Input: 1 date, 2 blank, 3 menu, 4..10 article (blank lines between paragraphs), 12 "Source link".
    removed = [{"line": 1, "rule": "structure/date", "text": "Monday"},
               {"line": 3, "rule": "heuristic/menu-run", "text": "Home News"},
               {"line": 12, "rule": "source/source-link", "text": "Source link"}]
    items = interleave("p1\np2\np3", removed)
    assert [i[1] if i[0] == "kept" else i[3] for i in items] == ["Monday", "Home News", "p1", "p2", "p3", "Source link"]
    assert interleave("p1", []) == [("kept", "p1")]
    # More kept lines than the gaps hold: the rest go after the last removal.
    items = interleave("a\nb\nc", [{"line": 2, "rule": "x/y", "text": "r"}])
    assert [i[1] if i[0] == "kept" else i[3] for i in items] == ["a", "r", "b", "c"]


def test_cap_keeps_removed_lines_and_their_context():
    kept = [f"paragraph {i} " + "x" * 100 for i in range(200)]
    items = [("kept", t) for t in kept[:100]] + [("removed", 150, "comments/x", "Leave a Reply")] + [("kept", t) for t in kept[100:]]
    lines, cut = embed_lines(items, {}, budget=2_000)
    assert cut > 0
    assert ["Leave a Reply" in str(x) for x in lines].count(True) == 1
    i = next(k for k, x in enumerate(lines) if isinstance(x, list) and x[0] >= 0)
    assert lines[i - 1] == kept[99] and lines[i + 1] == kept[100]           # context kept
    assert lines[0] == kept[0] and lines[-1] == kept[-1]                     # head and tail kept
    embedded = sum(len(x) for x in lines if isinstance(x, str))
    assert embedded <= 2_000
    assert sum(x[2] for x in lines if isinstance(x, list) and x[0] == -1) == cut
    assert sum(x[1] for x in lines if isinstance(x, list) and x[0] == -1) + sum(isinstance(x, str) for x in lines) == 200


def test_budget_shrinks_per_document_as_the_corpus_grows():
    assert text_budget(5) > text_budget(100_000) >= 400


def test_large_corpus_is_sampled_evenly_and_says_so(corpus: Path, tmp_path: Path):
    out = tmp_path / "report.html"
    summary = build_report(corpus, out, max_docs=2)
    page = out.read_text(encoding="utf-8")
    assert summary.sampled and summary.documents == 5
    assert [d["id"] for d in blob(page)["docs"]] == [records(corpus)[i]["id"] for i in (0, 3)]
    assert "evenly spaced sample" in page
