"""The main text a script-rendered page carries outside its visible DOM.

Single-page apps and many CMS front ends send an empty shell (`<div id="root"></div>`) and the
content as data for the script that renders it: schema.org JSON-LD (`articleBody`, `text`,
`description`), Next.js `<script id="__NEXT_DATA__">`, Nuxt state (`<script id="__NUXT_DATA__">`,
`window.__NUXT__=...`), or a `<noscript>` copy for crawlers. When the visible page yields (almost)
no text, `embedded_text` reads those, in that order of trust:

1. JSON-LD: the body of the page's main entity (Article and its kinds, Question with its answers,
   Product, Recipe, ...). `articleBody`/`text` is the body; `description` is only a summary, used
   when nothing longer is found.
2. Framework state (Next.js, Nuxt): the strings are grouped by their path in the data with list
   indices left out (`post.body[].children[]` holds every paragraph of a rich-text body, its spans joined,
   `related[].excerpt` the teasers of other articles); the group with the most prose wins.
   Strings holding HTML are turned into text.
3. `<noscript>` blocks of the body, read as markup.

The longest of these is returned (JSON-LD bodies are preferred over state and noscript when they
are about as long: they are what the publisher declared as the body). Nothing here runs on a page
whose visible text is fine: the extract step calls it only on (almost) empty results.
"""
from __future__ import annotations

import json
import re
from typing import Iterable, Iterator

from lxml import etree, html as lxml_html

from cleaner.extraction.candidates import page_text

# A text shorter than this is not a page's content (a "please enable JavaScript" line, a teaser).
MIN_CHARS = 150
# A state string is prose when it has at least this many words (titles, labels and ids have fewer).
PROSE_WORDS = 8
# JSON nesting deeper than this is not walked (hostile or huge state blobs).
MAX_DEPTH = 60

# schema.org types whose body is the page's content.
_BODY_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "reviewnewsarticle", "backgroundnewsarticle", "techarticle", "scholarlyarticle", "socialmediaposting",
    "discussionforumposting", "liveblogposting", "report", "review", "criticreview", "howto", "recipe",
    "question", "answer", "comment", "webpage", "aboutpage", "faqpage", "qapage", "itempage", "product",
    "course", "event", "creativework", "medicalwebpage", "jobposting", "book", "movie", "softwareapplication",
    "service", "profilepage",
})
# Site-wide nodes (the publisher, the site, its navigation): their description is the same on every page.
_SKIP_TYPES = frozenset({"breadcrumblist", "imageobject", "videoobject", "searchaction", "listitem", "person",
                         "website", "organization", "localbusiness", "place", "sitenavigationelement", "wpheader",
                         "wpfooter", "wpsidebar"})
_BODY_KEYS = ("articleBody", "text", "reviewBody", "recipeInstructions", "step")
_LDJSON = etree.XPath("//script[translate(@type, 'APLICTONJSD+', 'aplictonjsd+')='application/ld+json']/text()")
_SCRIPTS = etree.XPath("//script")
_NOSCRIPT = etree.XPath("//body//noscript")
_HTML_HINT = re.compile(r"<(?:p|div|br|h[1-6]|li|ul|ol|span|strong|em|a|blockquote|table|section)\b[^>]*>", re.I)
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")
# JavaScript string literals of a `window.__NUXT__=...` function (not JSON): "..." with escapes.
_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.){20,})"')
_STATE_ASSIGN = re.compile(r"window\.__(?:NUXT|INITIAL_STATE|PRELOADED_STATE|APOLLO_STATE)__\s*=")
_URLISH = re.compile(r"^(?:https?:|/|data:|[\w.-]+\.(?:jpg|png|webp|svg|gif|js|css)\b)", re.I)


