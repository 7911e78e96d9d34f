"""Issue 2, point 1: the bundled seeds clean exactly as labelled (a copy of the labels is a fixture)."""
from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, SEEDS, read_jsonl

LABELS = json.loads((FIXTURES / "seeds" / "labels.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from cleaner.cli import main

    out = tmp_path_factory.mktemp("seeds") / "corpus.jsonl"
    assert main(["clean", str(SEEDS), "-o", str(out), "--explain", "-j", "1", "--quiet"]) == 0
    return {r["source"].rsplit("/", 1)[-1]: r for r in read_jsonl(out)}


def test_all_five_seeds_come_out(corpus):
    assert sorted(corpus) == sorted(LABELS)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_keep_lines_present_and_drop_lines_absent(corpus, name):
    lines = corpus[name]["text"].split("\n")
    keep = [l["text"].replace("&rddequo;", "\u201d") for l in LABELS[name] if l["label"] == "keep"]
    for label in LABELS[name]:
        text = label["text"].replace("&rddequo;", "\u201d")
        if label["label"] == "keep":
            assert text in lines, f"{name}:{label['line']} lost"
        elif label["label"] == "drop":
            # a dropped copy of a kept line (the headline printed twice) must leave exactly the kept copies
            assert lines.count(text) == keep.count(text), f"{name}:{label['line']} kept: {text!r}"


@pytest.mark.parametrize("name", sorted(LABELS))
def test_text_equals_expected_up_to_either_lines(corpus, name):
    """The clean text is the expected text, except that `either` lines may stay or go."""
    either = {l["text"] for l in LABELS[name] if l["label"] == "either"}
    expected = [l for l in (FIXTURES / "seeds" / name.replace(".txt", ".expected.txt")).read_text(encoding="utf-8").split("\n") if l.strip()]
    got = corpus[name]["text"].split("\n")
    assert [l for l in got if l not in either] == [l for l in expected if l not in either]


@pytest.mark.parametrize("name", sorted(LABELS))
def test_headline_once_entities_repaired_english(corpus, name):
    rec = corpus[name]
    lines = rec["text"].split("\n")
    if rec["title"]:
        assert lines.count(rec["title"]) <= 1
    assert "&rddequo;" not in rec["text"] and "&" not in rec["text"].replace("& ", "")
    assert rec["lang"] == "en" and rec["lang_score"] > 0.9


def test_removed_lines_name_their_rule(corpus):
    for rec in corpus.values():
        for r in rec["removed"]:
            assert "/" in r["rule"] and r["line"] >= 1 and r["text"].strip()
    rules = {r["text"]: r["rule"] for rec in corpus.values() for r in rec["removed"]}
    assert rules["Leave a Reply"].startswith("comments/")
    assert rules["Source link"].startswith("source/")
