"""Page-type-aware extraction: the candidates, the signals and the fitted chooser (no benchmark data)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from trafilatura.utils import load_html

from cleaner.document import Document
from cleaner.extraction.candidates import forum_posts, page_text
from cleaner.extraction.chooser import ALTERNATIVES, PAGE_TYPES, Chooser, default_chooser
from cleaner.extraction.signals import FEATURES, declared_types, page_row, url_words
from cleaner.steps.extract import Extract

PAGES = Path(__file__).parent / "fixtures" / "pages"


def tree_of(name: str):
    return load_html((PAGES / name).read_text(encoding="utf-8"))


def test_forum_posts_keep_every_post_and_leave_out_quotes_and_signatures():
    platform, text = forum_posts(tree_of("forum-thread.html"))
    assert platform == "xenforo"
    assert "feeding my starter every day" in text
    assert "A mature starter keeps for a week" in text
    assert "dry a little on parchment paper" in text
    assert "breadlover42 said" not in text          # the quoted reply
    assert "Sent from my kitchen" not in text       # the signature
    assert "Terms and rules" not in text


def test_no_forum_posts_on_a_page_without_them():
    assert forum_posts(tree_of("listing.html")) == (None, "")


def test_page_text_keeps_every_card_and_leaves_out_chrome_containers():
    text = page_text(tree_of("listing.html"))
    lines = text.split("\n")
    for course in ("Introduction to Pottery", "Conversational Spanish", "Creative Writing Workshop",
                   "Beginners' Photography"):
        assert course in lines
    assert "We use cookies" not in text and "Contact" not in lines and "All rights reserved" not in text


def test_declared_types_and_url_words_are_general_signals():
    assert declared_types(tree_of("listing.html"))["listing"] == 1
    assert url_words("https://example.org/forums/threads/best-way.123/")["forum"] >= 2
    assert url_words("https://shop.example.com/products/blue-kettle")["product"] == 2   # host and path
    assert url_words(None) == {}


def test_page_row_has_one_value_per_feature():
    tree = tree_of("forum-thread.html")
    texts = {"trafilatura": "a b c", "baseline": "", "page": page_text(tree), "forum": forum_posts(tree)[1]}
    row = page_row(tree, "https://example.org/threads/x.1/", texts, "xenforo")
    assert len(row) == len(FEATURES) and all(isinstance(v, float) for v in row)


def _spec(**over):
    spec = {"features": FEATURES, "alternatives": list(ALTERNATIVES), "margins": {k: 0.6 for k in ALTERNATIVES},
            "gain_trees": {k: [-5.0] for k in ALTERNATIVES}, "page_types": list(PAGE_TYPES),
            "type_trees": [0.0] * len(PAGE_TYPES)}
    spec.update(over)
    return spec


def _types(kind: str) -> list[float]:
    trees = [0.0] * len(PAGE_TYPES)
    trees[PAGE_TYPES.index(kind)] = 3.0
    return trees


def test_chooser_takes_an_alternative_only_past_its_margin():
    f = FEATURES.index("forum_chars")
    spec = _spec(gain_trees={"page": [0.2], "full": [-5.0], "forum": [[f, 1.0, -5.0, 5.0]]}, type_trees=_types("forum"))
    ch = Chooser(spec)
    row = [0.0] * len(FEATURES)
    assert ch.decide(row)[0] == "trafilatura"          # page: p = 0.55 is under its margin of 0.6
    row[f] = 5.0
    pick, kind, p = ch.decide(row)
    assert (pick, kind) == ("forum", "forum") and 0.5 < p < 1.0
    assert ch.decide(row, available={"forum": False, "page": True, "full": True})[0] == "trafilatura"


def test_page_text_never_replaces_the_text_of_a_page_that_looks_like_an_article():
    spec = _spec(gain_trees={"page": [5.0], "full": [-5.0], "forum": [-5.0]})
    row = [0.0] * len(FEATURES)
    assert Chooser(dict(spec, type_trees=_types("listing"))).decide(row)[0] == "page"
    assert Chooser(dict(spec, type_trees=_types("article"))).decide(row) [:2] == ("trafilatura", "article")
    row[FEATURES.index("traf_over_page")] = 0.9         # trafilatura kept most of the page's text already
    assert Chooser(dict(spec, type_trees=_types("listing"))).decide(row)[0] == "trafilatura"


@pytest.mark.parametrize("bad", [{"features": ["x"]}, {"gain_trees": {k: [[10_000, 0.0, 1.0, 2.0]] for k in ALTERNATIVES}},
                                 {"type_trees": ["__import__('os')"]}, {"alternatives": ["page"]}])
def test_a_malformed_chooser_file_is_refused(bad):
    with pytest.raises(ValueError):
        Chooser(_spec(**bad))


def test_the_shipped_chooser_loads_and_matches_the_features():
    ch = default_chooser()
    assert ch is not None
    spec = json.loads((Path(__file__).parents[1] / "cleaner" / "extraction" / "chooser.json").read_text())
    assert spec["features"] == FEATURES and len(spec["type_trees"]) > 0


def test_extract_records_the_page_type_and_its_choice():
    html = (PAGES / "forum-thread.html").read_text(encoding="utf-8")
    doc = Extract()(Document(id="f", source="forum-thread.html", html=html,
                             url="https://bakers.example.org/threads/best-way-to-store-sourdough-starter.4711/"))
    assert doc.meta["page_type"] in PAGE_TYPES
    assert any(e.startswith("page-type/") for e in doc.events)
    for post in ("feeding my starter every day", "A mature starter keeps for a week", "dry a little on parchment"):
        assert post in doc.text
    assert "Terms and rules" not in doc.text
    assert doc.title == "Best way to store sourdough starter?"
