"""General signals of a page and of its candidate texts, as one numeric row for the chooser.

Nothing here names a site: schema.org / Open Graph types, words of the URL path, DOM counts of one
tree walk (paragraphs, list items, headings, code blocks, tables, links, repeated card groups), and
the shape of each candidate text (length, lines, sentence share) with how much the candidates agree.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from urllib.parse import urlsplit

from lxml import etree

CANDIDATES = ("trafilatura", "page", "forum")

# Page kinds said by the page itself (JSON-LD @type, og:type), folded into a few groups.
_TYPE_GROUPS = {
    "article": ("article", "newsarticle", "blogposting", "reportagenewsarticle", "techarticle", "scholarlyarticle",
                "opinionnewsarticle", "analysisnewsarticle", "liveblogposting"),
    "product": ("product", "productgroup", "offer", "aggregateoffer", "individualproduct", "car", "book"),
    "listing": ("itemlist", "collectionpage", "searchresultspage", "offercatalog", "listitem"),
    "forum": ("discussionforumposting", "qapage", "question", "answer", "comment", "socialmediaposting"),
    "service": ("service", "organization", "localbusiness", "corporation", "professionalservice", "softwareapplication",
                "webapplication", "faqpage", "aboutpage", "contactpage", "event", "course", "recipe", "howto"),
    "webpage": ("webpage", "website", "website"),
}
_TYPE_OF = {t: g for g, ts in _TYPE_GROUPS.items() for t in ts}
# Words of the URL path that say what a page is, on any site.
_URL_WORDS = {
    "forum": ("forum", "forums", "thread", "threads", "topic", "topics", "t", "questions", "community", "discussion",
              "discussions", "showthread", "viewtopic", "board", "boards", "comments", "r"),
    "product": ("product", "products", "p", "dp", "item", "shop", "buy", "store", "sku"),
    "listing": ("category", "categories", "collection", "collections", "catalog", "search", "list", "lists", "tag",
                "tags", "archive", "courses", "jobs", "directory", "reviews", "browse", "c"),
    "docs": ("docs", "doc", "documentation", "api", "reference", "manual", "guide", "guides", "tutorial", "sdk",
             "developer", "developers", "learn", "wiki", "help", "support", "kb"),
    "article": ("blog", "news", "article", "articles", "story", "stories", "post", "posts", "opinion", "magazine"),
    "service": ("services", "service", "pricing", "features", "solutions", "about", "contact", "plans", "platform",
                "enterprise", "business"),
}
_PATH_SPLIT = re.compile(r"[/\-_.?=&+]+")
_SENTENCE_END = re.compile(r"[.!?…:。！？][\"'”’)\]]*$")
_WORD = re.compile(r"\w+")
_YEARISH = re.compile(r"/(19|20)\d\d/")

_CANONICAL = etree.XPath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
_JSONLD = etree.XPath("//script[@type='application/ld+json']/text()")
_OGTYPE = etree.XPath("//meta[@property='og:type']/@content")
_ITEMTYPE = etree.XPath("//*[@itemtype]/@itemtype")


def _json_types(blob: object, out: Counter, depth: int = 0) -> None:
    if depth > 6:
        return
    if isinstance(blob, dict):
        t = blob.get("@type")
        for v in (t if isinstance(t, list) else [t]):
            if isinstance(v, str):
                g = _TYPE_OF.get(v.lower())
                if g:
                    out[g] += 1
        for v in blob.values():
            if isinstance(v, (dict, list)):
                _json_types(v, out, depth + 1)
    elif isinstance(blob, list):
        for v in blob[:50]:
            _json_types(v, out, depth + 1)


def declared_types(tree) -> Counter:
    """Page kinds the page declares: JSON-LD @type, microdata itemtype, og:type (grouped)."""
    out: Counter = Counter()
    for raw in _JSONLD(tree)[:10]:
        try:
            _json_types(json.loads(raw), out)
        except (ValueError, RecursionError):
            continue
    for it in _ITEMTYPE(tree)[:50]:
        g = _TYPE_OF.get(it.rstrip("/").rsplit("/", 1)[-1].lower())
        if g:
            out[g] += 1
    for og in _OGTYPE(tree)[:3]:
        g = _TYPE_OF.get(og.split(".")[0].strip().lower())
        if g:
            out[g] += 1
    return out


def declared_url(tree) -> str | None:
    """The page's own URL (canonical link or og:url), for a saved page read without one."""
    for u in _CANONICAL(tree)[:2]:
        u = u.strip()
        if u.startswith(("http://", "https://")):
            return u
    return None


