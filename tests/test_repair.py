"""Encoding and entity repair: mojibake, the entity policy, URLs, line counts, idempotence, totality."""
import pytest
from hypothesis import given, settings, strategies as st

from cleaner.document import Document
from cleaner.registry import make_step
from cleaner.steps.repair import misspelled_entity, osa_distance, repair_text


@pytest.mark.parametrize("broken, fixed", [
    ("The caf\u00c3\u00a9 opened at noon", "The café opened at noon"),             # UTF-8 read as Latin-1
    ("Gr\u00c3\u00bc\u00c3\u0178e aus K\u00c3\u00b6ln", "Grüße aus Köln"),
    ("He didn\u00e2\u20ac\u2122t know", "He didn’t know"),                          # curly quote kept
    ("\u0093Quoted\u0094 text", "“Quoted” text"),                                    # C1 controls = cp1252
])
def test_mojibake_is_fixed_and_curly_quotes_stay(broken, fixed):
    assert repair_text(broken) == fixed


def test_conservative_config_keeps_ligatures_width_and_quotes():
    text = "ﬁne ｗｉｄｅ “quote” ‘single’ „German“"
    assert repair_text(text) == text


@pytest.mark.parametrize("escaped, want", [
    ("Rock &#150; Pop", "Rock – Pop"),          # cp1252-range numeric reference
    ("We&#146;re here", "We’re here"),
    ("price &#x80;5", "price €5"),
    ("&amp;quot;Yes&amp;quot;", '"Yes"'),       # double escaping
    ("I&amp;#8217;m", "I’m"),
    ("&amp;amp;amp;", "&"),                      # triple escaping
    ("Say &ldquo;hi&rdquo; now", "Say “hi” now"),
    ("she&rsquo;s", "she’s"),
    ("S&Atilde;&pound;o Paulo", "São Paulo"),    # mojibake behind entities
    ("CR&Egrave;ME", "CRÈME"),
    ("SEN&Otilde;RA", "SENÕRA"),
    ("fa&ccedil;ade", "façade"),
    ("&copy 2019 Example Ltd", "© 2019 Example Ltd"),   # legacy name without semicolon
    ("caf&eacute au lait", "café au lait"),
])
def test_entities_are_decoded(escaped, want):
    assert repair_text(escaped) == want


@pytest.mark.parametrize("broken, want", [
    ("He said &rddequo;stop&rddequo; twice", "He said ”stop” twice"),
    ("it&rsqou;s", "it’s"),              # transposition
    ("1990&ndsah;1995", "1990–1995"),
    ("wait&emdash;what", "wait—what"),   # insertion
    ("&quote;ok&quote;", '"ok"'),
    ("a&Rdquo;", "a”"),                  # wrong case
])
def test_misspelled_quote_and_dash_entities_are_corrected(broken, want):
    assert repair_text(broken) == want


@pytest.mark.parametrize("text", [
    "an &xdquo; mark",            # as close to ldquo as to rdquo: ambiguous
    "an &foobar; entity",         # close to nothing
    "an &minor; thing",           # distance 2 without the shared stem
    "this &not that",             # word-like legacy name without semicolon
    "Cut&copy paste",             # symbol name glued to a word
    "BTC&ETH prices",
    "R&D and Q&A",
])
def test_text_that_only_looks_like_entities_is_left(text):
    assert repair_text(text) == text


def test_real_entities_are_never_corrected():
    assert misspelled_entity("rdquo") is None
    assert misspelled_entity("dagger") is None
    assert repair_text("&Dagger; &dagger;") == "‡ †"


def test_osa_distance():
    assert osa_distance("rsquo", "rsqou") == 1
    assert osa_distance("rddequo", "rdquo") == 2
    assert osa_distance("", "abc") == 3


@pytest.mark.parametrize("url", [
    "https://example.org/search?q=1&lang=en&copy=2&reg=3",
    "www.example.org/a?x=1&not=2",
    "see /list?page=2&sect=4 for more",
])
def test_url_query_parameters_are_not_decoded(url):
    assert repair_text(url) == url


def test_escaped_ampersand_in_url_is_decoded():
    assert repair_text("https://example.org/?a=1&amp;b=2") == "https://example.org/?a=1&b=2"


def test_line_count_never_changes():
    text = "one&#10;two\r\nthree&#13;\nfour&#8232;five\n\nsix"
    out = repair_text(text)
    assert out.count("\n") == text.count("\n")
    assert out.startswith("one two\r\n")


def test_bad_code_points_never_raise():
    assert repair_text("a\ud800b") == "a\ufffdb"
    assert repair_text("&#0;&#xD800;&#99999999;") == "\ufffd" * 3
    assert repair_text("\x00nul") == "nul"
    assert repair_text("") == ""


def test_step_repairs_text_and_title():
    step = make_step("repair")
    assert step.name == "repair"
    doc = Document(id="1", source="s", text="Don&rsquo;t\ncaf\u00c3\u00a9", title="News &amp;amp; Views")
    assert step(doc) is doc
    assert doc.text == "Don’t\ncafé"
    assert doc.title == "News & Views"


_PIECES = st.sampled_from([
    "&amp;", "&amp;amp;", "&rddequo;", "&#146;", "&#x81;", "&#10;", "&copy", "&not", "&eacute", "&#",
    "&", ";", "#", "x", "Ã©", "â€™", "\u0093", "\r", "\n", "\r\n", "\ud800", "\udfff", "\x00", "\u200b",
    " ", "é", "?a=1", "https://", "www.", "=", "ﬁ", "🙂", "\u2028",
])
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_repair_is_total_idempotent_and_keeps_lines(text):
    once = repair_text(text)
    assert isinstance(once, str)
    assert repair_text(once) == once
    assert once.count("\n") == text.count("\n")
    once.encode("utf-8")  # no lone surrogates left
