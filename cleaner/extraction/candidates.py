"""Candidate main texts of one parsed page, besides trafilatura's own.

- `page_text`: the page's visible text block by block, minus the containers that are chrome on
  every site (nav, header, footer, aside, forms, dialogs, cookie and menu boxes). On listings,
  collections and service pages the content is spread over many sections and cards that
  one-container extraction misses.
- `forum_posts`: the post bodies of a discussion thread, by the containers forum platforms use
  (Discourse, XenForo, phpBB, vBulletin, IPS, NodeBB, Flarum, Stack Exchange, schema.org
  DiscussionForumPosting/Question/Answer), with quoted replies and signatures left out.

Both work on a copy-free walk of the tree: nothing is removed from it.
"""
from __future__ import annotations

import re

from lxml import etree

# Elements whose text is never content.
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "nav", "footer", "aside",
                        "form", "button", "select", "option", "iframe", "dialog", "head", "title",
                        "input", "textarea", "menu"})
# ARIA landmarks of site chrome.
_SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "dialog", "menu", "menubar",
                         "toolbar", "complementary", "alert", "alertdialog", "tablist"})
# Class/id words of site chrome (whole words of the attribute, split on - _ and spaces).
_CHROME_WORDS = frozenset({"nav", "navbar", "navigation", "menu", "megamenu", "submenu", "footer", "breadcrumb",
                           "breadcrumbs", "cookie", "cookies", "consent", "gdpr", "modal", "popup", "newsletter",
                           "masthead", "topbar", "sidebar", "offcanvas", "skip", "share", "sharing", "social",
                           "subscribe", "signup", "login", "advert", "ads", "ad"})
# Whole class tokens of text meant for screen readers only (a "hidden" class alone may be a closed tab
# holding a product's specs, and React's streamed HTML parks content in <div hidden>: both are kept).
_SCREEN_READER = frozenset({"sr-only", "visually-hidden", "screen-reader-text", "screenreader", "a11y-hidden"})
_SPLIT_WORDS = re.compile(r"[\s_\-]+")
# Block-level elements: their text starts a new line.
_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd",
                         "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "tbody", "thead", "blockquote",
                         "pre", "br", "hr", "header", "figcaption", "figure", "address", "details",
                         "summary", "body", "td", "th", "caption"})
_WS = re.compile(r"\s+")


def _chrome_attr(el) -> bool:
    c = el.get("class")
    if c and not _SCREEN_READER.isdisjoint(c.lower().split()):
        return True
    for attr in ("class", "id"):
        v = el.get(attr)
        if v and not _CHROME_WORDS.isdisjoint(w.lower() for w in _SPLIT_WORDS.split(v) if w):
            return True
    return False


def is_chrome_element(el) -> bool:
    """A container of site chrome: by tag, ARIA role, aria-hidden or class/id words."""
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in _SKIP_TAGS:
        return True
    if el.get("aria-hidden") == "true":
        return True
    role = el.get("role")
    if role and role.lower() in _SKIP_ROLES:
        return True
    if tag == "body" or tag == "html" or tag == "main" or tag == "article":
        return False
    return _chrome_attr(el)


def _lines_of(root, skip) -> list[str]:
    """The text under `root` as lines (one per block), leaving out subtrees for which skip(el)."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            line = _WS.sub(" ", "".join(buf)).strip()
            if line:
                out.append(line)
            buf.clear()

    def walk(el) -> None:
        if not isinstance(el.tag, str):      # comments, processing instructions
            if el.tail:
                buf.append(el.tail)
            return
        if skip(el):
            if el.tail:
                buf.append(el.tail)
            return
        block = el.tag.lower() in _BLOCK_TAGS
        if block:
            flush()
        if el.text:
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        elif el.tag.lower() in ("td", "th"):
            buf.append(" ")
        if el.tail:
            buf.append(el.tail)

    walk(root)
    flush()
    return out


def page_text(tree) -> str:
    """The visible text of the page's body, one block a line, site chrome containers left out."""
    body = tree.find(".//body")
    if body is None:
        body = tree
    # A <header> of the page is chrome; a <header> inside an article holds its headline.
    def skip(el) -> bool:
        if is_chrome_element(el):
            return True
        if isinstance(el.tag, str) and el.tag.lower() == "header":
            parent = el.getparent()
            return parent is not None and parent.tag in ("body", "html")
        return False

    return "\n".join(_lines_of(body, skip))


