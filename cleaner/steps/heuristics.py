"""Step "heuristics": drop the chrome lines no rule names, with a small line classifier.

Runs after the phrase rules ("chrome") and the structural step, on the lines they left. Each line
gets explainable features (shape, position and runs, the article's main block, lexical tie to the
body, stop-word density, repetition across the corpus when `bind` gave counts) and a probability
from the shipped gradient-boosted trees (two stages: the second also sees the first stage's scores
of the neighbouring lines). Lines at or above the mode's threshold go, each with the reason
`heuristic/<signal>` naming the strongest signal behind it. Precision first: the thresholds were
chosen on one half of 1,163 whole-page scrapes' sites (7 page types) to keep recall, and pages that
are not recognisably one article get the higher one (bench/textpath_eval.py). The run cuts
(after-article, before-headline) fire only on an article page and only on a run with no prose-like
and no body-tied line that the model scores as chrome. Lines that recur across documents only as
often as the story itself (re-posts) are never template.

One document, one decision: a document is first judged on its own, exactly as `explain`, `check`,
`fix` and `clean_document` judge it (a corpus of one document has no cross-document evidence). In a
corpus, that judgement stands, and the corpus can only add the removal of lines that recur in other
documents, with the reason `heuristic/repeated-across-corpus`: a line that occurs nowhere else is
never cut because other documents were in the run. A run of short lines is cut as a menu only with
evidence that it is navigation: link-like labels (capitalised labels, separators, URLs) or lines
recurring across documents; a stanza or a run of short sentences is not. Markdown structure
(`doc.protected`) is never cut.

This module holds the step: its thresholds, rounds and run cuts. What one line's features say (the
reason names, label and list shapes, the scrape gate) is in cleaner.steps.line_signals.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from cleaner.classifier.features import LineTable, article_span, document_stoplist
from cleaner.classifier.model import ChromeModel, default_model
from cleaner.config import Options
from cleaner.document import Document
from cleaner.linefreq import LineCounts, site_of
from cleaner.registry import register_step
from cleaner.steps import drop_lines, original_line_numbers
from cleaner.steps.base import Step
from cleaner.steps.line_signals import (FEATURE_INDEX, explain, label_like, ordered_list_lines, page_scrape,
                                        prose_like, recurs)

MODES = ("strict", "balanced", "aggressive")
_F = FEATURE_INDEX
MAX_ROUNDS = 3            # removing a tail line can expose its neighbour as tail: judge again, this often at most
# A document whose prose lines mostly recur elsewhere is a re-post of a story: there, lines shared by
# 2+ documents are content. Elsewhere a line in 2+ documents (a footer sentence, a teaser) may go when
# the model agrees.
REPOST_SHARED_PROSE = 0.3
# A re-posted story's headline (this many words or more) recurs in as many documents as the story has
# copies; a line recurring in no more documents than that is the story's own (a subheading shared by
# the copies), never template. More copies than STORY_MAX_COPIES is a template headline ("Contact us").
STORY_TITLE_WORDS = 4
STORY_TIE = 0.5            # ... or a line of the main block whose content words half recur in the prose
STORY_MAX_COPIES = 10
# A page is recognisably one article when its main block holds this many prose lines and this share of
# the page's words: it gets the model's article threshold, and only there may the run cuts
# (after-article, before-headline) fire. Hand-set: 0.3 and 0.5 scored within 0.005 F1 of each other on
# the fit half of the sites (bench/textpath_eval.py).
ARTICLE_MIN_PROSE = 3
ARTICLE_BLOCK_SHARE = 0.3
RUN_MIN_P = 0.5           # ... and the run is proven chrome (see HeuristicsStep._chrome_run)
CORPUS_REASON = "heuristic/repeated-across-corpus"
# Navigation evidence of a short-line run (see menu_evidence and line_signals.label_like).
MENU_LABEL_SHARE = 0.5
MENU_MAX_STOP_SHARE = 0.3
# A line of TIED_MIN_WORDS+ words whose content words mostly recur in the body's prose is a caption or
# subheading of this article, not a menu item or another article's teaser (hand-set: on the dev set's
# heuristic removals, every content line above 0.75 had 4+ words, every chrome line above it 1-2 words).
TIED_MIN_SHARE = 0.75
TIED_MIN_WORDS = 4
# Main block (Body Text Extraction, Finn et al. 2001, on lines): the contiguous span of lines with the
# largest sum of +words for each prose line and -penalty for each other non-blank line (article_span).
# The end of the article on a scrape: the main block's last line (same sum, its own penalty, chosen on one half
# of the extraction pages' sites among 4/6/10/15/20 and reported on the other). After it come the comment
# thread, the teaser lists with their summaries and the footer: prose-shaped, so no line signal names
# them, but they sit after the article's last body paragraph and past a run of chrome the block would not cross.
TAIL_BLOCK_PENALTY = 15.0
# The start of the article on a scrape: its first line is the page title ("Headline - Site"); the headline
# printed again further down opens the article. The lines between are menus and teasers, unless they carry
# more prose than the rest or a long line shares HEADLINE_TIE_WORDS content words with the headline.
HEADLINE_TIE_WORDS = 2
_TITLE_SPLIT = re.compile(r"\s+[-|–—:·•»]\s+|\s*\|\s*")
# On an extractor's output the head and tail are already mostly article: there a line goes only for a
# specific signal; the position-only ones (a short tail line, no tie to the body, repeated inside the
# document) cost content (list items, captions, meal plans) as often as they find chrome.
# A menu run is a scrape's signal too: extractors drop menus, and a run of short lines left in their
# output is an in-article list (captions, credits of a gallery) as often as not.
WEAK_SIGNALS = frozenset({"heuristic/short-tail", "heuristic/short-head", "heuristic/model",
                          "heuristic/no-tie-to-body", "heuristic/repeated-in-document", "heuristic/menu-run"})


@register_step("heuristics")
class HeuristicsStep(Step):
    """Remove chrome lines by classifier. `mode`: strict (fewest removals) | balanced | aggressive."""

    name = "heuristics"
    # Text extracted from HTML has had its page chrome removed by the extractor already; there the
    # classifier only costs recall. The pipeline skips steps whose applies_to excludes doc.origin.
    applies_to = ("text",)
    needs_counts = True     # cross-document line counts (phase B)

    @classmethod
    def settings(cls, options, shared):
        """The classifier mode of `--chrome`."""
        return {"mode": options.chrome}

    def __init__(self, mode: str = Options.chrome, model: str | Path | ChromeModel | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if model is None:
            self.model = default_model()
        elif isinstance(model, ChromeModel):
            self.model = model
        else:
            self.model = ChromeModel.from_path(model)
        self.mode = mode
        # one threshold for pages that are recognisably one article (article_like), one for the others
        self.threshold = self.model.thresholds[mode]
        self.article_threshold = self.model.thresholds.get(f"{mode}-article", self.threshold)
        self.counts: LineCounts | None = None

    def bind(self, counts: LineCounts) -> None:
        """Give the step the corpus-wide line counts of the first pass (optional)."""
        self.counts = counts

    def warm_up(self) -> None:
        """Read jusText's ~100 stop lists now (~0.3 s per process on first use), before workers fork."""
        document_stoplist(Counter())

    def corpus(self) -> LineCounts | None:
        """The bound counts when they can show a line recurring: a corpus of one document has no
        cross-document evidence, so `clean FILE` judges the file as `explain FILE` does."""
        return self.counts if self.counts is not None and self.counts.documents >= 2 else None

    @staticmethod
    def is_repost(rows: list[list[float]]) -> bool:
        """Most of the document's prose lines occur in other documents too (see REPOST_SHARED_PROSE)."""
        prose = [r for r in rows if r[_F["end_punct"]] and r[_F["n_words"]] >= 10 and r[_F["corpus_count"]] >= 0]
        return bool(prose) and sum(r[_F["corpus_count"]] >= 2 for r in prose) / len(prose) >= REPOST_SHARED_PROSE

    @staticmethod
    def story_copies(table: LineTable, rows: list[list[float]], title: str | None) -> int:
        """How many documents of the corpus hold this story (1 when it has no re-post), from lines
        that belong to one story, not to a template: its headline (STORY_TITLE_WORDS+ words), a line
        of the article's main block tied to its prose (a subheading, a lead-in), or its prose lines
        when most of them recur. More than STORY_MAX_COPIES documents is a template, not a story."""
        cc = _F["corpus_count"]
        counts = []
        if title:
            t = title.strip()
            k = next((k for k, x in enumerate(table.texts) if x == t), None)
            if k is not None and k < len(rows) and len(t.split()) >= STORY_TITLE_WORDS:
                counts.append(int(rows[k][cc]))
        for r in rows:
            if (r[cc] >= 2 and r[_F["n_words"]] >= STORY_TITLE_WORDS and r[_F["lex_tie"]] >= STORY_TIE
                    and not r[_F["block_before"]] and not r[_F["block_after"]]):
                counts.append(int(r[cc]))
        prose = sorted(int(r[cc]) for r in rows if r[_F["end_punct"]] and r[_F["n_words"]] >= 10 and r[cc] >= 0)
        if prose and sum(c >= 2 for c in prose) / len(prose) >= REPOST_SHARED_PROSE:
            counts.append(max(prose[len(prose) // 2], 2))
        counts = [c for c in counts if c <= STORY_MAX_COPIES]
        return max(counts, default=1)

    @staticmethod
    def unshare(rows: list[list[float]], copies: int, docs: int, site_docs: int) -> None:
        """Lines that recur in no more documents than the story has copies are the story's own
        (subheadings, captions of a re-posted article): their counts become those of a line seen
        once, so that neither the model nor the explanation takes them for template."""
        if copies < 2:
            return
        cc, cs, sc, ss = _F["corpus_count"], _F["corpus_share"], _F["site_count"], _F["site_share"]
        for r in rows:
            if 2 <= r[cc] <= copies and r[sc] <= copies:
                r[cc], r[cs] = 1.0, 1.0 / max(1, docs)
                if r[sc] > 0:
                    r[sc], r[ss] = 1.0, 1.0 / max(1, site_docs)

    def protected(self, row: list[float]) -> bool:
        """Strict and balanced keep lines tied to the body (see TIED_MIN_SHARE)."""
        return (self.mode != "aggressive" and row[_F["lex_tie"]] >= TIED_MIN_SHARE
                and row[_F["n_words"]] >= TIED_MIN_WORDS)

    def protected_lines(self, doc: Document) -> set[int]:
        """Line indices the classifier leaves alone: the document's protected lines (Markdown
        structure) in every mode; in strict and balanced also ordered lists and the headline the
        structure step found (its first copy)."""
        protected = doc.protected or frozenset()
        markdown = {i for i, no in enumerate(original_line_numbers(doc)) if no in protected} if protected else set()
        if self.mode == "aggressive":
            return markdown
        keep = ordered_list_lines(doc.lines) | markdown
        if doc.title:
            title = doc.title.strip()
            first = next((k for k, l in enumerate(doc.lines) if l.strip() == title), None)
            if first is not None:
                keep.add(first)
        return keep

    def round_removals(self, table: LineTable, active: list[int], idx: list[int], rows: list[list[float]], keep: set[int],
                       scrape: bool, repost: bool, threshold: float, probs: list[float]) -> dict[int, str]:
        """Line index -> reason for one round over the lines still in the document, given every
        line's probability (the second stage needs its neighbours' first-stage scores); protected
        lines are not cut."""
        reasons = {}
        navigation: set[int] | None = None
        for k, i, r, p in zip(active, idx, rows, probs):
            if p < threshold or i in keep or self.protected(r):
                continue
            why = explain(r, repost, table.texts[k])
            if why == "heuristic/menu-run":
                if navigation is None:
                    navigation = self.menu_evidence(table, active, rows)
                if k not in navigation:
                    continue
            reasons[i] = why
        if self.mode != "aggressive" and not scrape:
            reasons = {i: why for i, why in reasons.items() if why not in WEAK_SIGNALS}
        return reasons

    @staticmethod
    def menu_evidence(table: LineTable, active: list[int], rows: list[list[float]]) -> set[int]:
        """Positions of the short lines whose run shows it is navigation: a line of the run recurs
        across documents, MENU_LABEL_SHARE of its lines are link-like labels, or fewer than
        MENU_MAX_STOP_SHARE of its words are function words. A stanza or a run of short sentences
        shows none of these (see label_like)."""
        out: set[int] = set()
        j, n = 0, len(active)
        while j < n:
            if not table.short[active[j]]:
                j += 1
                continue
            e = j
            while e < n and table.short[active[e]]:
                e += 1
            run = active[j:e]
            labels = sum(label_like(table.texts[k]) for k in run)
            stops, words = sum(table.n_stop[k] for k in run), sum(table.n_tok[k] for k in run)
            if (any(recurs(rows[m]) for m in range(j, e)) or labels >= MENU_LABEL_SHARE * len(run)
                    or stops < MENU_MAX_STOP_SHARE * words):
                out.update(run)
            j = e
        return out

    def removals(self, doc: Document) -> dict[int, str]:
        """Line index -> reason: the document judged on its own, plus, in a corpus, the lines that
        recur in other documents and that the judgement with the corpus counts removes (reason
        CORPUS_REASON). A line found nowhere else keeps the single-document decision."""
        if not doc.text:
            return {}
        keep = self.protected_lines(doc)
        table = LineTable(doc.lines)
        alone = self.judge(doc, table, keep)
        counts = self.corpus()
        if counts is None:
            return alone
        site = site_of(doc.url, doc.source)
        extra = self.judge(doc, table.with_counts(counts, site), keep, counts, site, alone)
        return {**alone, **extra} if extra else alone

    def judge(self, doc: Document, table: LineTable, keep: set[int], counts: LineCounts | None = None,
              site: str | None = None, alone: dict[int, str] | None = None) -> dict[int, str]:
        """Line index -> reason over all rounds, with the table's counts (`counts`, `site`: those it
        was given). A removal changes its neighbours' context: the document is judged again,
        MAX_ROUNDS at most, until a round removes nothing. With `alone` (the judgement without the
        corpus), only what the corpus adds: lines that recur in other documents, with CORPUS_REASON."""
        active = list(range(len(table)))
        reasons: dict[int, str] = {}
        idx, rows = table.rows(active)
        if not rows:
            return reasons
        copies = self.story_copies(table, rows, doc.title) if counts is not None else 1
        docs = counts.documents if counts is not None else 1
        site_docs = counts.site_documents.get(site, 0) if counts is not None and site else 0
        scrape, repost = page_scrape(rows), self.is_repost(rows)
        self.unshare(rows, copies, docs, site_docs)
        if alone is not None:
            open_lines = {i for i, r in zip(idx, rows) if recurs(r) and i not in alone and i not in keep}
            if not open_lines:
                return reasons      # nothing the corpus could add
        article = self.article_like(table, active)
        threshold = self.article_threshold if article else self.threshold
        prob: dict[int, float] | None = None     # the probabilities of the lines still active, when current
        for rnd in range(MAX_ROUNDS):
            if rnd:
                idx, rows = table.rows(active)
                self.unshare(rows, copies, docs, site_docs)
            probs = self.model.document(rows)
            found = self.round_removals(table, active, idx, rows, keep, scrape, repost or copies > 1, threshold, probs)
            if not found:
                prob = dict(zip(active, probs))
                break
            reasons.update(found)
            active = [k for k in active if table.idx[k] not in found]
            if not active:
                break
        if scrape and self.mode != "strict" and article and len(active) >= 4 and self.article_like(table, active):
            runs = [(why, ks) for why, ks in (("heuristic/before-headline", self.before_headline(table, active)),
                                              ("heuristic/after-article", self.after_article(table, active, keep))) if ks]
            if runs and prob is None:
                idx, rows = table.rows(active)
                self.unshare(rows, copies, docs, site_docs)
                prob = dict(zip(active, self.model.document(rows)))
            for why, ks in runs:
                if self.proven_by_model(table, ks, prob):
                    for k in ks:
                        reasons.setdefault(table.idx[k], why)
        if alone is not None:
            return {i: CORPUS_REASON for i in reasons if i in open_lines}
        return reasons

    @staticmethod
    def article_like(table: LineTable, active: list[int]) -> bool:
        """The page is recognisably one article: its main block holds ARTICLE_MIN_PROSE+ prose lines
        and ARTICLE_BLOCK_SHARE of the page's words. A listing, a thread or a product grid spreads
        its words over many blocks; there the run cuts never fire."""
        n_words = [table.n_words[k] for k in active]
        prose = [prose_like(table, k) for k in active]
        first, last = article_span(n_words, prose, TAIL_BLOCK_PENALTY)
        if last < first:
            return False
        inside = sum(prose[first:last + 1])
        return inside >= ARTICLE_MIN_PROSE and sum(n_words[first:last + 1]) >= ARTICLE_BLOCK_SHARE * (sum(n_words) or 1)

    @staticmethod
    def _chrome_run(table: LineTable, ks: list[int], body: frozenset[str]) -> bool:
        """A run that may be chrome: no prose-like line and no line tied to the body inside it (a run
        holding prose, teasers, a comment thread, a second article, is left to the line-by-line
        judgement: cutting it whole deleted real content on pages nobody tuned on)."""
        for k in ks:
            c = table.content[k]
            if prose_like(table, k) or (table.n_words[k] >= TIED_MIN_WORDS and c and len(c & body) / len(c) >= TIED_MIN_SHARE):
                return False
        return bool(ks)

    @staticmethod
    def proven_by_model(table: LineTable, ks: list[int], prob: dict[int, float]) -> bool:
        """... and proven chrome: the model's probability of its lines, weighted by words, >= RUN_MIN_P."""
        words = sum(table.n_words[k] for k in ks)
        return words > 0 and sum(table.n_words[k] * prob.get(k, 0.0) for k in ks) >= RUN_MIN_P * words

    @staticmethod
    def _body_words(table: LineTable, active: list[int]) -> frozenset[str]:
        out: set[str] = set()
        for k in active:
            if prose_like(table, k):
                out |= table.content[k]
        return frozenset(out)

    @classmethod
    def before_headline(cls, table: LineTable, active: list[int]) -> list[int]:
        """On an article scrape, the lines between the page title (the first line) and the headline's
        repeat, when they may be a chrome run (see _chrome_run): their positions in the table."""
        if len(active) < 4:
            return []
        norm = lambda t: " ".join(re.findall(r"\w+", t.casefold()))
        title = table.texts[active[0]]
        cands = {norm(title)} | {norm(p) for p in _TITLE_SPLIT.split(title) if len(p.split()) >= 3}
        at = None
        for j in range(1, len(active)):
            n = norm(table.texts[active[j]])
            if len(n.split()) >= 3 and any(n == c or (c.startswith(n) and len(n) >= 0.6 * len(c)) for c in cands):
                at = j
                break
        if at is None or at < 2:
            return []
        cut = active[1:at]
        if not cls._chrome_run(table, cut, cls._body_words(table, active[at:])):
            return []
        return cut

    @classmethod
    def after_article(cls, table: LineTable, active: list[int], keep: set[int]) -> list[int]:
        """On an article scrape, the lines after the article's main block (see TAIL_BLOCK_PENALTY), when
        they are a chrome run (see _chrome_run); a protected line after it (an ordered list and its
        lead-in) belongs to the article, which then ends after it. Positions in the table."""
        n_words = [table.n_words[k] for k in active]
        prose = [prose_like(table, k) for k in active]
        first, last = article_span(n_words, prose, TAIL_BLOCK_PENALTY)
        if last < first:
            return []
        last = max([last] + [j for j in range(last + 1, len(active)) if table.idx[active[j]] in keep])
        cut = active[last + 1:]
        if not cut or not cls._chrome_run(table, cut, cls._body_words(table, active[first:last + 1])):
            return []
        return cut

    def __call__(self, doc: Document) -> Document | None:
        return drop_lines(doc, self.removals(doc))
