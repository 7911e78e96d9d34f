"""Property tests (hypothesis) over arbitrary text and bytes: cleaning is total, UTF-8 clean, idempotent.

- `clean_text` never raises, its output encodes as UTF-8 (no lone surrogates), and cleaning the
  cleaned text changes nothing;
- `decode_bytes` raises nothing but InputError, and what it returns is UTF-8-encodable text;
- `write_jsonl` of arbitrary documents writes valid UTF-8 JSONL that reads back to the same records.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cleaner
from cleaner.document import Document
from cleaner.sources import InputError
from cleaner.sources.decode import decode_bytes

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces that exercise the steps: entities, mojibake, invisible characters, line ends, chrome-like
# lines, markup, numbers, CJK, RTL, combining marks, controls.
PIECES = [
    "&amp;", "&rsquo;", "&rsqou;", "&#146;", "&#10;", "&nbsp", "&copy 2020", "Caf&eacute", "?a=1&amp;b=2",
    "http://example.com/a?b=1&c=2", "www.example.org", "Ã©", "â€™", "Ã", "\u00a0", "\u200b", "\ufeff",
    "\u2028", "\r\n", "\r", "\n", "\n\n", "\t", "\x00", "\x1b[31m", "\x85", "e\u0301", "ﬁ", "ｆｕｌｌ",
    "Share this article", "Home | News | Sport", "Leave a reply", "Comments", "Related articles",
    "Subscribe to our newsletter", "© 2024 Example Ltd. All rights reserved.", "Advertisement",
    "Read more", "Cookie settings", "1.", "•", "Posted on 12 March 2024", "by John Smith",
    "<p>", "</div>", "<script>x</script>", "# Heading", "| a | b |", "中文内容", "مرحبا بالعالم",
    "Привет, мир.", "The quick brown fox jumps over the lazy dog.", " ", "  ", ".", "…", "—", "\"", "'",
]
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=20)), max_size=40).map("".join)
any_text = st.one_of(
    st.text(),
    hostile_text,
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200),   # lone surrogates too
)


def _utf8_clean(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@SETTINGS
@given(any_text)
@example("Caf&Atilde;&copy; &amp;amp; r\u00e9sum\u00e9\n\nShare this article\n")
@example("\ud800 lone surrogate\n")
@example("a\rb\r\nc\n")
def test_clean_text_is_total_utf8_and_idempotent(text):
    once = cleaner.clean_text(text)
    assert isinstance(once, str)
    assert _utf8_clean(once)
    twice = cleaner.clean_text(once)
    assert twice == once


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES + ["<div>", "<p>", "</p>", "<br>", "<title>T</title>", "<!--", "<![CDATA["]),
                          st.text(max_size=20)), max_size=40).map("".join))
def test_clean_html_never_raises(page):
    out = cleaner.clean_text(page, html=True)
    assert isinstance(out, str) and _utf8_clean(out)


DECLARED = [None, "utf-8", "cp1252", "latin-1", "utf-16", "shift_jis", "idna", "base64", "rot13", "punycode",
            "no-such-charset", "", "utf-8-sig", "mbcs", "x" * 300]


@SETTINGS
@given(st.one_of(st.binary(max_size=4096), hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                 hostile_text.map(lambda t: t.encode("utf-16", "surrogatepass"))),
       st.sampled_from(DECLARED))
@example(b"\xff\xfe", None)
@example(b"\x00" * 10 + b"text" + b"\x00" * 10, None)
@example(b"abc", "idna")
def test_decode_bytes_raises_only_input_error(data, declared):
    try:
        text = decode_bytes(data, "<prop>", declared)
    except InputError as e:
        assert e.source == "<prop>" and e.reason and "\n" not in e.reason
        return
    assert isinstance(text, str) and text.strip()
    assert "\x00" not in text
    assert _utf8_clean(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)
documents = st.builds(
    Document,
    id=st.text(min_size=1, max_size=20),
    source=st.text(max_size=30),
    text=st.text(),
    title=st.none() | st.text(max_size=40),
    url=st.none() | st.text(max_size=40),
    lang=st.sampled_from(["en", "de", "und", "zh"]),
    meta=st.dictionaries(st.text(max_size=8).filter(lambda k: k not in ("id", "url", "text", "html")), json_values, max_size=4),
)


@SETTINGS
@given(st.lists(documents, max_size=5))
def test_write_jsonl_round_trips(tmp_path_factory, docs):
    path = tmp_path_factory.mktemp("jsonl") / "c.jsonl"
    n = cleaner.write_jsonl(docs, path)
    assert n == len(docs)
    raw = path.read_bytes()
    text = raw.decode("utf-8")                       # strict: valid UTF-8
    lines = text.split("\n")
    assert lines[-1] == "" and len(lines) == len(docs) + 1
    for line, doc in zip(lines, docs):
        assert json.loads(line) == json.loads(json.dumps(doc.record()))


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "x\ud83d"])
def test_write_jsonl_with_lone_surrogates_gives_valid_utf8(tmp_path, bad):
    """A lone surrogate (possible only through the Python API) must not make the sink fail or emit bad UTF-8."""
    path = tmp_path / "c.jsonl"
    cleaner.write_jsonl([Document(id="1", source="s", text=bad)], path)
    rec = json.loads(path.read_bytes().decode("utf-8"))
    assert _utf8_clean(rec["text"])


def test_idempotent_when_a_removal_changes_the_context():
    """Found by hypothesis: removing a line exposed its neighbour as tail chrome on a second pass.
    The classifier now runs to a fixpoint inside the step."""
    text = "&amp;Subscribe to our newsletter\u20280:\x83\u00bf\r&amp;"     # found by hypothesis
    once = cleaner.clean_text(text)
    assert cleaner.clean_text(once) == once
