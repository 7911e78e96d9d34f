"""The Python API of the contract: clean_text, clean_document, clean_batch, Pipeline.default().run, write_jsonl."""
from __future__ import annotations

import cleaner
from conftest import SEEDS, read_jsonl

ARTICLE = (
    "Thursday, November 6, 2025\n"
    "Harbour council approves new ferry timetable\n\n"
    "The harbour council voted on Tuesday to approve a new ferry timetable that adds three evening crossings, "
    "after months of complaints from commuters about overcrowded boats.\n\n"
    "The chair said the change would cost less than expected because two boats were already idle at night.\n\n"
    "Leave a Reply\n"
)


def test_clean_text_removes_chrome_and_keeps_prose():
    out = cleaner.clean_text(ARTICLE)
    assert "Leave a Reply" not in out
    assert "Thursday, November 6, 2025" not in out
    assert "The chair said the change would cost less" in out
    assert out.split("\n")[0] == "Harbour council approves new ferry timetable"


def test_clean_document_carries_title_lang_and_reasons():
    doc = cleaner.clean_document(ARTICLE)
    assert isinstance(doc, cleaner.Document)
    assert doc.title == "Harbour council approves new ferry timetable"
    assert doc.lang == "en" and 0.5 < doc.lang_score <= 1.0
    reasons = {r.text: r.rule for r in doc.removed}
    assert reasons["Leave a Reply"].startswith("comments/")
    assert reasons["Thursday, November 6, 2025"] == "structure/date-header"


def test_clean_text_html():
    page = ("<html><head><title>Ferry timetable | Harbour News</title></head><body><nav><a href='/'>Home</a></nav>"
            "<article><h1>Ferry timetable approved</h1><p>" + "The harbour council voted to add evening crossings. " * 8 +
            "</p><p>" + "Commuters had complained about crowded boats for months. " * 6 + "</p></article>"
            "<footer>Copyright 2025 Harbour News. All rights reserved.</footer></body></html>")
    out = cleaner.clean_text(page, html=True, url="https://news.example/ferry")
    assert "evening crossings" in out and "Home" not in out.split("\n")
    assert "All rights reserved" not in out


def test_clean_batch_for_datasets_map():
    outs = cleaner.clean_batch([ARTICLE, "Source link"])
    assert len(outs) == 2 and "Leave a Reply" not in outs[0] and outs[1] == ""


def test_pipeline_run_streams_documents_and_write_jsonl(tmp_path):
    pipe = cleaner.Pipeline.default(jobs=1)
    docs = pipe.run([str(SEEDS)])
    assert not isinstance(docs, list)            # streaming
    path = tmp_path / "c.jsonl"
    assert cleaner.write_jsonl(docs, path) == 5
    recs = read_jsonl(path)
    assert [r["source"].rsplit("/", 1)[-1][:3] for r in recs] == ["000", "001", "002", "003", "004"]
    assert set(recs[0]) >= {"id", "text", "title", "url", "source", "lang", "lang_score", "date", "duplicates", "meta"}
    assert pipe.stats.documents_out == 5 and pipe.stats.families()["comments"] >= 2


def test_pipeline_run_accepts_documents_and_strings():
    pipe = cleaner.Pipeline.default(jobs=1, dedup="exact")
    docs = list(pipe.run([[ARTICLE, ARTICLE.replace("Leave a Reply", "Source link")]]))
    assert len(docs) == 1 and len(docs[0].duplicates) == 1   # same story, other chrome: one copy kept
