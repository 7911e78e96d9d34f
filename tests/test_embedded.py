"""Script-rendered shells: the text a page embeds as data (JSON-LD, Next.js/Nuxt state, <noscript>) is
used when its visible DOM holds (almost) none, and never replaces a page's visible text."""
from __future__ import annotations

from pathlib import Path

from trafilatura.utils import load_html

from cleaner.extraction.embedded import embedded_text, html_to_text
from conftest import read_jsonl

SHELLS = Path(__file__).parent / "fixtures" / "shells"


def clean(run_cli, tmp_path: Path, name: str) -> tuple[dict, str]:
    out = tmp_path / "out.jsonl"
    code, _out, err = run_cli("clean", SHELLS / name, "-o", out, "--dedup", "none")
    assert code == 0, err
    records = read_jsonl(out)
    assert len(records) == 1, err
    return records[0], err


def embedded(name: str):
    html = (SHELLS / name).read_text(encoding="utf-8")
    return embedded_text(load_html(html), html)


def test_next_js_shell_gives_its_article_body_not_the_related_teasers(run_cli, tmp_path):
    rec, err = clean(run_cli, tmp_path, "next-shell.html")
    lines = rec["text"].split("\n")
    assert lines[0].startswith("Apple trees are best pruned in late winter")
    assert "Start with the three Ds" in lines                     # the HTML-in-JSON keeps its blocks
    assert lines[-1].endswith("crossing branches that rub against each other are the next to go.")
    assert "Water deeply once a week" not in rec["text"]          # another article's teaser
    assert "enable JavaScript" not in rec["text"]
    assert rec["title"] == "Winter pruning for apple trees"
    assert "text taken from embedded 1" in err                    # counted in the summary


def test_json_ld_shell_gives_the_declared_article_body(run_cli, tmp_path):
    rec, _err = clean(run_cli, tmp_path, "jsonld-shell.html")
    assert "Lisbon's night network runs twelve routes" in rec["text"]
    assert "where new housing has outgrown the daytime service." in rec["text"]
    assert "Loading the latest stories" not in rec["text"]
    # the step's own reader finds it too, paragraph by paragraph, and not the breadcrumb or site name
    source, text = embedded("jsonld-shell.html")
    assert source == "json-ld"
    assert text.split("\n")[1].startswith("Drivers say the busiest hour")
    assert "City Transit Weekly" not in text


def test_noscript_shell_gives_the_noscript_copy(run_cli, tmp_path):
    rec, _err = clean(run_cli, tmp_path, "noscript-shell.html")
    assert "Most dripping taps need nothing more than a new washer" in rec["text"]
    assert "reassemble the tap in the reverse order" in rec["text"]
    assert "Please wait while the page loads" not in rec["text"]
    source, text = embedded("noscript-shell.html")
    assert source == "noscript" and "Turn off the water under the sink" in text


def test_a_page_with_visible_text_keeps_it_over_its_json_ld(run_cli, tmp_path):
    rec, err = clean(run_cli, tmp_path, "article-with-jsonld.html")
    assert "EMBEDDED COPY" not in rec["text"]
    assert rec["text"].startswith("Our two hives went up on the roof of the library in April")
    assert "We lost one colony in the autumn to wasps" in rec["text"]
    assert "embedded" not in err


def test_qa_page_json_ld_gives_question_and_answers():
    html = ('<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"QAPage",'
            '"mainEntity":{"@type":"Question","name":"Why does my sourdough collapse in the oven?",'
            '"text":"The loaf rises well on the counter but flattens as soon as it bakes.",'
            '"acceptedAnswer":{"@type":"Answer","text":"<p>It is over-proofed: the gluten has weakened.</p>'
            '<p>Shorten the final rise by an hour, or proof it in the fridge overnight.</p>"},'
            '"suggestedAnswer":[{"@type":"Answer","text":"Check that your oven really reaches the temperature'
            ' on the dial; a cheap thermometer settles it."}]}}</script></head><body><div id="app"></div></body></html>')
    source, text = embedded_text(load_html(html), html)
    assert source == "json-ld"
    assert text.split("\n") == [
        "Why does my sourdough collapse in the oven?",
        "The loaf rises well on the counter but flattens as soon as it bakes.",
        "It is over-proofed: the gluten has weakened.",
        "Shorten the final rise by an hour, or proof it in the fridge overnight.",
        "Check that your oven really reaches the temperature on the dial; a cheap thermometer settles it."]