# --- forums ------------------------------------------------------------------------------------
# Post bodies by platform; the first selector list that finds at least one post wins.
# Each platform's selectors need one of its tokens in the HTML: a page without any is not searched.
_MARKERS = {"discourse": ("cooked", "crawler-post", "itemprop"), "xenforo": ("bbWrapper",),
            "stackexchange": ("s-prose", "post-text", "js-post-body"), "phpbb": ("postbody",),
            "vbulletin": ("post_message_", "js-post__content-text", "postcontent"), "ips": ("commentContent",),
            "nodebb": ("post/content",), "flarum": ("Post-body",), "schema": ("itemprop",)}
_POST_SELECTORS = (
    ("discourse", "div.topic-post div.cooked, div.crawler-post div.post[itemprop='text'], div.post[itemprop='text']"),
    ("xenforo", "article.message div.message-body div.bbWrapper, article.message-body div.bbWrapper"),
    ("stackexchange", "div.s-prose.js-post-body, div.post-text, div.js-post-body"),
    ("phpbb", "div.postbody div.content"),
    ("vbulletin", "div[id^='post_message_'], div.js-post__content-text, blockquote.postcontent"),
    ("ips", "div[data-role='commentContent']"),
    ("nodebb", "[component='post/content']"),
    ("flarum", "div.Post-body"),
    ("schema", "[itemtype*='DiscussionForumPosting'] [itemprop='text'], [itemtype*='Answer'] [itemprop='text'],"
               " [itemtype*='Question'] [itemprop='text']"),
)
# (Generic "post-content" / "comment-body" classes are left out: news and blog pages use them for their
# article and its reader comments, where the article, not the comments, is the content.)
_QUOTE_CLASSES = ("bbCodeBlock--quote", "quote", "bbcode_quote", "ipsQuote", "signature", "message-signature",
                  "post-signature", "bbCodeBlock-expandLink", "bbCodeBlock-title")
_compiled: list[tuple[str, etree.XPath]] | None = None


def _selectors() -> list[tuple[str, etree.XPath]]:
    global _compiled
    if _compiled is None:
        from cssselect import GenericTranslator

        tr = GenericTranslator()
        _compiled = [(name, etree.XPath(tr.css_to_xpath(css))) for name, css in _POST_SELECTORS]
    return _compiled


def _quoted(el) -> bool:
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if tag in ("script", "style", "noscript", "template", "svg", "button", "form"):
        return True
    if tag == "aside" or (tag == "blockquote" and el.get("class")):
        return True
    c = el.get("class") or ""
    return any(q in c.split() for q in _QUOTE_CLASSES)


def forum_posts(tree, html: str | None = None) -> tuple[str | None, str]:
    """(platform, the thread's post bodies one block a line) or (None, "") when no posts are found.

    With `html` (the page's source), platforms none of whose marker tokens it holds are skipped.
    """
    for name, xp in _selectors():
        if html is not None and not any(m in html for m in _MARKERS[name]):
            continue
        try:
            found = xp(tree)
        except Exception:  # noqa: BLE001  (hostile markup)
            continue
        # outermost hits only (a platform's selector may match nested containers)
        ids = {id(e) for e in found}
        posts = [e for e in found if not any(id(a) in ids for a in e.iterancestors())]
        if not posts:
            continue
        lines: list[str] = []
        for post in posts:
            lines.extend(_lines_of(post, _quoted))
        if lines:
            return name, "\n".join(lines)
    return None, ""
