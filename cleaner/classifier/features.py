"""Per-line features of a plain-text document for the chrome classifier.

Each feature is one explainable signal: the line's shape (length, punctuation, case, digits,
URLs, e-mails, phones, dates, reading times, separators), its position and the run of short
lines around it (menus come in blocks at the head and the tail), its lexical tie to the body
(a subheading shares words with the prose, a menu item does not), its stop-word density in the
document's language (jusText's stop lists), and, when the pipeline bound corpus counts, how many
documents (of the corpus and of the same site) hold the same short line.

Pure Python and one pass per document: the step must stay cheap next to ftfy and langdetect.
"""
from __future__ import annotations

import copy
import re
from collections import Counter
from functools import lru_cache

from cleaner.linefreq import MAX_COUNTED_CHARS, LineCounts, line_keys

FEATURE_NAMES = [
    "n_chars", "n_words", "end_punct", "ends_colon", "title_ratio", "all_caps", "digit_tok_ratio",
    "word_char_share", "has_url", "has_email", "has_phone", "has_date", "has_reading_time",
    "n_separators", "has_copyright", "starts_symbol", "stop_density", "stop_vs_doc", "lex_tie",
    "dup_in_doc", "rel_pos", "from_start", "from_end", "before_first_prose", "after_last_prose",
    "dist_prose", "short_run", "short_window", "prev_words", "next_words", "prev_end_punct",
    "next_end_punct", "doc_lines", "doc_prose_share", "words_vs_prose", "corpus_count",
    "corpus_share", "site_count", "site_share", "block_before", "block_after", "block_dist", "block_share",
]
# Stage two sees each line's stage-one chrome probability and those of its neighbourhood (chrome
# comes in blocks: a line amid confident chrome is chrome more often than its own shape says).
CONTEXT_NAMES = ["p", "p_prev", "p_next", "p_win2", "p_win5", "p_win15", "p_doc", "hi_doc", "hi_before", "hi_after"]
ABSENT = -1.0   # value of the corpus-count features when no LineCounts was bound

_TOKEN = re.compile(r"\w+")
_TERMINAL = frozenset(".!?…。！？;")
_CLOSERS = "\"'”’»)]】」』 "
# One pass of one regex finds every shape marker of a line (cheaper than seven searches).
_SHAPES = re.compile(
    r"(?P<url>https?://|www\.|\.(?:com|org|net|html?|php)\b)"
    r"|(?P<email>[\w.+-]+@[\w-]+\.\w)"
    r"|(?P<reading>\b\d+\s*(?:min|minutes?|mins|minuten|minuti|minutos|мин)\b)"
    r"|(?P<date>\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b)"
    r"|(?P<phone>\+?\d[\d ()./-]{7,}\d)"
    r"|(?P<sep>[|•·»›>/–—])"
    r"|(?P<copy>©|\(c\)|&copy;)", re.I)
_CAP_CONTENT_WORD = 3
_N_SHAPE = 17           # the first 17 features are the line's own shape (see LineTable.shape_of)
_UNFILLED = [float("nan")] * (_N_SHAPE - 3)   # tokens this long or longer count for the lexical tie
# The main block (Body Text Extraction, Finn et al. 2001, on lines): the contiguous span with the largest
# sum of +words for each prose line and -BLOCK_PENALTY for any other line. Lines outside it are the
# page's head and tail, where chrome sits.
BLOCK_PROSE_WORDS = 10     # a prose line: ends like a sentence and has this many words
RUN_ON_PROSE_WORDS = 20    # ... or this many, whatever its end (a paragraph ending in a URL or a name)
BLOCK_PENALTY = 15.0


def article_span(n_words: list[int], prose: list[bool], penalty: float) -> tuple[int, int]:
    """(first, last) position of the max-sum span: +words for each prose line, -penalty for any other
    non-blank line; (0, -1) when there is no prose line."""
    best, best_span = 0.0, (0, -1)
    run, start = 0.0, 0
    for k, (n, p) in enumerate(zip(n_words, prose)):
        v = n if p else -penalty
        if run <= 0:
            run, start = v, k
        else:
            run += v
        if run > best:
            best, best_span = run, (start, k)
    return best_span


