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
