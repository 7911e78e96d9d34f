"""`cleaner stats` and `cleaner report` on what a user points them at: any corpus shape `-o` writes, or a
file that is no corpus (one line, exit 2; a damaged corpus: its problems, exit 1)."""
from __future__ import annotations

import pytest

from conftest import SEEDS


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """The seeds cleaned (with --explain) into a JSONL file, a Parquet file and a shard folder."""
    from cleaner.cli import main

    d = tmp_path_factory.mktemp("shapes")
    for out in ("c.jsonl", "c.parquet", "sh/"):
        assert main(["clean", str(SEEDS), "-o", f"{d}/{out}", "-q", "-j", "1", "--explain"]) == 0
    return d


def test_stats_on_a_text_file_is_one_line_and_exit_2(run_cli, tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("\n".join(f"line {i} of plain notes" for i in range(22)) + "\n", encoding="utf-8")
    code, out, err = run_cli("stats", txt)
    assert code == 2 and out == ""
    assert err.splitlines() == [f"cleaner: {txt}: not a JSONL corpus (line 1 is not JSON)"]
    arr = tmp_path / "records.json"
    arr.write_text('[{"text": "a"}, {"text": "b"}]\n', encoding="utf-8")
    code, _, err = run_cli("stats", arr)
    assert code == 2 and err.splitlines() == [f"cleaner: {arr}: not a JSONL corpus (line 1 is not a JSON object)"]


def test_stats_on_a_damaged_corpus_names_a_few_lines_and_counts_the_rest(run_cli, corpora, tmp_path):
    good = (corpora / "c.jsonl").read_text(encoding="utf-8")
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text(good + "".join(f"garbage {i}\n" for i in range(30)), encoding="utf-8")
    code, out, err = run_cli("stats", damaged)
    assert code == 1 and "5 records" in out
    lines = err.splitlines()
    assert len(lines) == 6 and lines[-1] == f"cleaner: {damaged}: 25 more malformed lines"


@pytest.mark.parametrize("shape", ["c.jsonl", "c.parquet", "sh/", "sh/manifest.json"])
def test_report_reads_every_shape(run_cli, corpora, tmp_path, shape):
    out = tmp_path / "r.html"
    code, _, err = run_cli("report", f"{corpora}/{shape}", "-o", out)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "stats.json" in page                    # the run's stats were found beside the corpus
    from cleaner.report import build_report

    s = build_report(f"{corpora}/{shape}", tmp_path / "again.html")
    assert s.documents == 5 and s.explained == 5 and sum(s.rules.values()) > 0


def test_report_on_no_corpus_is_one_line_and_exit_2(run_cli, tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("plain notes\n", encoding="utf-8")
    code, _, err = run_cli("report", txt, "-o", tmp_path / "r.html")
    assert code == 2 and err.splitlines() == [f"cleaner: {txt}: not a JSONL corpus (line 1 is not JSON)"]
    assert not (tmp_path / "r.html").exists()
    code, _, err = run_cli("report", tmp_path / "missing.jsonl")
    assert code == 2 and "no such file or directory" in err