def context_rows(p: list[float], hi: float = 0.5) -> list[list[float]]:
    """The stage-two context features (CONTEXT_NAMES) of a document's stage-one probabilities."""
    n = len(p)
    if not n:
        return []
    cs = [0.0]
    for q in p:
        cs.append(cs[-1] + q)
    hs = [0]
    for q in p:
        hs.append(hs[-1] + (q >= hi))
    mean, hmean = cs[n] / n, hs[n] / n
    out = []
    for a in range(n):
        q = p[a]
        w = []
        for r in (2, 5, 15):
            lo, h = max(0, a - r), min(n, a + r + 1)
            w.append((cs[h] - cs[lo] - q) / max(1, h - lo - 1))
        out.append([q, p[a - 1] if a else -1.0, p[a + 1] if a + 1 < n else -1.0, *w, mean, hmean,
                    hs[a] / a if a else -1.0, (hs[n] - hs[a + 1]) / (n - a - 1) if a + 1 < n else -1.0])
    return out


@lru_cache(maxsize=1)
def _stop_index() -> tuple[dict[str, tuple[int, ...]], list[frozenset[str]]]:
    """word -> indices of the jusText stop lists that hold it (built once)."""
    try:
        import justext
    except ImportError:   # pragma: no cover - justext comes with trafilatura
        return {}, []
    names = sorted(justext.get_stoplists())
    lists = [frozenset(w.casefold() for w in justext.get_stoplist(n)) for n in names]
    index: dict[str, list[int]] = {}
    for i, words in enumerate(lists):
        for w in words:
            index.setdefault(w, []).append(i)
    return {w: tuple(v) for w, v in index.items()}, lists


def document_stoplist(token_counts: Counter[str]) -> frozenset[str]:
    """The stop list (of jusText's ~100) that covers most running words of the document."""
    index, lists = _stop_index()
    if not lists:
        return frozenset()
    hits = [0] * len(lists)
    for tok, n in token_counts.items():
        for i in index.get(tok, ()):
            hits[i] += n
    best = max(range(len(lists)), key=lambda i: (hits[i], -i))
    return lists[best] if hits[best] else frozenset()


def _ends_terminal(s: str) -> bool:
    s = s.rstrip(_CLOSERS)
    return bool(s) and s[-1] in _TERMINAL


def line_features(lines: list[str], counts: LineCounts | None = None, site: str | None = None
                  ) -> tuple[list[int], list[list[float]]]:
    """Feature rows for the non-blank lines of a document: (their indices, rows)."""
    return LineTable(lines, counts, site).rows()