def url_words(url: str | None) -> Counter:
    out: Counter = Counter()
    if not url:
        return out
    try:
        parts = urlsplit(url)
    except ValueError:
        return out
    words = [w.lower() for w in _PATH_SPLIT.split(parts.path + "?" + parts.query) if w]
    host = parts.hostname or ""
    for w in words + host.split(".")[:-1]:
        for group, ws in _URL_WORDS.items():
            if w in ws:
                out[group] += 1
    if _YEARISH.search(parts.path):
        out["article"] += 1
    out["depth"] = len([p for p in parts.path.split("/") if p])
    return out


_BODY_CHARS = etree.XPath("string-length(normalize-space(string(//body)))")
_LINKS = etree.XPath("//a")


def dom_counts(tree) -> dict[str, float]:
    """Tag counts that tell page kinds apart, the share of text in links, the largest repeated card group."""
    elements = list(tree.iter(etree.Element))
    tags = Counter(el.tag for el in elements)
    best_group = 0
    for el in elements:
        if len(el) >= 4:
            classes = Counter((c.tag, c.get("class")) for c in el if c.get("class"))
            if classes:
                best_group = max(best_group, classes.most_common(1)[0][1])
    body = float(_BODY_CHARS(tree) or 0.0)
    link_chars = sum(len(a.text_content().strip()) for a in _LINKS(tree))
    return {
        "p": tags["p"], "li": tags["li"], "h": tags["h2"] + tags["h3"] + tags["h4"], "h1": tags["h1"],
        "pre": tags["pre"] + tags["code"], "table": tags["table"], "td": tags["td"], "form": tags["form"],
        "input": tags["input"] + tags["select"] + tags["button"], "a": tags["a"], "img": tags["img"],
        "article": tags["article"], "time": tags["time"], "blockquote": tags["blockquote"],
        "link_share": min(1.0, link_chars / body) if body else 0.0, "cards": best_group,
    }


def text_shape(text: str) -> tuple[float, float, float, float, float]:
    """(log chars, log lines, mean words a line, share of sentence-ending lines, share of short lines)."""
    lines = [l for l in text.split("\n") if l.strip()]
    if not lines:
        return (0.0, 0.0, 0.0, 0.0, 0.0)
    words = [len(_WORD.findall(l)) for l in lines]
    ends = sum(1 for l in lines if _SENTENCE_END.search(l.rstrip()))
    short = sum(1 for w in words if w <= 4)
    return (math.log1p(len(text)), math.log1p(len(lines)), sum(words) / len(lines), ends / len(lines),
            short / len(lines))


def _wordset(text: str) -> set[str]:
    return set(w.casefold() for w in _WORD.findall(text))


def containment(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a) if a else 0.0


FORUM_PLATFORMS = ("discourse", "xenforo", "stackexchange", "phpbb", "vbulletin", "ips", "nodebb", "flarum",
                   "schema")


def feature_names() -> list[str]:
    names = [f"declared_{g}" for g in _TYPE_GROUPS] + [f"url_{g}" for g in _URL_WORDS] + ["url_depth"]
    names += ["dom_" + k for k in ("p", "li", "h", "h1", "pre", "table", "td", "form", "input", "a", "img", "article",
                                   "time", "blockquote", "link_share", "cards")]
    for c in CANDIDATES:
        names += [f"{c}_chars", f"{c}_lines", f"{c}_words_per_line", f"{c}_sentences", f"{c}_short"]
    names += ["traf_in_page", "page_in_traf", "forum_in_page", "traf_over_page", "forum_over_page",
              "forum_platform"]
    return names


FEATURES = feature_names()


def page_row(tree, url: str | None, texts: dict[str, str], platform: str | None) -> list[float]:
    """The chooser's feature row for one page and its candidate texts (keys of CANDIDATES)."""
    dec = declared_types(tree)
    uw = url_words(url)
    dom = dom_counts(tree)
    row: list[float] = [float(dec[g]) for g in _TYPE_GROUPS] + [float(uw[g]) for g in _URL_WORDS]
    row.append(float(uw["depth"]))
    row += [float(dom[k]) for k in ("p", "li", "h", "h1", "pre", "table", "td", "form", "input", "a", "img",
                                    "article", "time", "blockquote", "link_share", "cards")]
    for c in CANDIDATES:
        row += list(text_shape(texts.get(c, "")))
    sets = {c: _wordset(texts.get(c, "")) for c in CANDIDATES}
    lens = {c: len(texts.get(c, "")) for c in CANDIDATES}
    page_len = max(1, lens["page"])
    row += [containment(sets["trafilatura"], sets["page"]), containment(sets["page"], sets["trafilatura"]),
            containment(sets["forum"], sets["page"]), lens["trafilatura"] / page_len, lens["forum"] / page_len,
            float(FORUM_PLATFORMS.index(platform) + 1 if platform in FORUM_PLATFORMS else 0)]
    return row
