"""Acceptance: a folder of hostile inputs beside good ones goes through `cleaner clean` in one run.

The run must finish (exit 0), keep every good document (Latin-1 and UTF-16 decoded to the exact
characters), report each bad input on one stderr line naming it and the reason, show no traceback,
and stop the 400 MB gzip bomb early (long before it inflates).
"""
from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS, read_jsonl

LATIN1 = "Café crème à Zürich — naïve résumé. Le garçon a mangé une crêpe près de la fenêtre, où il lisait."
UTF16_BOM = "Grüße aus München: die schöne Straße am Fluss ist heute Abend voller Menschen."
UTF16_NOBOM = "Über den Bergen liegt Schnee, und die Hütte öffnet erst im späten Frühling wieder."
NUL_TEXT = "The ferry timetable changes on Monday, with three extra crossings a day in summer."
LONG_SENTENCE = "Rivers carry sediment to the sea and build wide deltas over many centuries. "
PARA = ("<p>The harbour council met on Tuesday evening to discuss the new ferry timetable, which adds "
        "three crossings a day in summer and one extra crossing in winter.</p>")
# Unclosed and stray tags, junk brackets, no </body>. (An unclosed <title> would swallow the whole
# page as title text, as browsers do: that is not "broken" in a way that should still give a body.)
BROKEN_HTML = (
    "<html><head><title>Library news</title><body><div><p>The village library reopened after a long renovation, "
    "with a new reading room for children <b>and a small <i>café near the entrance.</p><p>Volunteers carried "
    "twelve thousand books back onto the shelves over a single weekend in early spring.</div></span><<<>>> "
    "<p>Opening hours are from nine to five on weekdays and ten to two on Saturdays.</table></html"
)
BOMB_BYTES = 400 * 1024 * 1024


