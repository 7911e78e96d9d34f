"""langdetect, deterministic and fast: the profiles loaded once per process (with arrays, ~4x faster
than langdetect's loader) into a private `DetectorFactory` seeded with SEED, whose detectors give
langdetect's results bit for bit at a fraction of the cost (a word-at-a-time n-gram scan, and an
early exit when the first trials already agree with near certainty). Used by the langid step.
"""
from __future__ import annotations

import re
import threading

SEED = 0

_factory = None
_factory_lock = threading.Lock()


EARLY_EXIT_TRIALS = 3       # langdetect runs 7 random trials; when the first 3 already agree...
EARLY_EXIT_PROB = 0.999     # ...each at least this sure, the other 4 cannot change the answer
EARLY_EXIT_MIN_CHARS = 300  # only on text this long: short texts can fool 3 trials at once


def _settled(trials: list[list[float]]) -> bool:
    """Every trial so far names the same language, each with near certainty.

    Stock langdetect averages 7 trials; on clear text they all converge on one language at
    p > 0.9999, and the last 4 cost 4/7 of the time for a change in the 4th decimal of the score.
    Short texts (under EARLY_EXIT_MIN_CHARS, where three trials can agree on a wrong language) and
    ambiguous ones (trials disagree or stay unsure) still run all 7, so their answers and the `und`
    decisions are the stock ones.
    """
    best = [max(range(len(t)), key=t.__getitem__) for t in trials]
    return len(set(best)) == 1 and min(t[best[0]] for t in trials) >= EARLY_EXIT_PROB


def _fast_detector_class():
    """A langdetect Detector with the same results, bit for bit, at a fraction of the cost.

    Same random draws, same floating-point operations in the same order: the n-gram scan works a
    word at a time (the n-grams of a word depend only on the word, so they are cached per process)
    on text normalised with a per-process cache of langdetect's own character normalisation; the
    script count of `cleaning_text` is two regex passes; and each trial's update
    (`prob[i] *= weight + p(word|lang)`) and normalisation run as numpy element-wise operations on
    rows of the profile matrix (exactly rounded like Python floats; the sum stays Python's
    sequential `sum`). tests/test_langid_fast.py compares it with the stock Detector. Reference:
    langdetect 1.0.9, its last release.
    """
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.lang_detect_exception import ErrorCode, LangDetectException
    from langdetect.utils.ngram import NGram

    class _Normalised(dict):
        """str.translate table: langdetect's per-character normalisation, filled on first sight."""

        def __missing__(self, code: int) -> str:
            value = self[code] = NGram.normalize(chr(code))
            return value

    char_table = _Normalised()
    word_cache: dict[str, tuple[str, ...]] = {}
    spaces = re.compile(" {2,}")
    latin = re.compile("[A-z]")                 # stock: 'A' <= ch <= 'z'
    non_latin = re.compile("[\u0300-\U0010ffff]+")
    # Stock compares unicode_block(ch) (an int) with a block *name*, so every ch >= U+0300 counts.

    def word_rows(s: str, k: int, rows: dict, trailing: bool) -> tuple[int, ...]:
        """The n-grams stock langdetect emits for one word `s[1:k+1]` (s = " " + word [+ " "]), as
        rows of the profile matrix: at each character its 1-, 2- and 3-gram (none while inside a
        run of capitals), then, when a space follows, the word's 2- and 3-gram ending in that space;
        only those in the profiles, in stock order."""
        out = []
        get = rows.get
        for j in range(1, k + 1):
            c = s[j]
            if j >= 2 and c.isupper() and s[j - 1].isupper():
                continue
            r = get(c)
            if r is not None:
                out.append(r)
            r = get(s[j - 1 : j + 1])
            if r is not None:
                out.append(r)
            if j >= 2:
                r = get(s[j - 2 : j + 1])
                if r is not None:
                    out.append(r)
        if trailing:
            r = get(s[k : k + 2])
            if r is not None:
                out.append(r)
            r = get(s[k - 1 : k + 2])
            if r is not None:
                out.append(r)
        return tuple(out)

    class FastDetector(Detector):
        early_exit = True

        def append(self, text):
            if "http" in text:            # the patterns need these: skipping the scan is exact
                text = self.URL_RE.sub(" ", text)
            if "@" in text:
                text = self.MAIL_RE.sub(" ", text)
            text = NGram.normalize_vi(text)
            head = text[: self.max_text_length]
            # Stock: a space is dropped when the character before it (kept or not) was a space.
            self.text += spaces.sub(" ", head)

        def cleaning_text(self):
            text = self.text
            stripped, latin_count = latin.subn("", text)
            non_latin_count = sum(map(len, non_latin.findall(text)))
            if latin_count * 2 < non_latin_count:
                self.text = stripped

        def _extract_rows(self, rows: dict) -> list[int]:
            # Stock (_extract_ngrams) feeds the text to an NGram one character at a time; a space
            # resets it, so the n-grams split into independent words (see word_rows).
            result: list[int] = []
            if len(char_table) > 100_000:
                char_table.clear()
            if len(word_cache) > 200_000:
                word_cache.clear()
            words = self.text.translate(char_table).split(" ")
            last = len(words) - 1
            for i, w in enumerate(words):
                if not w:
                    continue
                if i < last:
                    found = word_cache.get(w)
                    if found is None:
                        found = word_cache[w] = word_rows(" " + w + " ", len(w), rows, True)
                else:
                    found = word_rows(" " + w, len(w), rows, False)
                result.extend(found)
            return result

        def _detect_block(self):
            self.cleaning_text()
            index = self.word_lang_prob_map
            if not isinstance(index, _ProfileIndex):   # a factory loaded by stock langdetect
                index = _as_index(index)
            matrix = index.matrix
            ngrams = self._extract_rows(index.rows)   # row numbers of the n-grams, in stock order
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            n_langs = len(self.langlist)
            langprob = [0.0] * n_langs
            self.random.seed(self.seed)
            randbelow = self.random._randbelow   # what random.choice calls: the same draws
            n = len(ngrams)
            conv, limit = self.CONV_THRESHOLD, self.ITERATION_LIMIT
            buf = np.empty((6, n_langs), dtype=np.float64)
            acc = np.empty((6, n_langs), dtype=np.float64)
            take, add, accumulate, divide = np.take, np.add, np.multiply.accumulate, np.divide
            trials: list[list[float]] = []
            for _ in range(self.n_trial):
                buf[0] = self._init_probability()
                alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                weight = alpha / self.BASE_FREQ
                # Stock: update with one random n-gram per step i, normalise and test at i = 0, 5, 10...
                # Here the updates between two tests are one block: the same draws, and
                # multiply.accumulate multiplies left to right, as the stock loop does.
                i, block = 0, 1
                while True:
                    rows = buf[1 : block + 1]
                    take(matrix, [ngrams[randbelow(n)] for _ in range(block)], axis=0, out=rows)
                    add(rows, weight, out=rows)
                    accumulate(buf[: block + 1], axis=0, out=acc[: block + 1])
                    prob = acc[block]
                    values = prob.tolist()
                    total = sum(values)
                    divide(prob, total, out=buf[0])
                    # max(p / total) == max(p) / total: correctly rounded division is monotonic
                    if max(values) / total > conv or i >= limit:
                        break
                    i += 5
                    block = 5
                trials.append(buf[0].tolist())
                if (self.early_exit and len(self.text) >= EARLY_EXIT_MIN_CHARS
                        and len(trials) >= EARLY_EXIT_TRIALS and _settled(trials)):
                    break
            done = len(trials)
            for t in trials:
                langprob = [a + p / done for a, p in zip(langprob, t)]
            self.langprob = langprob

    return FastDetector


