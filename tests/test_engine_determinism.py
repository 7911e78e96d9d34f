"""Issue 5: the corpus is byte-identical for any -j (mixed text, HTML and JSONL input, near
duplicates, repeated template lines, a bad input), and the local engine's chunked pool keeps order."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from conftest import without_times

from cleaner.engines.local import map_ordered
from cleaner.linefreq import document_keys, line_key

SYLLABLES = "ka lo mi ru te sa no vi da pe gu hor lin mar set bel tra qui dos fen".split()


def story(i: int, n: int = 5) -> list[str]:
    """n paragraphs of seeded pseudo-words: distinct stories for distinct i, the same for the same i."""
    rng = random.Random(i)
    vocab = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(400)]
    return [f"Paragraph {p} of story {i}: " + " ".join(rng.choice(vocab) for _ in range(40)) + "." for p in range(n)]


def make_corpus(folder: Path) -> None:
    folder.mkdir()
    for i in range(40):
        lines = ["Home | News | Sport | Contact", f"Story {i} about the {SYLLABLES[i % len(SYLLABLES)]}", *story(i),
                 "Share this article", "Copyright 2024 Example Media"]
        (folder / f"t{i:03d}.txt").write_text("\n\n".join(lines), encoding="utf-8")
    for i in range(10):                                   # near duplicates of the first ten stories
        lines = [f"UPDATE: story {i}", *story(i)[:4]]
        (folder / f"t{i:03d}-copy.md").write_text("\n".join(lines), encoding="utf-8")
    for i in range(8):
        body = "".join(f"<p>{p}</p>" for p in story(100 + i))
        html = (f"<html><head><title>Page {i}</title></head><body><nav><a href='/'>Home</a></nav>"
                f"<article><h1>Page {i}</h1>{body}</article><footer>About us</footer></body></html>")
        (folder / f"h{i:02d}.html").write_text(html, encoding="utf-8")
    with open(folder / "records.jsonl", "w", encoding="utf-8") as f:
        for i in range(30):
            f.write(json.dumps({"id": f"r{i}", "text": "\n".join(story(200 + i % 20)), "url": f"https://example.org/{i}"}) + "\n")
    (folder / "broken.jsonl").write_text('{"text": "fine record here with words enough"}\n{not json\n', encoding="utf-8")


def clean(inputs: Path, out: Path, jobs: int) -> bytes:
    p = subprocess.run([sys.executable, "-m", "cleaner.cli", "clean", str(inputs), "-o", str(out), "-j", str(jobs), "--quiet"],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return out.read_bytes()


def test_output_is_byte_identical_for_j1_and_j2(tmp_path):
    inputs = tmp_path / "in"
    make_corpus(inputs)
    one = clean(inputs, tmp_path / "j1.jsonl", 1)
    two = clean(inputs, tmp_path / "j2.jsonl", 2)
    assert one == two
    records = [json.loads(line) for line in one.decode().splitlines()]
    assert 40 <= len(records) < 40 + 10 + 8 + 31        # some copies merged, most documents kept
    assert any(r["duplicates"] for r in records)
    stats_1 = json.loads((tmp_path / "j1.jsonl.stats.json").read_text())
    stats_2 = json.loads((tmp_path / "j2.jsonl.stats.json").read_text())
    for key in ("documents_in", "documents_out", "duplicates_dropped", "failures_total", "lines_removed_total"):
        assert stats_1[key] == stats_2[key], key
    assert without_times(stats_1)["steps"] == without_times(stats_2)["steps"]      # each step's work, per step


def _square(x: int) -> int:
    return x * x


def test_map_ordered_keeps_order_across_chunks_and_jobs():
    items = range(1000)
    expected = [x * x for x in items]
    assert list(map_ordered(_square, iter(items), jobs=1)) == expected
    assert list(map_ordered(_square, iter(items), jobs=2, chunk=7)) == expected
    assert list(map_ordered(_square, iter([]), jobs=2)) == []


def test_document_keys_are_the_keys_of_countable_lines():
    lines = ["Share this", "share THIS", "", "   ", "12 Comments", "x" * 201, "Ünïcode ﬁne"]
    keys = document_keys(lines)
    assert keys == {line_key("Share this"), line_key("3 comments"), line_key("Ünïcode ﬁne")}


def test_batch_line_keys_equal_line_key_one_by_one():
    from cleaner.linefreq import line_keys

    lines = ["Share this", "ＦＵＬＬ　ｗｉｄｔｈ １２", "ﬁnance ligature", "\u0301starts with a combining mark",
             "ends with a base e", "\u0301", "Straße STRASSE", "ᄀ", "\u1161 jamo after a break", "İstanbul",
             "tabs\tand  spaces ", "", "   ", "١٢٣ arabic digits", "x\u2028y", "carriage\rreturn", "\ud800 lone surrogate"]
    assert line_keys(lines) == [line_key(l) for l in lines]
    assert line_keys(["a\nb", "c"]) == [line_key("a\nb"), line_key("c")]
    assert line_keys([]) == []


def test_batch_line_keys_property():
    from hypothesis import given, settings, strategies as st

    from cleaner.linefreq import line_keys

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.text(max_size=30), max_size=8))
    def check(lines):
        assert line_keys(lines) == [line_key(l) for l in lines]

    check()
