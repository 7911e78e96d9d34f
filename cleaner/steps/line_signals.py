"""Line signals of the "heuristics" step: what one line's feature row says about it.

The step (cleaner.steps.heuristics) decides which lines go; this module holds the per-line and
per-page evidence it reads: the human-readable reason behind a removal (`explain`), whether a line
recurs across the corpus, reads like a link label or sits in an ordered list, and whether the page is
a whole-page scrape. Kept apart so the rules can be read, tested and tuned without the step's rounds.
"""
from __future__ import annotations

import re

from cleaner.classifier.features import BLOCK_PROSE_WORDS, FEATURE_NAMES, RUN_ON_PROSE_WORDS, LineTable

FEATURE_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}   # feature name -> column of a row
_F = FEATURE_INDEX

# Corpus repetition alone (inside the body) marks a line only when it is short, label-shaped and recurs
# in many documents: re-posted stories share their subheadings in 2-3 documents, templates in dozens.
REPEAT_MIN_DOCS = 5
REPEAT_MIN_SHARE = 0.01
REPEAT_MIN_SITE_DOCS = 3  # or this many documents of the same site (URL host, else folder)
_ENUMERATOR = re.compile(r"^\s*\(?(\d{1,3})[.)]\s+\w")
# Navigation evidence of a short-line run (see HeuristicsStep.menu_evidence): a link-like label has a URL, a menu
# separator or a Markdown link, or no lower-case word longer than LABEL_SHORT_WORD letters ("Home",
# "Terms of Use", "Contact"); "the gulls go quiet" is not one. Caseless scripts count as labels (no
# evidence either way: the model's judgement stands, as before). Sentence-case menus ("Math tutors by
# grade", "Other form controls") are labels too: noun phrases, few function words; verse and short
# sentences are language (in the test poems every stanza of lower-case lines had 30% stop words or
# more). Measured on the menu-run cuts of the 1,163 whole-page scrapes (bench/textpath_data.py, each
# page alone): the rule keeps 3,077 of 137,757 cut lines (2.2%; 93% of them chrome by the silver labels).
LABEL_SHORT_WORD = 3
_LINKISH = re.compile(r"https?://|www\.|[|•·»›→]|\[[^\]]+\]\(")
_LETTER_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Whole-page scrape gate: a text whose lines are mostly short labels, with several of them before the first
# or after the last prose line, is a scrape with its menus left in; an extractor's output is not. Set on
# silver data only (pages vs trafilatura outputs of the 181 extraction pages, halves split by site):
# gates 92% / 93% of the scrapes and 1% / 2% of the extractor outputs in each half.
SCRAPE_SHORT_SHARE = 0.30   # share of non-blank lines with <= SCRAPE_SHORT_WORDS words and no terminal
SCRAPE_SHORT_WORDS = 4
SCRAPE_EDGE_SHORT = 5       # of which at least this many sit in the head or tail blocks
# A reading-time line names the reading ("5 min read", "Lesezeit: 3 Minuten") or is the bare duration;
# "30 minutes before bed" is a recipe's or a plan's instruction.
_READING = re.compile(r"\b(?:read|reading|lesezeit|lesedauer|lettura|leitura|lectura|lecture|leestijd|чтени\w*)\b"
                      r"|^\W*\d+\s*\w+\W*$", re.I)
COUNTER_MAX_WORDS = 3     # a counter is a short number-led label ("12 comments", "0"), not a date range
LIST_MIN_ITEMS = 3        # an ordered list needs this many consecutively numbered items
LIST_MAX_GAP = 3          # lines allowed between two items (a link or caption under each item)


