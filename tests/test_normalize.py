"""Whitespace and invisible-character normalisation: what goes, what stays, and line numbers."""
from hypothesis import given, settings, strategies as st

from cleaner.document import Document
from cleaner.registry import make_step
from cleaner.steps import drop_lines
from cleaner.steps.normalize import normalize_line, normalize_text


def test_tabs_unified_runs_collapsed_lines_stripped_typographic_spaces_kept():
    assert normalize_line("  Breaking  news:\t\tthe vote \u3000 ") == "Breaking news: the vote"
    assert normalize_line("the ground\u2009.\u2009.\u2009. and\u00a0more") == "the ground\u2009.\u2009.\u2009. and\u00a0more"


def test_controls_and_invisible_characters_are_removed():
    assert normalize_line("a\x00b\x07c\x7fd\u200be\ufefff\u00adg\u2060h") == "abcdefgh"


def test_vertical_controls_separate_words():
    assert normalize_line("page\x0cbreak\x0bhere\x1fthere") == "page break here there"


def test_joiners_marks_and_c1_are_kept():
    family = "\U0001F468\u200d\U0001F469\u200d\U0001F467"
    assert normalize_line(f"emoji {family}") == f"emoji {family}"
    assert normalize_line("می\u200cخواهم") == "می\u200cخواهم"          # ZWNJ in Persian
    assert normalize_line("क्\u200dष") == "क्\u200dष"                  # ZWJ in Devanagari
    assert normalize_line("\u200fשלום") == "\u200fשלום"                 # RLM
    assert normalize_line("\u0093left for repair\u0094") == "\u0093left for repair\u0094"


def test_lines_are_never_added_or_removed():
    text = "Title\n\n\n\n  \nBody  line \n\t\n"
    out = normalize_text(text)
    assert out.split("\n") == ["Title", "", "", "", "", "Body line", "", ""]


def test_crlf_and_cr_line_endings():
    assert normalize_text("a\r\nb\r\n") == "a\nb\n"
    assert normalize_text("a\rb\u2028c") == "a\nb\nc"


def test_step_keeps_line_numbers_in_step():
    doc = Document(id="1", source="s", text="keep\nmenu\nold\rmac\n\u00a0tail\u00a0", title="  A\u00a0 title \n")
    drop_lines(doc, {1: "test/menu"})          # line_numbers now [1, 3, 4]
    step = make_step("normalize")
    assert step.name == "normalize"
    assert step(doc) is doc
    assert doc.text == "keep\nold\nmac\ntail"
    assert doc.line_numbers == [1, 3, 3, 4]   # the CR pieces share their input line
    assert doc.title == "A\u00a0 title"


def test_step_on_empty_document():
    doc = Document(id="1", source="s", text="")
    assert make_step("normalize")(doc).text == ""


_PIECES = st.sampled_from([
    " ", "  ", "\t", "\u00a0", "\u3000", "\r", "\n", "\r\n", "\u2028", "\x00", "\x0c", "\x85",
    "\u200b", "\u200d", "\u00ad", "\ufeff", "\ud800", "a", "é", "文",
])
_TEXTS = st.lists(st.one_of(_PIECES, st.text(max_size=6)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_normalize_is_total_idempotent_and_line_preserving(text):
    once = normalize_text(text)
    assert normalize_text(once) == once
    doc = Document(id="1", source="s", text=text)
    make_step("normalize")(doc)
    assert doc.text == once
    assert len(doc.line_numbers or []) == len(doc.lines)
    assert all(l == l.strip(" ") and "  " not in l for l in once.split("\n"))
