"""Issue #12, point 4: re-posts of a story are not template.

The five seeds plus two re-posts of each (the seed's article under another site's made-up chrome,
tests/fixtures/reposts/, its paragraphs re-wrapped) clean into five records, one per story, and each
keeps every `keep` line of the labels, subheadings included: the lines the copies share recur in
three documents of one folder, which is the story's copies, not a site template.
"""
from __future__ import annotations

import json
import shutil
import textwrap

import pytest

from conftest import FIXTURES, SEEDS, read_jsonl

LABELS = json.loads((FIXTURES / "seeds" / "labels.json").read_text(encoding="utf-8"))
CHROME = sorted((FIXTURES / "reposts").glob("*.txt"))
WRAP = 72


def keep_lines(name: str) -> list[str]:
    return [l["text"].replace("&rddequo;", "\u201d") for l in LABELS[name] if l["label"] == "keep"]


def repost(name: str, chrome: str) -> str:
    """The seed's article (its keep lines) inside another site's chrome, paragraphs re-wrapped."""
    body = []
    for line in keep_lines(name):
        body += textwrap.wrap(line, WRAP, break_on_hyphens=False) if len(line) > WRAP and line.rstrip()[-1:] in ".!?:\"”’" else [line]
        body.append("")
    return chrome.replace("{article}", "\n".join(body).strip())


def flat(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from cleaner.cli import main

    root = tmp_path_factory.mktemp("reposts")
    inp = root / "in"
    inp.mkdir()
    for name in LABELS:
        shutil.copy(SEEDS / name, inp / name)
        for c in CHROME:
            (inp / f"{name.removesuffix('.txt')}_{c.stem}.txt").write_text(repost(name, c.read_text(encoding="utf-8")),
                                                                         encoding="utf-8")
    out = root / "corpus.jsonl"
    assert main(["clean", str(inp), "-o", str(out), "--explain", "-j", "1", "--quiet"]) == 0
    return read_jsonl(out)


def test_fifteen_inputs_give_five_records(corpus):
    assert len(corpus) == 5
    assert all(len(r["duplicates"]) == 2 for r in corpus), [(r["source"], r["duplicates"]) for r in corpus]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_every_keep_line_survives_in_the_story_record(corpus, name):
    stem = name.removesuffix(".txt")
    rec = next(r for r in corpus if stem in r["source"].rsplit("/", 1)[-1])
    lines = {l.strip() for l in rec["text"].split("\n")}
    text = flat(rec["text"])
    for line in keep_lines(name):
        if len(line) <= WRAP or line.rstrip()[-1:] not in ".!?:\"”’":   # subheadings, headlines: the line itself
            assert line.strip() in lines, (line, [r for r in rec.get("removed", []) if r["text"].strip() == line.strip()])
        else:                       # a paragraph: all its words, in order, whichever copy was kept
            assert flat(line) in text, (rec["source"], line, [r for r in rec.get("removed", []) if r["rule"].startswith("heuristic")])


def test_each_reposts_chrome_still_goes(corpus):
    kept = {l.strip() for r in corpus for l in r["text"].split("\n")}
    assert not {"Privacy Policy", "Cookie settings", "Sign in"} & kept