def ordered_list_lines(lines: list[str]) -> set[int]:
    """Indices inside an ordered list ("1) ...", "2) ...", "3. ..." numbered one after another): a
    numbered run is an in-article list (a top-ten, a recipe) far more often than navigation, so its
    items and the lines between them are kept from the classifier in strict and balanced."""
    items = [(i, int(m.group(1))) for i, l in enumerate(lines) if (m := _ENUMERATOR.match(l))]
    protected: set[int] = set()
    if not items:
        return protected
    run = items[:1]
    for (i, n) in items[1:] + [(10 ** 9, -1)]:
        prev_i, prev_n = run[-1]
        if n == prev_n + 1 and i - prev_i <= LIST_MAX_GAP + 1:
            run.append((i, n))
            continue
        if len(run) >= LIST_MIN_ITEMS:
            # the last item keeps as many following lines as the items carry between them (its link)
            per_item = min(b[0] - a[0] for a, b in zip(run, run[1:])) - 1
            tail = run[-1][0] + 1 + per_item
            protected.update(range(run[0][0], tail))
        run = [(i, n)]
    return protected


def label_like(text: str) -> bool:
    """The line reads like a link label (see LABEL_SHORT_WORD), not like words of a sentence."""
    if _LINKISH.search(text):
        return True
    words = _LETTER_WORD.findall(text)
    return bool(words) and not any(w[0].islower() for w in words if len(w) > LABEL_SHORT_WORD)


def recurs(row: list[float]) -> bool:
    """The line occurs in another document of the corpus too (never true without bound counts)."""
    return row[_F["corpus_count"]] >= 2 or row[_F["site_count"]] >= 2


def explain(row: list[float], repost: bool = False, text: str | None = None) -> str:
    """The dominant human-readable signal behind a dropped line (`text` makes the reading-time signal
    exact; without it the shape feature alone decides)."""
    if ((row[_F["corpus_count"]] >= REPEAT_MIN_DOCS and row[_F["corpus_share"]] >= REPEAT_MIN_SHARE)
            or row[_F["site_count"]] >= REPEAT_MIN_SITE_DOCS or (not repost and row[_F["corpus_count"]] >= 2)):
        return "heuristic/repeated-across-corpus"
    if row[_F["has_email"]] or row[_F["has_phone"]]:
        return "heuristic/contact"
    if row[_F["has_url"]]:
        return "heuristic/url"
    if row[_F["has_copyright"]]:
        return "heuristic/copyright"
    if row[_F["has_reading_time"]] and (text is None or _READING.search(text)):
        return "heuristic/reading-time"
    if row[_F["short_run"]] >= 3:
        return "heuristic/menu-run"
    if row[_F["n_words"]] <= 6 and row[_F["has_date"]]:
        return "heuristic/date-line"
    if row[_F["digit_tok_ratio"]] >= 0.5 and row[_F["n_words"]] <= COUNTER_MAX_WORDS:
        return "heuristic/counter"
    if row[_F["dup_in_doc"]] >= 2:
        return "heuristic/repeated-in-document"
    if row[_F["before_first_prose"]]:
        return "heuristic/short-head"
    if row[_F["after_last_prose"]]:
        return "heuristic/short-tail"
    if row[_F["lex_tie"]] == 0:
        return "heuristic/no-tie-to-body"
    return "heuristic/model"


def page_scrape(rows: list[list[float]]) -> bool:
    """The document looks like a whole-page scrape (see SCRAPE_SHORT_SHARE)."""
    if not rows:
        return False
    short = [r for r in rows if r[_F["n_words"]] <= SCRAPE_SHORT_WORDS and not r[_F["end_punct"]]]
    edge = sum(1 for r in short if r[_F["before_first_prose"]] or r[_F["after_last_prose"]])
    return len(short) / len(rows) >= SCRAPE_SHORT_SHARE and edge >= SCRAPE_EDGE_SHORT


def prose_like(table: LineTable, k: int) -> bool:
    """A line that reads like a paragraph: a sentence of BLOCK_PROSE_WORDS+ words, or RUN_ON_PROSE_WORDS+ words."""
    return (table.term[k] and table.n_words[k] >= BLOCK_PROSE_WORDS) or table.n_words[k] >= RUN_ON_PROSE_WORDS