class _ProfileIndex(dict):
    """n-gram -> row of `matrix` (n-grams x languages, float64): langdetect's word_lang_prob_map in
    one array. Reading an item gives the stock map's value (a list of floats), so a stock Detector
    built from this factory works unchanged; the fast detector reads rows of `matrix`."""

    matrix: "object" = None
    rows: dict = {}            # a plain copy, n-gram -> row (read in the inner loop)

    def __getitem__(self, gram):
        return self.matrix[dict.__getitem__(self, gram)].tolist()

    def get(self, gram, default=None):
        return self[gram] if gram in self else default

    def values(self):
        return [self.matrix[i].tolist() for i in dict.values(self)]

    def items(self):
        return [(g, self.matrix[i].tolist()) for g, i in dict.items(self)]


def _as_index(wmap: dict) -> _ProfileIndex:
    import numpy as np

    index = _ProfileIndex((g, i) for i, g in enumerate(wmap))
    index.matrix = np.array(list(wmap.values()), dtype=np.float64)
    index.rows = dict(index)
    return index


def _load_profiles(factory, directory: str) -> None:
    """`factory.load_profile(directory)` with the same languages (in the same os.listdir order),
    the same n-grams and the same probabilities (`1.0 * freq / n_words[len - 1]`, exactly rounded
    in numpy as in Python), built with arrays instead of one Python list per n-gram: ~4x faster."""
    import os

    import numpy as np
    import orjson

    names = os.listdir(directory)
    langsize = len(names)
    index = _ProfileIndex()
    langs: list[str] = []
    parts = []
    for name in names:
        path = os.path.join(directory, name)
        if name.startswith(".") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = orjson.loads(f.read())
        lang = data["name"]
        if lang in langs:
            raise ValueError(f"duplicate language profile {lang!r}")
        freq = data["freq"]
        n_words = data["n_words"]
        setdefault = index.setdefault
        rows = np.fromiter((setdefault(w, len(index)) for w in freq), dtype=np.intp, count=len(freq))
        lengths = np.fromiter(map(len, freq), dtype=np.intp, count=len(freq))
        counts = np.fromiter(freq.values(), dtype=np.float64, count=len(freq))
        ok = (lengths >= 1) & (lengths <= 3)
        divisor = np.asarray([float(n_words[k - 1]) if k - 1 < len(n_words) else 1.0 for k in (1, 2, 3)])
        parts.append((len(langs), rows[ok], counts[ok] / divisor[lengths[ok] - 1]))
        langs.append(lang)
    matrix = np.zeros((len(index), langsize), dtype=np.float64)
    for column, rows, probs in parts:
        matrix[rows, column] = probs
    index.matrix = matrix
    index.rows = dict(index)
    factory.langlist = langs
    factory.word_lang_prob_map = index


def get_factory():
    """The process-wide langdetect factory, profiles loaded on first use (about a tenth of a second)."""
    global _factory
    if _factory is None:
        with _factory_lock:
            if _factory is None:
                from langdetect import DetectorFactory
                from langdetect.detector_factory import PROFILES_DIRECTORY

                DetectorFactory.seed = SEED  # also for any other langdetect use in this process
                factory = DetectorFactory()
                _load_profiles(factory, PROFILES_DIRECTORY)
                factory.seed = SEED
                fast = _fast_detector_class()
                factory._create_detector = lambda: fast(factory)   # noqa: SLF001 - see _fast_detector_class
                _factory = factory
    return _factory