def test_nuxt_payload_gives_the_group_with_the_most_prose():
    body = ["Tidal pools hold more life per square metre than almost any other shore habitat we survey.",
            "Visit at the lowest spring tides, two days after a full or new moon, and bring a bucket.",
            "Turn every stone back the way you found it: the animals under it are living there."]
    html = ('<html><body><div id="__nuxt"></div><script id="__NUXT_DATA__" type="application/json">'
            '[{"data":1},{"page":2},{"title":3,"paragraphs":4},"Rock pooling",[5,6,7],'
            + ",".join(f'"{p}"' for p in body) + ']</script></body></html>')
    source, text = embedded_text(load_html(html), html)
    assert source == "state" and text.split("\n") == body


def test_a_shell_with_only_a_javascript_notice_has_no_embedded_text():
    html = ('<html><head><script type="application/ld+json">{"@type":"WebSite","name":"Example"}</script></head>'
            '<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>')
    assert embedded_text(load_html(html), html) is None


def test_html_to_text_reads_blocks_and_leaves_plain_text_alone():
    assert html_to_text("<h2>Tools</h2><ul><li>spanner</li><li>washer</li></ul>") == "Tools\nspanner\nwasher"
    assert html_to_text("first  line\n\n\nsecond line") == "first line\nsecond line"


def test_noscript_markup_kept_as_text_by_the_parser_is_read_as_markup():
    # libxml2 keeps some <noscript> bodies as one text node: "<img src=...>" must not become the page's text
    tree = load_html("<html><body><div id='app'></div></body></html>")
    from lxml import etree

    ns = etree.SubElement(tree.find(".//body"), "noscript")
    ns.text = ('<img src="/pixel.gif" alt=""><p>' + "Our opening hours change with the seasons, so check before you travel. " * 3
               + "</p>")
    source, text = embedded_text(tree)
    assert source == "noscript"
    assert text.startswith("Our opening hours change with the seasons") and "<img" not in text and "<p>" not in text


def test_next_js_rich_text_blocks_are_joined_into_paragraphs():
    # Portable Text (Sanity) splits a paragraph at every mark; the heading is kept with its body
    import json

    def block(*spans, style="normal"):
        return {"_type": "block", "style": style, "children": [{"_type": "span", "text": t, "marks": []} for t in spans]}

    data = {"props": {"pageProps": {"article": {"title": "Mending a bicycle puncture", "body": [
        block("Finding the hole"),
        block("Pump the tube up a little and ", "hold it under water", ": a steady line of bubbles marks the puncture."),
        block("Roughen the rubber around it with sandpaper so that the glue has something to grip on."),
    ]}, "menu": [{"label": "Workshop classes"}, {"label": "Opening hours"}]}}}
    html = ('<html><body><div id="__next"></div><script id="__NEXT_DATA__" type="application/json">'
            + json.dumps(data) + "</script></body></html>")
    source, text = embedded_text(load_html(html), html)
    assert source == "state"
    assert text.split("\n") == [
        "Finding the hole",
        "Pump the tube up a little and hold it under water: a steady line of bubbles marks the puncture.",
        "Roughen the rubber around it with sandpaper so that the glue has something to grip on."]


def test_a_site_wide_json_ld_description_is_not_a_page_s_text():
    about = "Harbour Books is an independent bookshop on the quay, open every day of the year except Christmas, " * 2
    html = ('<html><head><script type="application/ld+json">{"@graph":[{"@type":"Organization","name":"Harbour Books",'
            f'"description":"{about}"}},{{"@type":"WebSite","description":"{about}"}}]}}</script></head>'
            '<body><div id="root"></div></body></html>')
    assert embedded_text(load_html(html), html) is None


def test_broken_or_hostile_state_is_skipped_without_error():
    deep = "[" * 5000 + "]" * 5000
    html = ('<html><body><div id="__next"></div>'
            '<script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps": {"post": "unterminated'
            + " x" * 200 + '</script><script id="__NUXT_DATA__" type="application/json">' + deep + "</script>"
            '<script type="application/ld+json">{"@type": "Article", "articleBody": </script></body></html>')
    assert embedded_text(load_html(html), html) is None
