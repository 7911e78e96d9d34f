"""Issue 14, point 2 (inputs): Parquet files and WET files (WARC `conversion` records), written here with
pyarrow and warcio, read as documents with `path#N` sources, stable ids, their URL and date; bad files
are one stderr line each and the run goes on."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warcio.warcwriter import WARCWriter

from conftest import ROOT, SEEDS, read_jsonl
from cleaner.document import Document
from cleaner.sources import Failure
from cleaner.sources.read import iter_items

P1 = ("The harbour board approved the new ferry timetable on Tuesday, adding two evening crossings "
      "for commuters who had asked for them since the spring.")
P2 = ("Farmers in the valley said the late frost damaged most of the apple blossom, and the cooperative "
      "expects the smallest harvest in twenty years.")
P3 = ("Die Stadtbibliothek bleibt nach der Renovierung länger geöffnet, und die Leser können Bücher jetzt "
      "auch am Sonntag ausleihen, teilte die Verwaltung mit.")
PAGE = "<html><head><title>Museum</title></head><body><article><p>{}</p></article></body></html>"
P4 = ("The museum reopened its east wing with a collection of ship models donated by a retired captain, "
      "and the first visitors queued from early morning.")


def write_parquet(path: Path) -> None:
    table = pa.table({
        "id": ["a1", None, "a3", "a4", "a5"],
        "text": [P1, P2, None, P3, ""],
        "html": [None, None, PAGE.format(P4), None, None],
        "url": ["https://news.example/ferry", None, "https://news.example/museum", None, None],
        "score": [0.9, 0.8, 0.7, 0.6, 0.5],
        "crawled": pa.array([dt.datetime(2024, 5, 1, 12, 0), None, None, None, None], pa.timestamp("s")),
        "tags": [["ferry", "harbour"], [], None, ["bibliothek"], None],
        "blob": [b"\x00\x01", None, None, None, None],
    })
    pq.write_table(table, path, row_group_size=2)     # three row groups: reading streams across them


def write_wet(path: Path) -> None:
    out = io.BytesIO()
    w = WARCWriter(out, gzip=str(path).endswith(".gz"))
    w.write_record(w.create_warcinfo_record(path.name, {"software": "test", "format": "WET"}))       # 1
    for i, (url, text, charset) in enumerate([
        ("https://wet.example/ferry", P1, "utf-8"),                                                  # 2
        ("https://wet.example/bibliothek", P3.replace("ä", "ae") + " Grüße.", "iso-8859-1"),          # 3
        ("https://wet.example/empty", "", "utf-8"),                                                   # 4
    ]):
        rec = w.create_warc_record(url, "conversion", payload=io.BytesIO(text.encode(charset)),
                                   warc_content_type=f"text/plain; charset={charset}",
                                   warc_headers_dict={"WARC-Date": f"2024-06-0{i + 1}T08:00:00Z"})
        w.write_record(rec)
    path.write_bytes(out.getvalue())


def items(*inputs) -> list:
    return list(iter_items([str(i) for i in inputs]))


def test_parquet_rows_are_documents_like_jsonl_records(tmp_path):
    f = tmp_path / "train-00000-of-00001.parquet"
    write_parquet(f)
    got = items(f)
    assert [type(i).__name__ for i in got] == ["Document", "Document", "Document", "Document", "Failure"]
    d1, d2, d3, d4, bad = got
    assert (d1.id, d1.source, d1.text, d1.url) == ("a1", f"{f}#1", P1, "https://news.example/ferry")
    assert d1.meta == {"score": 0.9, "crawled": "2024-05-01T12:00:00", "tags": ["ferry", "harbour"], "blob": "AAE="}
    assert d2.source == f"{f}#2" and d2.url is None and len(d2.id) == 16     # no id: a stable one from the source
    assert d3.html == PAGE.format(P4) and d3.text == ""                      # html wins, as in JSONL
    assert d4.text == P3 and d4.id == "a4"
    assert isinstance(bad, Failure) and bad.source == f"{f}#5" and "neither" in bad.reason
    assert [d.id for d in items(f)[:4]] == [d.id for d in got[:4]]           # ids are stable


def test_parquet_found_in_folders_and_by_sniffing(tmp_path):
    write_parquet(tmp_path / "data.parquet")
    os.link(tmp_path / "data.parquet", tmp_path / "no_extension")
    assert sum(isinstance(i, Document) for i in items(tmp_path)) == 8        # the folder: both, no_extension sniffed
    assert sum(isinstance(i, Document) for i in items(tmp_path / "no_extension")) == 4   # PAR1 magic


def test_bad_parquet_files_are_one_line_each_and_counted(tmp_path, run_cli):
    write_parquet(tmp_path / "good.parquet")
    (tmp_path / "corrupt.parquet").write_bytes(b"PAR1 this is not really parquet")
    data = (tmp_path / "good.parquet").read_bytes()
    (tmp_path / "truncated.parquet").write_bytes(data[: len(data) // 2])
    pq.write_table(pa.table({"content": ["x"], "n": [1]}), tmp_path / "wrong_columns.parquet")
    out = tmp_path / "o" / "c.jsonl"
    code, _, err = run_cli("clean", tmp_path, "-o", out, "-j", "1", "--dedup", "none", "-q")
    assert code == 0, err
    lines = [l for l in err.splitlines() if l.startswith("cleaner: ")]
    assert lines == [
        f"cleaner: {tmp_path / 'corrupt.parquet'}: not a readable Parquet file (ArrowInvalid: Parquet magic bytes "
        "not found in footer. Either the file is corrupted or this is not a parquet file.)",
        f"cleaner: {tmp_path / 'good.parquet'}#5: record has neither a 'text' nor an 'html' field with content",
        lines[2],
        f"cleaner: {tmp_path / 'wrong_columns.parquet'}: Parquet file has neither a 'text' nor an 'html' column "
        "(columns: content, n)",
    ]
    assert lines[2].startswith(f"cleaner: {tmp_path / 'truncated.parquet'}: not a readable Parquet file")
    stats = json.loads((tmp_path / "o" / "c.jsonl.stats.json").read_text())
    assert stats["documents_out"] == 4 and stats["failures_total"] == 4


@pytest.mark.parametrize("name", ["CC-MAIN-20240601-00000.warc.wet.gz", "crawl.wet", "crawl.wet.gz"])
def test_wet_conversion_records_are_scraped_text_with_url_and_date(tmp_path, name):
    f = tmp_path / name
    write_wet(f)
    got = items(f)
    assert [type(i).__name__ for i in got] == ["Document", "Document", "Failure"]
    a, b, empty = got
    assert (a.source, a.url, a.date, a.text, a.html) == (f"{f}#2", "https://wet.example/ferry",
                                                          "2024-06-01T08:00:00Z", P1, None)
    assert b.source == f"{f}#3" and b.text.endswith("Grüße.")        # the declared charset decodes it
    assert b.url == "https://wet.example/bibliothek" and b.date == "2024-06-02T08:00:00Z"
    assert empty.source == f"{f}#4" and empty.kind == "empty"
    assert [d.id for d in items(f)[:2]] == [a.id, b.id]


def test_wet_records_go_through_the_text_path(tmp_path, run_cli):
    f = tmp_path / "x.warc.wet.gz"
    write_wet(f)
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", f, "-o", out, "-j", "1", "-q")
    assert code == 0, err
    recs = read_jsonl(out)
    assert [(r["source"], r["url"], r["date"], r["lang"]) for r in recs] == [
        (f"{f}#2", "https://wet.example/ferry", "2024-06-01T08:00:00Z", "en"),
        (f"{f}#3", "https://wet.example/bibliothek", "2024-06-02T08:00:00Z", "de")]


def test_plain_runs_import_neither_pyarrow_nor_warcio(tmp_path):
    """`cleaner clean seeds/` and `cleaner --help` stay light: the format libraries load when a file needs them."""
    code = ("import sys\nfrom cleaner.cli import main\n"
            f"main(['clean', {str(SEEDS)!r}, '-o', {str(tmp_path / 'c.jsonl')!r}, '-j', '1', '-q'])\n"
            "print(sorted(m for m in ('pyarrow', 'warcio', 'httpx', 'ray') if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_a_wet_file_cut_inside_a_record_reports_that_record(tmp_path):
    whole = tmp_path / "whole.wet"
    write_wet(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.wet"
    cut.write_bytes(data[: data.index("Grüße".encode("iso-8859-1")) - 20])     # inside record 3's text
    got = items(cut)
    assert isinstance(got[0], Document) and got[0].text == P1
    assert isinstance(got[1], Failure) and got[1].source == f"{cut}#3" and "truncated" in got[1].reason
    assert len(got) == 2