def _gzip_bomb(path: Path, size: int) -> None:
    """`size` zero bytes gzip-compressed, streamed (about 400 KB on disk for 400 MB)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)   # wbits 31: gzip container
    chunk = bytes(1 << 20)
    with open(path, "wb") as f:
        for _ in range(size >> 20):
            f.write(comp.compress(chunk))
        f.write(comp.flush())


def build_hostile_folder(d: Path) -> dict[str, str]:
    """Write the inputs; returns {file name: expected reason pattern} for the bad ones."""
    d.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, d / seed.name)
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (d / "binary-nomagic.txt").write_bytes(bytes((i * 7919) % 256 for i in range(8192)))
    (d / "empty.txt").write_bytes(b"")
    (d / "latin1.txt").write_bytes((LATIN1 + "\n") .encode("cp1252"))
    (d / "utf16-bom.txt").write_bytes((UTF16_BOM + "\n").encode("utf-16"))
    (d / "utf16-nobom.txt").write_bytes((UTF16_NOBOM + "\n").encode("utf-16-le"))
    (d / "nul.txt").write_bytes((NUL_TEXT[:20] + "\x00" + NUL_TEXT[20:] + "\n").encode() + b"\x00" * 4096)
    (d / "longline.txt").write_bytes((LONG_SENTENCE * (10 * 1024 * 1024 // len(LONG_SENTENCE) + 1)).encode()[: 10 * 1024 * 1024])
    (d / "deep.html").write_text("<html><head><title>Deep</title></head><body>" + PARA * 3
                                 + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>")
    (d / "broken.html").write_text(BROKEN_HTML)
    (d / "truncated.txt.gz").write_bytes(gzip.compress(("A line of text that compresses.\n" * 4000).encode())[:300])
    (d / "records.jsonl").write_bytes(
        b'{"id": "good-1", "text": "A good record about the river port and its old stone warehouses."}\n'
        b"{not json\n"
        b"[1, 2, 3]\n"
        b'{"id": "no-text"}\n'
        b'{"id": "good-2", "text": "Another good record, about a mountain railway that climbs to the pass."}\n'
    )
    _gzip_bomb(d / "bomb.txt.gz", BOMB_BYTES)
    return {
        "binary.txt": r"binary",
        "binary-nomagic.txt": r"binary|undecodable",
        "empty.txt": r"empty",
        "truncated.txt.gz": r"truncated|corrupt",
        "records.jsonl#2": r"malformed JSON",
        "records.jsonl#3": r"not an object",
        "records.jsonl#4": r"neither a 'text' nor an 'html'",
        "bomb.txt.gz": r"bomb|limit",
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    bad = build_hostile_folder(folder)
    out = base / "corpus.jsonl"
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", str(folder), "-o", str(out), "-j", "2", "--quiet",
         "--rejects", str(base / "rejects.jsonl")],
        cwd=base, capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))},
    )
    wall = time.monotonic() - start
    print(f"hostile run: {wall:.1f} s wall, exit {proc.returncode}")   # shown with pytest -s
    return {"proc": proc, "wall": wall, "folder": folder, "bad": bad, "out": out, "base": base}


@pytest.mark.timeout(180)
def test_run_finishes_without_traceback(hostile_run):
    proc = hostile_run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert hostile_run["wall"] < 120


def _records(run) -> list[dict]:
    return read_jsonl(run["out"])


def _sources(run) -> set[str]:
    """Every source that reached the corpus, including duplicates merged into a kept record."""
    got = set()
    for r in _records(run):
        got.add(r["source"])
        got.update(d["source"] for d in r.get("duplicates") or [])
    return got


def test_every_good_document_is_in_the_corpus(hostile_run):
    folder = hostile_run["folder"]
    good = [p.name for p in sorted(SEEDS.glob("*.txt"))] + [
        "latin1.txt", "utf16-bom.txt", "utf16-nobom.txt", "nul.txt", "longline.txt", "deep.html", "broken.html",
        "records.jsonl#1", "records.jsonl#5",
    ]
    sources = _sources(hostile_run)
    missing = [g for g in good if str(folder / g) not in sources]
    assert not missing, f"missing from the corpus: {missing}"


def test_legacy_encodings_decoded_exactly(hostile_run):
    by_name = {Path(r["source"]).name: r for r in _records(hostile_run)}
    assert LATIN1 in by_name["latin1.txt"]["text"]
    assert UTF16_BOM in by_name["utf16-bom.txt"]["text"]
    assert UTF16_NOBOM in by_name["utf16-nobom.txt"]["text"]
    nul = by_name["nul.txt"]["text"]
    assert "\x00" not in nul and NUL_TEXT in nul


def test_long_documents_cut_and_html_extracted(hostile_run):
    by_name = {Path(r["source"]).name: r for r in _records(hostile_run)}
    long = by_name["longline.txt"]["text"]
    assert 0 < len(long) <= 5_000_000 and long.startswith(LONG_SENTENCE.strip()[:40])
    assert "ferry timetable" in by_name["deep.html"]["text"]
    assert "twelve thousand books" in by_name["broken.html"]["text"]


def test_each_bad_input_has_one_line_with_its_reason(hostile_run):
    folder, err = hostile_run["folder"], hostile_run["proc"].stderr
    lines = err.splitlines()
    for name, reason in hostile_run["bad"].items():
        prefix = f"cleaner: {folder / name}: "
        mine = [l for l in lines if l.startswith(prefix)]
        assert len(mine) == 1, f"{name}: expected one stderr line, got {mine}\n{err[-2000:]}"
        assert re.search(reason, mine[0][len(prefix):]), mine[0]
    reported = {l.split(": ")[1] for l in lines if l.startswith(f"cleaner: {folder}")}
    assert reported == {str(folder / n) for n in hostile_run["bad"]}, "a good input was reported as bad"


def test_bomb_stopped_early(hostile_run):
    line = next(l for l in hostile_run["proc"].stderr.splitlines() if "bomb.txt.gz" in l)
    inflated = int(re.search(r"(\d+) bytes", line).group(1))
    print(f"bomb stopped after {inflated} decompressed bytes: {line}")
    assert inflated < 64 * 1024 * 1024 < BOMB_BYTES


def test_failures_counted_by_kind(hostile_run):
    stats = json.loads(Path(f"{hostile_run['out']}.stats.json").read_text())
    assert stats["failures_total"] == len(hostile_run["bad"])
    assert stats["failures"].get("too-large") == 1
    assert stats["failures"].get("bad-record") == 3
