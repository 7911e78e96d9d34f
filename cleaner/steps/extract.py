"""Step "extract": HTML page -> main text, choosing per page between trafilatura and page-type-aware candidates.

Why this shape:
- The page is parsed once (trafilatura's own loader, so its encoding and repair logic apply), the
  CSS selectors of the rules (follow-us boxes, share bars, related posts, comment forms) are cut
  from that tree (`cleaner.extraction.widgets`), and the tree goes to trafilatura's fast path (no
  fallback extractors).
- trafilatura is built for articles. Beside its text two cheap candidates are made from the same tree
  (`cleaner.extraction.candidates`): the page's visible text without chrome containers (listings,
  services, collections: content spread over cards and sections) and the posts of a forum thread.
  A fitted chooser (`cleaner.extraction.chooser`) reads general signals of the page and the
  candidates, records the page type (`meta.page_type`, counted as `page-type/...` in the stats) and
  keeps one text: trafilatura's, an alternative, or trafilatura's full run with its fallback
  extractors ("full", run only when chosen). The choice is counted as `extract/<candidate>`.
- When the chosen text is empty the step falls back (full run, then page text): `extract/fallback`.
- When it is still (almost) empty, the page may be a script-rendered shell: the text it embeds as
  data (JSON-LD body, Next.js/Nuxt state, `<noscript>`; `cleaner.extraction.embedded`) is taken
  instead: `extract/embedded`.
- Extractors sometimes repeat a paragraph (trafilatura #81, #768) and render tables with markdown
  separators (`|---|---|`): both are structural noise removed here, before the line rules run.
- The HTML is dropped after extraction (`doc.html = None`): pages are large, text is small.
- Hostile pages: markup that would stall the parser is refused before parsing (`extraction.guard`),
  and each page runs in a helper process killed after `timeout` s (`engines.watchdog`): `--timeout`
  stops lxml's C code too. Either way the page fails alone, with one line.
"""
from __future__ import annotations

import logging
import re
from typing import Sequence

from cleaner.document import Document
from cleaner.engines.watchdog import CallTimeout, HelperDied, Watchdog
from cleaner.errors import DocumentFailure
from cleaner.extraction.guard import markup_problem
from cleaner.extraction.widgets import SelectorMatcher, remove_widgets
from cleaner.registry import register_step
from cleaner.steps.base import Step

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

# Without a fitted chooser, a text shorter than this is replaced by trafilatura's full run.
MIN_CHARS = 250

# A chosen text shorter than this (characters) is checked against the text a script-rendered page
# embeds as data (JSON-LD, Next.js/Nuxt state, <noscript>): see cleaner.extraction.embedded.
EMBEDDED_BELOW = 100

# Repeated passages: see tidy_text.
LONG_PARAGRAPH = 300
REPEATED_RUN = 3
RUN_MEAN_CHARS = 80

# A table rendering separator line: only pipes, dashes, colons, plus signs and spaces.
_TABLE_RULE = re.compile(r"^\s*\|?[\s:|+-]*-{3,}[\s:|+-]*\|?\s*$")
_SPACES = re.compile(r"[ \t\u00a0]+")


