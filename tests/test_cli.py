"""The clean command's contract: exit statuses, one stderr line per bad input, stats, determinism."""
from __future__ import annotations

import gzip
import json

from conftest import SEEDS, read_jsonl


def test_bad_inputs_reported_one_line_each_and_run_goes_on(run_cli, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.txt").write_text("A plain report about the harbour council and its new ferry timetable, approved on Tuesday.\n")
    (d / "empty.txt").write_bytes(b"")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (d / "truncated.txt.gz").write_bytes(gzip.compress(b"hello world " * 1000)[:60])
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", d, "-o", out, "-j", "1", "--quiet")
    assert code == 0
    lines = [l for l in err.splitlines() if l.startswith("cleaner: ")]
    assert len(lines) == 3, err
    assert any("empty.txt" in l and "empty" in l for l in lines)
    assert any("binary.txt" in l and "binary" in l for l in lines)
    assert any("truncated.txt.gz" in l and ("corrupt" in l or "truncated" in l) for l in lines)
    assert "Traceback" not in err
    assert [r["source"].rsplit("/", 1)[-1] for r in read_jsonl(out)] == ["good.txt"]
    stats = json.loads((tmp_path / "c.jsonl.stats.json").read_text())
    assert stats["failures_total"] == 3 and stats["documents_out"] == 1


def test_nothing_processable_exits_1_and_usage_exits_2(run_cli, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    code, _, _ = run_cli("clean", tmp_path / "empty.txt", "-o", tmp_path / "c.jsonl", "--quiet")
    assert code == 1
    code, _, _ = run_cli("clean", "--dedup", "sideways", "x")
    assert code == 2


def test_output_is_byte_identical_across_runs_and_jobs(run_cli, tmp_path):
    outs = []
    for j in ("1", "2", "1"):
        out = tmp_path / f"c{len(outs)}.jsonl"
        assert run_cli("clean", SEEDS, "-o", out, "-j", j, "--quiet", "--explain")[0] == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_rejects_and_stats_paths(run_cli, tmp_path):
    out, rej, st = tmp_path / "c.jsonl", tmp_path / "rejects.jsonl", tmp_path / "s.json"
    (tmp_path / "a.txt").write_text("Leave a Reply\n")
    code, _, _ = run_cli("clean", tmp_path / "a.txt", SEEDS, "-o", out, "--rejects", rej, "--stats", st, "--quiet")
    assert code == 0
    rejects = read_jsonl(rej)
    assert rejects[0]["source"].endswith("a.txt") and "empty" in rejects[0]["reason"]
    assert json.loads(st.read_text())["documents_out"] == 5


def test_rules_test_passes(run_cli):
    code, out, err = run_cli("rules", "test")
    assert code == 0, err
    assert "all pass" in out


def test_user_selector_rules_reach_html_extraction(run_cli, tmp_path):
    """--rules files carry CSS selectors too: they must prune the DOM before extraction."""
    rules = tmp_path / "mine.yaml"
    rules.write_text(
        "description: Site widgets.\n"
        "rules:\n"
        "  - id: mug-box\n"
        "    description: A promo box in the middle of articles.\n"
        "    patterns: ['Buy the harbour mug']\n"
        "    where: anywhere\n"
        "    action: drop-line\n"
        "    selectors: ['.mug-box']\n"
        "    examples: {drop: ['Buy the harbour mug'], keep: ['He did not buy the harbour mug after all.']}\n",
        encoding="utf-8")
    body = "The harbour council voted to add three evening ferry crossings after months of complaints. " * 6
    page = (f"<html><body><article><h1>Ferries</h1><p>{body}</p>"
            "<div class='mug-box'><p>Our shop has a lovely mug with the harbour skyline printed on it.</p></div>"
            f"<p>{body}</p></article></body></html>")
    (tmp_path / "p.html").write_text(page, encoding="utf-8")
    plain, pruned = tmp_path / "plain.jsonl", tmp_path / "pruned.jsonl"
    assert run_cli("clean", tmp_path / "p.html", "-o", plain, "--quiet", "-j", "1")[0] == 0
    assert run_cli("clean", tmp_path / "p.html", "-o", pruned, "--quiet", "-j", "1", "--rules", rules)[0] == 0
    assert "lovely mug" in read_jsonl(plain)[0]["text"]
    assert "lovely mug" not in read_jsonl(pruned)[0]["text"]


def test_corpus_twice_changes_no_byte_of_the_corpus_or_its_stats(tmp_path, run_cli):
    """The pre-commit corpus hook: a second run over the same seeds modifies nothing (the stats' step
    timings would differ each run; a committed stats file must not make the hook fail)."""
    out = tmp_path / "out" / "corpus.jsonl"
    assert run_cli("corpus", SEEDS, "-o", out)[0] == 1          # built: stage it
    stats = tmp_path / "out" / "corpus.jsonl.stats.json"
    first = (out.read_bytes(), stats.read_bytes())
    assert run_cli("corpus", SEEDS, "-o", out)[0] == 0
    assert (out.read_bytes(), stats.read_bytes()) == first
