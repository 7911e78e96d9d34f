"""HTML input: the charset comes from the BOM, the HTTP header, <meta>, then detection."""
from __future__ import annotations

import io

from cleaner.document import Document
from cleaner.sources import stable_id
from cleaner.sources.html import charset_from_content_type, decode_html, read_html

TEXT = "Caf\u00e9 \u2014 \u201cna\u00efve\u201d \u20ac5"


def _page(meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{TEXT}</p></body></html>"


def test_meta_charset_declares_windows_1252():
    data = _page('<meta charset="windows-1252">').encode("cp1252")
    [doc] = list(read_html(io.BytesIO(data), "page.html"))
    assert isinstance(doc, Document) and TEXT in doc.html and doc.text == ""
    assert doc.id == stable_id("page.html") and doc.source == "page.html"


def test_http_equiv_and_latin1_label_mean_cp1252():
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
    assert TEXT in decode_html(_page(meta).encode("cp1252"), "p.html")


def test_header_beats_meta_and_bom_beats_both():
    data = _page('<meta charset="utf-8">').encode("cp1252")
    assert TEXT in decode_html(data, "p.html", "text/html; charset=windows-1252")
    bom = b"\xef\xbb\xbf" + _page('<meta charset="windows-1252">').encode("utf-8")
    assert TEXT in decode_html(bom, "p.html", "text/html; charset=windows-1252")


def test_undeclared_bytes_are_detected():
    data = _page().encode("utf-8")
    assert TEXT in decode_html(data, "p.html")
    assert "\u00e9t\u00e9" in decode_html(("<html><body>" + "L'\u00e9t\u00e9 est chaud. " * 40 + "</body></html>").encode("cp1252"), "p.html")


def test_content_type_parsing():
    assert charset_from_content_type('text/html; charset="UTF-8"') == "utf_8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type("text/html; charset=bogus-xyz") is None


# --- the extract step ---------------------------------------------------------------------------
from cleaner.steps.extract import Extract, tidy_text  # noqa: E402

ARTICLE = " ".join(f"Sentence number {i} of the article talks about rivers and the towns along them." for i in range(30))
PAGE = f"""<html><head><title>River towns</title><meta property="og:site_name" content="Atlas"></head>
<body><nav><a href="/">Home</a></nav>
<article><h1>River towns</h1><p>{ARTICLE}</p>
<div class="share-bar"><p>Share this story on every network you know about, please share it widely today</p></div>
<p>{ARTICLE.replace('rivers', 'bridges')}</p></article>
<footer>Copyright 2024 Atlas</footer></body></html>"""


def test_extract_fills_text_and_title_and_drops_html():
    doc = Extract(selectors=[])(Document(id="x", source="p.html", html=PAGE, url="https://kept.example/a"))
    assert "Sentence number 3 of the article talks about rivers" in doc.text
    assert doc.title == "River towns" and doc.url == "https://kept.example/a"
    assert doc.html is None
    assert not doc.text.startswith("River towns")        # the headline is the title, not text


def test_selector_rules_cut_widgets_before_extraction():
    with_rule = Extract(selectors=[".share-bar", "nav"])(Document(id="x", source="p.html", html=PAGE))
    assert "Share this story" not in with_rule.text
    assert "bridges" in with_rule.text


def test_text_documents_pass_through():
    doc = Document(id="t", source="a.txt", text="plain text")
    assert Extract(selectors=[])(doc) is doc and doc.text == "plain text"


def test_fallback_is_recorded_when_extraction_finds_nothing(monkeypatch):
    import trafilatura

    calls = []

    def finds_nothing(*args, **kwargs):
        calls.append(kwargs.get("fast", False))
        return None

    monkeypatch.setattr(trafilatura, "bare_extraction", finds_nothing)
    doc = Extract(selectors=[])(Document(id="f", source="f.html", html=PAGE))
    assert calls[0] is True and calls[-1] is False   # the fast path, then the full run, then the page's text
    assert "extract/fallback" in doc.events and "extract/page" in doc.events
    assert "Sentence number 3 of the article" in doc.text


def test_no_fallback_for_a_normal_page():
    doc = Extract(selectors=[])(Document(id="x", source="p.html", html=PAGE))
    assert "extract/fallback" not in doc.events


def test_tidy_text_removes_table_rules_and_repeated_prose_blocks():
    para = [f"A long paragraph number {i} that is full prose, repeated by a responsive layout twice." for i in range(3)]
    text = "\n".join(["Intro", "| a | b |", "|---|---|", "| 1 | 2 |", *para, "Serves 2", "Serves 2", "Method", *para, "End"])
    out = tidy_text(text).split("\n")
    assert "|---|---|" not in out and "| 1 | 2 |" in out
    assert out.count(para[0]) == 1 and out.count("Serves 2") == 2 and out[-1] == "End"


def test_a_page_over_the_time_budget_fails_alone(monkeypatch):
    """--timeout: extraction that hangs is stopped and reported as that document's failure."""
    import time

    from cleaner.pipeline import apply_steps

    step = Extract(selectors=[], timeout=0.2)
    monkeypatch.setattr(step, "_extract", lambda doc: time.sleep(5))
    t = time.monotonic()
    out = apply_steps([step], Document(id="h", source="hang.html", html=PAGE))
    assert time.monotonic() - t < 3
    assert out.failure is not None and "--timeout" in out.failure.reason and out.failure.source == "hang.html"