def page_metadata(tree, url: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(title, url, date, sitename) of a parsed page, with trafilatura's metadata helpers.

    Only the fields the record needs: trafilatura's full `extract_metadata` also looks for authors,
    categories, tags and licences, which cost as much as a third of the extraction itself. The date
    search is htmldate's quick one (markup and meta tags, no scan of the whole text).
    """
    from trafilatura.metadata import (examine_meta, extract_meta_json, extract_sitename,
                                      extract_title, extract_url)
    from trafilatura.metadata import find_date

    meta = examine_meta(tree)
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001  (trafilatura's JSON-LD parser on hostile markup)
        pass
    title = meta.title or extract_title(tree)
    page_url = meta.url or extract_url(tree, url)
    try:
        date = find_date(tree, url=page_url, original_date=True, extensive_search=False)
    except Exception:  # noqa: BLE001
        date = None
    sitename = meta.sitename or extract_sitename(tree)
    return title, page_url, date, sitename


def _rule_selectors(rules: object) -> list[str]:
    """CSS selectors of a RuleSet (`selectors -> [(rule_name, css)]`), or none."""
    if rules is None:
        return []
    pairs = getattr(rules, "selectors", None) or []
    return [css for _name, css in pairs]


def _default_rules() -> object | None:
    try:
        from cleaner.ruleset import load_rules  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        return load_rules()
    except Exception:  # noqa: BLE001  (rules broken or absent: extraction still works)
        return None


_NON_WORD = re.compile(r"[\W_]+")


def _norm(s: str) -> str:
    return _NON_WORD.sub(" ", s).strip().casefold()


def drop_leading_title(text: str, title: str | None) -> str:
    """Drop the headline when the extractor put it in the text: the record carries it as `title`.

    Only within the first lines, and only when the line is the title (or the title without a
    " | Site name" tail): a body paragraph that merely mentions the title stays.
    """
    if not title or not text:
        return text
    t = _norm(title)
    if not t:
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines[:3]):
        n = _norm(line)
        if n and (n == t or (t.startswith(n) and len(n) >= 0.6 * len(t) and len(n) >= 15)):
            return "\n".join(lines[:i] + lines[i + 1:])
    return text


def tidy_text(text: str) -> str:
    """Structural cleanup of extractor output: table separators, blank lines, repeated passages.

    Extractors repeat text (a teaser block rendered twice, a section duplicated by a responsive
    layout). A repeated line is dropped when it is long (a whole paragraph, >= LONG_PARAGRAPH
    characters) or when it is part of a run of at least REPEATED_RUN consecutive repeated lines
    of prose (a duplicated block, lines of RUN_MEAN_CHARS on average). Short lines that recur on their own (table cells, "Ingredients", the
    same serving line in every day of a meal plan) are legitimate and kept.
    """
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line.strip() and not _TABLE_RULE.match(line):
            lines.append(line)
    keys = [_SPACES.sub(" ", line).strip() for line in lines]
    seen: set[str] = set()
    repeated = [False] * len(lines)
    for i, key in enumerate(keys):
        repeated[i] = key in seen
        seen.add(key)
    drop = [False] * len(lines)
    i = 0
    while i < len(lines):
        if not repeated[i]:
            i += 1
            continue
        j = i
        while j < len(lines) and repeated[j]:
            j += 1
        # a duplicated block of prose (not a repeated pattern of short list items)
        run = j - i >= REPEATED_RUN and sum(len(keys[k]) for k in range(i, j)) >= RUN_MEAN_CHARS * (j - i)
        for k in range(i, j):
            drop[k] = run or len(keys[k]) >= LONG_PARAGRAPH
        i = j
    return "\n".join(line for line, d in zip(lines, drop) if not d)


class Extract(Step):
    """Turn `doc.html` into `doc.text` (+ title, url, date, sitename); text documents pass through."""

    name = "extract"

    @classmethod
    def settings(cls, options, shared):
        """The run's rule set (its CSS selectors) and the per-document time limit."""
        return {"rules": shared.ruleset(), "timeout": options.doc_timeout}

    def __init__(self, selectors: Sequence[str] | None = None, rules: object | None = None,
                 fallback: bool = True, timeout: float | None = None, choose: bool = True,
                 fast: bool = True, chooser: str | None = None):
        self.timeout = timeout
        if selectors is None:
            selectors = _rule_selectors(rules if rules is not None else _default_rules())
        self.selectors = list(selectors)
        matcher = SelectorMatcher(self.selectors)
        self._prune = matcher if matcher else None
        self.fallback = fallback
        self.fast = fast
        # `chooser`: a model file of your own (bench/extraction_fit.py --out), e.g. fitted on your pages;
        # read now so that a bad file is an error before the run. The shipped model is loaded on the
        # first page instead: a run of scraped text never pays for it.
        self._choose = choose
        self._chooser = None
        if choose and chooser:
            from cleaner.extraction.chooser import Chooser

            self._chooser = Chooser.from_path(chooser)
        # --timeout: each page runs in a helper process that is killed when it overruns (SIGALRM
        # cannot stop lxml's parser, which is C code); see cleaner.engines.watchdog
        self._watchdog = Watchdog(self._in_helper, prepare=self._load)

    def _load(self) -> None:
        """Import the extractors and load the chooser in the calling process, on its first page, so
        that every helper forked from it (a fresh one after each kill too) starts with them loaded.
        Not at start-up: a run of text documents never pays for them."""
        import trafilatura  # noqa: F401
        import trafilatura.metadata  # noqa: F401

        _ = self.chooser

    @property
    def chooser(self):
        """The chooser in use (None when `choose` is off or no model is fitted)."""
        if self._choose and self._chooser is None:
            from cleaner.extraction.chooser import default_chooser

            self._chooser = default_chooser()
        return self._chooser

    def _tree(self, html: str):
        from trafilatura.utils import load_html

        tree = load_html(html)
        if tree is None:
            return None
        if self._prune is not None:
            remove_widgets(tree, self._prune)
        return tree

    def __call__(self, doc: Document) -> Document | None:
        if not doc.html:
            return doc
        problem = markup_problem(doc.html)
        if problem is not None:
            raise DocumentFailure(f"skipped: pathological markup ({problem})", "pathological")
        try:
            return self._watchdog.call(doc, self.timeout)
        except CallTimeout:
            raise DocumentFailure(f"skipped: extraction took longer than {self.timeout:g} s (--timeout), "
                                  f"stopped", "timeout") from None
        except HelperDied as e:
            raise DocumentFailure(f"skipped: {e}", "step-error") from None

    def _in_helper(self, doc: Document) -> Document | None:
        return self._extract(doc)

    def candidates(self, html: str, url: str | None = None) -> tuple[dict[str, str], list[float] | None, dict]:
        """Every candidate text of a page (the full run too), its signal row and metadata: for the bench."""
        tree = self._tree(html)
        if tree is None:
            return {}, None, {}
        raw, row = self._cheap_candidates(tree, url, html)
        raw["full"] = self._trafilatura(tree, url, fast=False)
        meta = self._metadata(tree, url)
        return self._tidy(raw, meta["title"]), row, meta

    @staticmethod
    def _trafilatura(tree, url: str | None, fast: bool) -> str:
        import trafilatura

        result = trafilatura.bare_extraction(tree, url=url, include_comments=False, include_tables=True, fast=fast)
        return (getattr(result, "text", None) or "") if result is not None else ""

    def _cheap_candidates(self, tree, url: str | None, html: str | None) -> tuple[dict[str, str], list[float]]:
        """trafilatura's fast path, the page's text and its forum posts, with the chooser's signal row."""
        from cleaner.extraction.candidates import forum_posts, page_text
        from cleaner.extraction.signals import declared_url, page_row

        raw = {"trafilatura": self._trafilatura(tree, url, fast=self.fast), "page": page_text(tree)}
        platform, raw["forum"] = forum_posts(tree, html)
        # a saved page read from disk has no URL: its canonical link says the same words
        return raw, page_row(tree, url or declared_url(tree), raw, platform)

    @staticmethod
    def _metadata(tree, url: str | None) -> dict[str, str | None]:
        # htmldate cleans the tree it is given in place: call this after every extraction
        title, page_url, date, _sitename = page_metadata(tree, url)
        return {"title": _clean_meta(title), "url": _clean_meta(page_url), "date": _clean_meta(date)}

    @staticmethod
    def _tidy(raw: dict[str, str], title: str | None) -> dict[str, str]:
        return {k: drop_leading_title(tidy_text(v), title) for k, v in raw.items()}

    def _extract(self, doc: Document) -> Document | None:
        tree = self._tree(doc.html)
        if tree is None:
            doc.events.append("extract/unparseable")
            doc.text, doc.html = "", None
            return doc
        raw, row = self._cheap_candidates(tree, doc.url, doc.html)
        pick = "trafilatura"
        chooser = self.chooser
        if chooser is not None:
            available = {k: bool(v.strip()) for k, v in raw.items()}
            available["full"] = self.fast
            pick, page_type, _p = chooser.decide(row, available=available)
            doc.meta.setdefault("page_type", page_type)
            doc.events.append(f"page-type/{page_type}")
        elif self.fallback and len(raw["trafilatura"]) < MIN_CHARS:
            pick = "full" if self.fast else "trafilatura"          # no chooser fitted: the old fallback
        if pick == "full":
            raw["full"] = self._trafilatura(tree, doc.url, fast=False)
        if self.fallback and not raw[pick].strip():
            # nothing found: trafilatura's full run (fallback extractors), then the page's own text
            if "full" not in raw and self.fast:
                raw["full"] = self._trafilatura(tree, doc.url, fast=False)
            pick = next((k for k in ("full", "page", "forum") if raw.get(k, "").strip()), pick)
            doc.events.append("extract/fallback")
        if self.fallback and len(raw[pick].strip()) < EMBEDDED_BELOW:
            # (almost) nothing visible: a script-rendered shell may carry its text as data
            from cleaner.extraction.embedded import embedded_text

            found = embedded_text(tree, doc.html)
            if found is not None and len(found[1]) > len(raw[pick].strip()):
                doc.events.append(f"embedded/{found[0]}")        # json-ld, state or noscript
                raw[pick := "embedded"] = found[1]
        if pick != "trafilatura":
            doc.events.append(f"extract/{pick}")
        meta = self._metadata(tree, doc.url)
        doc.title = doc.title or meta["title"]
        doc.url = doc.url or meta["url"]
        doc.date = doc.date or meta["date"]
        doc.text = drop_leading_title(tidy_text(raw[pick]), doc.title)
        doc.html = None
        doc.origin = "html"
        doc.line_numbers = None
        return doc


def _clean_meta(value: object) -> str | None:
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


register_step("extract")(Extract)