def html_to_text(value: str, markup: bool = False) -> str:
    """Text of a string that may hold HTML (a CMS body in JSON): one block a line, plain text unchanged.

    `markup`: the string is HTML whatever it looks like (a <noscript> body the parser kept as text).
    """
    if not markup and not _HTML_HINT.search(value):
        return _BLANKS.sub("\n", _SPACES.sub(" ", value)).strip()
    try:
        root = lxml_html.document_fromstring(f"<html><body>{value}</body></html>")
    except (etree.ParserError, ValueError):
        return value.strip()
    return page_text(root).strip()


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    values = t if isinstance(t, list) else [t]
    return {v.rsplit("/", 1)[-1].lower() for v in values if isinstance(v, str)}


def _walk_ld(blob: object, depth: int = 0) -> Iterator[dict]:
    """Every JSON-LD object (through @graph, lists and nested values), outermost first."""
    if depth > MAX_DEPTH:
        return
    if isinstance(blob, list):
        for v in blob:
            yield from _walk_ld(v, depth + 1)
    elif isinstance(blob, dict):
        yield blob
        for k, v in blob.items():
            if isinstance(v, (dict, list)) and k not in ("publisher", "author", "breadcrumb", "image", "potentialAction"):
                yield from _walk_ld(v, depth + 1)


def _ld_value_text(value: object) -> str:
    """Text of a JSON-LD body value: a string, a list of strings, or HowTo/Recipe steps."""
    if isinstance(value, str):
        return html_to_text(value)
    if isinstance(value, list):
        return "\n".join(t for t in (_ld_value_text(v) for v in value) if t)
    if isinstance(value, dict):
        parts = [_ld_value_text(value.get(k)) for k in ("name", "text", "itemListElement") if value.get(k)]
        return "\n".join(p for p in parts if p)
    return ""


def _question_text(q: dict) -> str:
    """A Question with its accepted and suggested answers (a QAPage's or FAQPage's content)."""
    parts = [_ld_value_text(q.get("name")), _ld_value_text(q.get("text"))]
    for key in ("acceptedAnswer", "suggestedAnswer"):
        answers = q.get(key)
        for a in answers if isinstance(answers, list) else [answers]:
            if isinstance(a, dict):
                parts.append(_ld_value_text(a.get("text")))
    return "\n".join(p for p in parts if p)


def json_ld_texts(tree) -> tuple[str, str]:
    """(longest body, longest description) declared in the page's JSON-LD; "" when none."""
    body, summary = "", ""
    for raw in _LDJSON(tree):
        try:
            blob = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for obj in _walk_ld(blob):
            types = _types(obj)
            if types & _SKIP_TYPES and not types & _BODY_TYPES:
                continue
            if "question" in types:
                text = _question_text(obj)
            elif "faqpage" in types or "qapage" in types:
                entity = obj.get("mainEntity")
                entities = entity if isinstance(entity, list) else [entity]
                text = "\n".join(_question_text(e) for e in entities if isinstance(e, dict))
            else:
                text = next((t for t in (_ld_value_text(obj.get(k)) for k in _BODY_KEYS) if t), "")
            if len(text) > len(body):
                body = text
            desc = obj.get("description")
            if isinstance(desc, str) and types & _BODY_TYPES:
                desc = html_to_text(desc)
                if len(desc) > len(summary):
                    summary = desc
    return body, summary


def _prose(text: str) -> bool:
    return len(_WORD.findall(text)) >= PROSE_WORDS and not _URLISH.match(text)


def _inline_run(value: object) -> str | None:
    """The paragraph a rich-text block spells as a list of inline spans, or None.

    Sanity's Portable Text and Slate (`children: [{text}]`) and Contentful (`content: [{value}]`) split a
    paragraph at every bold or link: joined again, the paragraph counts as prose and stays one line.
    """
    if not isinstance(value, list) or not value:
        return None
    parts: list[str] = []
    for span in value:
        if not isinstance(span, dict) or isinstance(span.get("children"), list) or isinstance(span.get("content"), list):
            return None
        text = span.get("text", span.get("value"))
        if not isinstance(text, str):
            return None
        parts.append(text)
    return "".join(parts)


