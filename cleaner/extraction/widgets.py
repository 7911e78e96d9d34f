"""Rule-driven widget removal: the rules' CSS selectors matched in one walk of a parsed page, and the
hits cut from the tree before extraction.

Kept apart from the extract step (cleaner.steps.extract) because it is its own job with its own
cost: matching ~80 selectors fast (SelectorMatcher) and cutting the hits without losing the text
around them or the article a too-broad selector matches.
"""
from __future__ import annotations

from typing import Iterable

from lxml import etree

# A selector hit holding more than this share of the page's paragraph text (and more than
# WIDGET_MAX_CHARS of it) is not a widget but the article: it is spared (see remove_widgets).
WIDGET_MAX_SHARE = 0.4
WIDGET_MAX_CHARS = 500

_PARAGRAPH_TEXT = etree.XPath(".//p//text()")


def _attached(el, root) -> bool:
    """Still in the tree (an ancestor of `el` may have been removed as another hit)."""
    while el is not None:
        if el is root:
            return True
        el = el.getparent()
    return False


def _paragraph_chars(el) -> int:
    """Characters of paragraph text under `el`: where an article's body lives."""
    return sum(len(t.strip()) for t in _PARAGRAPH_TEXT(el))


class SelectorMatcher:
    """Find the elements matched by a list of CSS selectors in one walk of the tree.

    Simple selectors (`tag`, `.class`, `#id`, `tag.class`, `tag#id`) are looked up in sets while
    walking once; the others (descendant combinators, attribute tests) go into one XPath union.
    An 80-selector XPath union walks the tree 80 times and cost as much as extraction itself.
    """

    def __init__(self, selectors: Iterable[str]):
        from cssselect import GenericTranslator, SelectorError, parse
        from cssselect.parser import Class, Element, Hash

        self.tags: set[str] = set()
        self.classes: dict[str, set[str]] = {}    # class -> tags ("*" for any)
        self.ids: dict[str, set[str]] = {}
        complex_parts: list[str] = []
        translator = GenericTranslator()
        for css in selectors:
            try:
                parsed = parse(css)
            except SelectorError as e:
                raise ValueError(f"invalid CSS selector {css!r}: {e}") from None
            for sel in parsed:
                tree = sel.parsed_tree
                if sel.pseudo_element is None and isinstance(tree, Element) and tree.element:
                    self.tags.add(tree.element.lower())
                elif (sel.pseudo_element is None and isinstance(tree, (Class, Hash))
                      and isinstance(tree.selector, Element)):
                    tag = (tree.selector.element or "*").lower()
                    if isinstance(tree, Class):
                        self.classes.setdefault(tree.class_name, set()).add(tag)
                    else:
                        self.ids.setdefault(tree.id, set()).add(tag)
                else:
                    complex_parts.append(translator.selector_to_xpath(sel, prefix="descendant-or-self::"))
        self._xpath = etree.XPath(" | ".join(complex_parts)) if complex_parts else None

    def __bool__(self) -> bool:
        return bool(self.tags or self.classes or self.ids or self._xpath is not None)

    def __call__(self, tree) -> list:
        found: list = []
        tags, classes, ids = self.tags, self.classes, self.ids
        for el in tree.iter(etree.Element):
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if tag in tags:
                found.append(el)
                continue
            if ids:
                i = el.get("id")
                if i is not None and i in ids and ("*" in ids[i] or tag in ids[i]):
                    found.append(el)
                    continue
            if classes:
                c = el.get("class")
                if c and any(k in classes and ("*" in classes[k] or tag in classes[k]) for k in c.split()):
                    found.append(el)
        if self._xpath is not None:
            seen = {id(e) for e in found}
            found.extend(e for e in self._xpath(tree) if id(e) not in seen)
        return found


def remove_widgets(tree, matcher: SelectorMatcher) -> None:
    """Remove from `tree` (in place) the elements the rules' CSS selectors match (follow-us boxes,
    share bars, related posts, comment forms), keeping each one's tail text and sparing a hit that
    holds the article itself (see WIDGET_MAX_SHARE)."""
    hits = matcher(tree)
    page_chars: int | None = None
    for el in hits:
        parent = el.getparent()
        if parent is None or not _attached(el, tree):
            continue   # inside a widget removed already
        chars = _paragraph_chars(el)
        if chars > WIDGET_MAX_CHARS:
            # a widget selector that matches the article itself (a `.paywall` wrapper, a
            # `nav` around the body) would empty the page: spare elements that hold a
            # large share of its paragraph text
            if page_chars is None:
                page_chars = _paragraph_chars(tree)
            if chars > WIDGET_MAX_SHARE * page_chars:
                continue
        # keep the tail text: it belongs to the parent, not to the widget
        if el.tail and el.tail.strip():
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)