class LineTable:
    """A document's lines featurised once: the per-line part (tokens, shape, stop words, corpus counts)
    is computed here, the context part (position, runs, neighbours, tie to the body, in-document
    repeats) by `rows()` for any subset of the lines, so that a step removing lines in rounds pays for
    the per-line work once. The stop list is chosen once, on all the lines."""

    def __init__(self, lines: list[str], counts: LineCounts | None = None, site: str | None = None) -> None:
        self.idx = idx = [i for i, l in enumerate(lines) if l.strip()]
        self.texts = texts = [lines[i].strip() for i in idx]
        n = len(texts)
        toks = [[t.casefold() for t in _TOKEN.findall(s)] for s in texts]
        self.n_words = n_words = [len(s.split()) for s in texts]
        self.n_chars = n_chars = [len(s) for s in texts]
        self.term = term = [_ends_terminal(s) for s in texts]
        self.prose = [term[k] and (n_words[k] >= 10 or n_chars[k] >= 80) for k in range(n)]
        self.short = [not self.prose[k] and n_words[k] <= 6 for k in range(n)]
        all_tokens: Counter[str] = Counter()
        for t in toks:
            all_tokens.update(t)
        stops = document_stoplist(all_tokens)
        self.n_tok = [len(t) for t in toks]
        self.n_stop = [sum(map(stops.__contains__, t)) for t in toks]
        self.content = [frozenset(t for t in tk if len(t) >= _CAP_CONTENT_WORD and t not in stops and not t.isdigit())
                        for tk in toks]
        self.norm = [" ".join(t) for t in toks]
        self._toks = toks
        # the shape part is filled on demand: a step only needs it for the lines it may remove
        self.shape: list[list[float] | None] = [None] * n
        self.counts: list[list[float]] = []
        self._set_counts(counts, site)

    def with_counts(self, counts: LineCounts | None, site: str | None = None) -> "LineTable":
        """The same lines with other corpus counts (None: unbound); the per-line work, shape
        features included, is shared with this table, not redone."""
        other = copy.copy(self)
        other._set_counts(counts, site)
        return other

    def _set_counts(self, counts: LineCounts | None, site: str | None) -> None:
        texts, n_chars, n = self.texts, self.n_chars, len(self.texts)
        bound = counts is not None and counts.documents > 0
        docs_total = counts.documents if bound else 1
        site_docs = counts.site_documents.get(site, 0) if bound and site is not None else 0
        if bound:
            countable = [k for k in range(n) if n_chars[k] <= MAX_COUNTED_CHARS]
            self.counts = [[0.0, 0.0, 0.0, 0.0] for _ in range(n)]
            total, by_site = counts.total, counts.by_site
            for k, key in zip(countable, line_keys([texts[k] for k in countable])):
                c_total = total.get(key, 0)
                c_site = by_site.get((site, key), 0) if site is not None else 0
                self.counts[k] = [float(c_total), c_total / docs_total, float(c_site),
                                  c_site / site_docs if site_docs else 0.0]
        else:
            self.counts = [[ABSENT] * 4 for _ in range(n)]

    def shape_of(self, k: int) -> list[float]:
        """The shape features of the line at position k (computed once)."""
        got = self.shape[k]
        if got is not None:
            return got
        s = self.texts[k]
        tk = self._toks[k]
        nt = len(tk) or 1
        n_chars = self.n_chars[k]
        alpha_words = [w for w in s.split() if w[0].isalpha()]
        title = sum(w[0].isupper() for w in alpha_words) / len(alpha_words) if alpha_words else 0.0
        caps = 1.0 if (s.upper() == s and s.lower() != s) else 0.0
        digit_ratio = sum(t.isdigit() for t in tk) / nt
        word_share = sum(map(len, tk)) / n_chars
        has_url = has_email = has_phone = has_date = has_read = seps = copy = 0.0
        if n_chars <= 300:
            for m in _SHAPES.finditer(s):
                g = m.lastgroup
                if g == "sep":
                    seps += 1.0
                elif g == "url":
                    has_url = 1.0
                elif g == "email":
                    has_email = 1.0
                elif g == "reading":
                    has_read = 1.0
                elif g == "phone":
                    has_phone = 1.0
                elif g == "date":
                    has_date = 1.0
                else:
                    copy = 1.0
        sym = 0.0 if s[0].isalnum() else 1.0
        stop_d = self.n_stop[k] / nt if tk else 0.0
        got = self.shape[k] = [float(n_chars), float(self.n_words[k]), float(self.term[k]), float(s.endswith(":")),
                               title, caps, digit_ratio, word_share, has_url, has_email, has_phone, has_date,
                               has_read, seps, copy, sym, stop_d]
        return got

    def __len__(self) -> int:
        return len(self.idx)

    def rows(self, active: list[int] | None = None, lazy: bool = False, need: set[int] | None = None
             ) -> tuple[list[int], list[list[float]]]:
        """(line indices, feature rows) of the lines at these positions (default: all), as if the
        other lines were not in the document. `lazy`: leave the shape features other than n_chars,
        n_words and end_punct at NaN (`fill` completes a row), for a caller that scores few lines.
        `need`: emit only the rows of these positions (the context still counts every active line)."""
        ks = list(range(len(self.idx))) if active is None else active
        n = len(ks)
        if not n:
            return [], []
        n_words = [self.n_words[k] for k in ks]
        term = [self.term[k] for k in ks]
        prose = [self.prose[k] for k in ks]
        short = [self.short[k] for k in ks]
        prose_pos = [j for j in range(n) if prose[j]]
        first_prose = prose_pos[0] if prose_pos else n
        last_prose = prose_pos[-1] if prose_pos else -1
        prose_words = sorted(n_words[j] for j in prose_pos)
        median_prose = prose_words[len(prose_words) // 2] if prose_words else 10
        total_tok = sum(self.n_tok[k] for k in ks) or 1
        doc_stop = sum(self.n_stop[k] for k in ks) / total_tok
        prose_df: Counter[str] = Counter()
        for j in prose_pos:
            prose_df.update(self.content[ks[j]])
        dup = Counter(self.norm[k] for k in ks)
        run = [0] * n
        j = 0
        while j < n:
            if short[j]:
                e = j
                while e < n and short[e]:
                    e += 1
                for m in range(j, e):
                    run[m] = e - j
                j = e
            else:
                j += 1
        short_prefix = [0]
        for v in short:
            short_prefix.append(short_prefix[-1] + v)
        prose_share = len(prose_pos) / n
        block_prose = [prose[j] or n_words[j] >= RUN_ON_PROSE_WORDS for j in range(n)]
        b_first, b_last = article_span(n_words, block_prose, BLOCK_PENALTY)
        block_share = sum(n_words[b_first:b_last + 1]) / (sum(n_words) or 1)
        # distance to the nearest prose line, both directions in two sweeps
        near = [30] * n
        last = None
        for j in range(n):
            if prose[j]:
                last = j
            if last is not None:
                near[j] = j - last
        last = None
        for j in range(n - 1, -1, -1):
            if prose[j]:
                last = j
            if last is not None and last - j < near[j]:
                near[j] = last - j
        out: list[list[float]] = []
        for j, k in enumerate(ks):
            if need is not None and k not in need:
                continue
            cs = self.content[k]
            if cs:
                own = 1 if prose[j] else 0
                tie = sum(1 for t in cs if prose_df[t] - own > 0) / len(cs)
            else:
                tie = -0.5
            lo, hi = max(0, j - 3), min(n, j + 4)
            window = (short_prefix[hi] - short_prefix[lo] - short[j]) / max(1, hi - lo - 1)
            if lazy and self.shape[k] is None:
                shape = [float(self.n_chars[k]), float(n_words[j]), float(term[j])] + _UNFILLED
                stop_d = (self.n_stop[k] / self.n_tok[k]) if self.n_tok[k] else 0.0
            else:
                shape = self.shape_of(k)
                stop_d = shape[16]
            out.append([
                *shape, stop_d / doc_stop if doc_stop else 0.0, tie, float(dup[self.norm[k]]),
                j / max(1, n - 1), float(min(j, 50)), float(min(n - 1 - j, 50)),
                float(j < first_prose), float(j > last_prose), float(min(near[j], 30)), float(min(run[j], 30)),
                window, float(n_words[j - 1]) if j else -1.0, float(n_words[j + 1]) if j + 1 < n else -1.0,
                float(term[j - 1]) if j else -1.0, float(term[j + 1]) if j + 1 < n else -1.0,
                float(n), prose_share, n_words[j] / median_prose, *self.counts[k],
                float(j < b_first), float(j > b_last), float(min(max(b_first - j, j - b_last, 0), 50)), block_share,
            ])
        return [self.idx[k] for k in ks if need is None or k in need], out

    def fill(self, k: int, row: list[float]) -> list[float]:
        """Complete a lazy row of the line at position k with its shape features (in place)."""
        if row[3] != row[3]:      # NaN: not filled yet
            row[:_N_SHAPE] = self.shape_of(k)
        return row