def _strings(blob: object, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path without list indices, string) of every string in a JSON value, in document order."""
    if depth > MAX_DEPTH:
        return
    if isinstance(blob, dict):
        for k, v in blob.items():
            run = _inline_run(v) if k in ("children", "content") else None
            if run is not None:
                yield f"{path}.{k}[]", run
            else:
                yield from _strings(v, f"{path}.{k}", depth + 1)
    elif isinstance(blob, list):
        for v in blob:
            yield from _strings(v, f"{path}[]", depth + 1)
    elif isinstance(blob, str):
        yield path, blob


def state_text(pairs: Iterable[tuple[str, str]]) -> str:
    """The prose of a framework's state: the group of strings (same path) holding the most of it.

    Within a named group (`post.body[].children[]`) the short lines (headings, list items) are kept
    with the paragraphs; in a flat payload (Nuxt's array, a script's string literals, path "" or "[]")
    everything is one group, so only prose is kept there.
    """
    groups: dict[str, list[tuple[str, bool]]] = {}
    seen: set[str] = set()
    for path, value in pairs:
        if not value.strip() or value in seen or _URLISH.match(value):
            continue
        seen.add(value)
        text = html_to_text(value)
        if text:
            groups.setdefault(path, []).append((text, _prose(text)))
    scored = [(sum(len(t) for t, prose in texts if prose), path) for path, texts in groups.items()]
    if not scored or max(scored)[0] == 0:
        return ""
    _score, path = max(scored)
    flat = path.strip("[]") == ""
    return "\n".join(t for t, prose in groups[path] if prose or (not flat and len(_WORD.findall(t)) >= 2))


def _decode_js_string(literal: str) -> str:
    try:
        return json.loads(f'"{literal}"')
    except ValueError:
        return literal


def framework_texts(tree) -> list[str]:
    """Main text found in Next.js and Nuxt state scripts (one text per script that has some)."""
    out: list[str] = []
    for script in _SCRIPTS(tree):
        code = script.text or ""
        if len(code) < 200:
            continue
        sid = script.get("id") or ""
        if sid in ("__NEXT_DATA__", "__NUXT_DATA__"):
            try:
                blob = json.loads(code)
            except (ValueError, RecursionError):
                continue
            if sid == "__NEXT_DATA__" and isinstance(blob, dict):
                props = blob.get("props")
                blob = props.get("pageProps", props) if isinstance(props, dict) else props
            text = state_text(_strings(blob))
        elif _STATE_ASSIGN.search(code):
            # a JavaScript expression, not JSON: its string literals, as one flat group
            text = state_text(("", _decode_js_string(s)) for s in _JS_STRING.findall(code))
        else:
            continue
        if text:
            out.append(text)
    return out


def noscript_text(tree) -> str:
    """The text of the body's <noscript> blocks, read as markup (lxml keeps it as elements or as text)."""
    parts: list[str] = []
    for ns in _NOSCRIPT(tree):
        inner = (ns.text or "") + "".join(etree.tostring(c, encoding="unicode", with_tail=True) for c in ns)
        if inner.strip():
            parts.append(html_to_text(inner, markup=True))
    return "\n".join(p for p in parts if p)


def embedded_text(tree, html: str | None = None) -> tuple[str, str] | None:
    """(source, text) of the main text embedded in a page's scripts or <noscript>, or None.

    `source` is "json-ld", "state" (Next.js/Nuxt) or "noscript". `html` (the page's source) lets a page
    without any of their markers skip the search. The tree is only read.
    """
    if html is not None and not any(m in html for m in ("ld+json", "__NEXT_DATA__", "__NUXT", "noscript",
                                                          "__INITIAL_STATE__", "__PRELOADED_STATE__",
                                                          "__APOLLO_STATE__")):
        return None
    body, summary = json_ld_texts(tree)
    found = [("json-ld", body, 1.25)]                       # declared bodies win ties
    found += [("state", t, 1.0) for t in framework_texts(tree)]
    found.append(("noscript", noscript_text(tree), 1.0))
    found.append(("json-ld", summary, 0.5))                 # a summary only when nothing else
    source, text, _w = max(found, key=lambda f: len(f[1]) * f[2])
    if len(text) < MIN_CHARS:
        return None
    return source, text
