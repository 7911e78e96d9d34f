"""Step "langid": an ISO 639-1 language code from langdetect, deterministic, `und` when unsure.

- Deterministic and thread/process safe: the profiles are loaded once per process into a private
  `DetectorFactory` with seed 0, and every call builds its own `Detector` from it (a Detector holds
  its own `random.Random`, reseeded with the factory seed on each detection), so results do not
  depend on call order, threads or worker processes. Unseeded langdetect gives different answers
  from run to run on short texts.
- Bounded sample: at most SAMPLE_CHARS characters, taken from the prose lines (>= PROSE_LINE chars)
  nearest the middle of the document, in document order. The head and tail of a scraped page are
  where the chrome lives (menus, cookie banners, "Share", footers, often in English on a page in
  another language); the middle is the body. langdetect's accuracy is flat beyond a few hundred
  characters, and its cost grows with the text, so 1,000 characters (what the text-path baseline
  gives plain langdetect) is plenty: the langid bench scores the same at 1,000 and 2,000.
- `und` when the sample has fewer than MIN_LETTERS letters (CJK characters count triple: one
  ideograph carries about a word) or when the top probability is below MIN_PROB: short texts fool
  language ID (datatrove #365) and a wrong code is worse than none.
- Script check: langdetect's Korean and Japanese profiles hold many Han characters, so a short
  Chinese text can come out `ko`. A language whose own script is absent from the sample is removed
  from the candidates (no Hangul: not `ko`; no kana: not `ja`; Hangul or kana present: not `zh`) and
  the rest renormalised.
- Codes: langdetect's `zh-cn` and `zh-tw` both become `zh` (ISO 639-1 has no script subtag; their
  probabilities are added before the threshold, so a Chinese text split between the two variants
  is not sent to `und`). All other langdetect codes are already ISO 639-1.
"""
from __future__ import annotations

import re
import threading
import unicodedata

from cleaner.document import Document
from cleaner.registry import register_step

SAMPLE_CHARS = 1000
PROSE_LINE = 40
MIN_LETTERS = 10
MIN_PROB = 0.70  # langdetect runs 7 trials: at least 5 of them must agree
SEED = 0

CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh"}

_factory = None
_factory_lock = threading.Lock()
_URLISH = re.compile(r"\S*(?:https?://|www\.|@)\S*")


_ROW_CACHE_MAX = 50_000   # n-gram rows kept as arrays per process (55 floats each: at most ~25 MB)


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

    Same random draws, same floating-point operations in the same order: the n-gram scan is inlined
    with a per-process cache of langdetect's own character normalisation, and each trial's update
    (`prob[i] *= weight + p(word|lang)`) and normalisation run as numpy element-wise operations (exactly
    rounded like Python floats; the sum stays Python's sequential `sum`). tests/test_langid_fast.py
    compares it with the stock Detector. Reference: langdetect 1.0.9, its last release.
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
    row_cache: dict[str, "np.ndarray"] = {}
    spaces = re.compile(" {2,}")

    class FastDetector(Detector):
        early_exit = True

        def append(self, text):
            text = self.URL_RE.sub(" ", text)
            text = self.MAIL_RE.sub(" ", text)
            text = NGram.normalize_vi(text)
            head = text[: self.max_text_length]
            # Stock: a space is dropped when the character before it (kept or not) was a space.
            self.text += spaces.sub(" ", head)

        def _extract_ngrams(self):
            wmap = self.word_lang_prob_map
            result = []
            grams, capital = " ", False
            if len(char_table) > 100_000:
                char_table.clear()
            for c in self.text.translate(char_table):
                last = grams[-1]
                if last == " ":
                    grams, capital = " ", False
                    if c == " ":
                        continue
                elif len(grams) >= 3:
                    grams = grams[1:]
                grams += c
                if c.isupper():
                    if last.isupper():
                        capital = True
                else:
                    capital = False
                if capital:
                    continue
                w = grams[-1:]
                if w and w != " " and w in wmap:
                    result.append(w)
                if len(grams) >= 2:
                    w = grams[-2:]
                    if w in wmap:
                        result.append(w)
                    if len(grams) >= 3 and grams in wmap:
                        result.append(grams)
            return result

        def _detect_block(self):
            self.cleaning_text()
            ngrams = self._extract_ngrams()
            if not ngrams:
                raise LangDetectException(ErrorCode.CantDetectError, "No features in text.")
            wmap = self.word_lang_prob_map
            if len(row_cache) > _ROW_CACHE_MAX:
                row_cache.clear()

            def row(w: str) -> "np.ndarray":
                r = row_cache.get(w)
                if r is None:
                    r = row_cache[w] = np.array(wmap[w], dtype=np.float64)
                return r
            n_langs = len(self.langlist)
            langprob = [0.0] * n_langs
            self.random.seed(self.seed)
            randbelow = self.random._randbelow   # what random.choice calls: the same draws
            n = len(ngrams)
            conv, limit = self.CONV_THRESHOLD, self.ITERATION_LIMIT
            buf = np.empty((6, n_langs), dtype=np.float64)
            trials: list[list[float]] = []
            for _ in range(self.n_trial):
                prob = np.array(self._init_probability(), dtype=np.float64)
                alpha = self.alpha + self.random.gauss(0.0, 1.0) * self.ALPHA_WIDTH
                weight = alpha / self.BASE_FREQ
                # Stock: update with one random n-gram per step i, normalise and test at i = 0, 5, 10...
                # Here the updates between two tests are one block: the same draws, and
                # multiply.accumulate multiplies left to right, as the stock loop does.
                i, block = 0, 1
                while True:
                    buf[0] = prob
                    for k in range(1, block + 1):
                        buf[k] = row(ngrams[randbelow(n)])
                    np.add(buf[1 : block + 1], weight, out=buf[1 : block + 1])
                    prob = np.multiply.accumulate(buf[: block + 1], axis=0)[block]
                    np.divide(prob, sum(prob.tolist()), out=prob)
                    if prob.max() > conv or i >= limit:
                        break
                    i += 5
                    block = 5
                trials.append(prob.tolist())
                if (self.early_exit and len(self.text) >= EARLY_EXIT_MIN_CHARS
                        and len(trials) >= EARLY_EXIT_TRIALS and _settled(trials)):
                    break
            done = len(trials)
            for t in trials:
                langprob = [a + p / done for a, p in zip(langprob, t)]
            self.langprob = langprob

    return FastDetector


def _get_factory():
    """The process-wide langdetect factory, profiles loaded on first use (about a second)."""
    global _factory
    if _factory is None:
        with _factory_lock:
            if _factory is None:
                from langdetect import DetectorFactory
                from langdetect.detector_factory import PROFILES_DIRECTORY

                DetectorFactory.seed = SEED  # also for any other langdetect use in this process
                factory = DetectorFactory()
                factory.load_profile(PROFILES_DIRECTORY)
                factory.seed = SEED
                fast = _fast_detector_class()
                factory._create_detector = lambda: fast(factory)   # noqa: SLF001 - see _fast_detector_class
                _factory = factory
    return _factory


def sample_text(text: str, limit: int = SAMPLE_CHARS) -> str:
    """Up to `limit` characters of the text's body: prose lines nearest the middle, in order."""
    if len(text) <= limit:
        return text
    lines = [l.strip() for l in text.split("\n")]
    prose = [i for i, l in enumerate(lines) if len(l) >= PROSE_LINE] or [i for i, l in enumerate(lines) if l]
    if not prose:
        return text[:limit]
    mid = len(prose) // 2
    picked: list[int] = []
    used = 0
    # Grow outwards from the middle line: mid, mid+1, mid-1, mid+2, ...
    for k in range(len(prose)):
        j = mid + (k + 1) // 2 if k % 2 else mid - k // 2
        if not 0 <= j < len(prose):
            continue
        picked.append(prose[j])
        used += len(lines[prose[j]]) + 1
        if used >= limit:
            break
    return "\n".join(lines[i] for i in sorted(picked))[:limit]


def letter_weight(text: str, enough: int | None = None) -> int:
    """Letters in the text, ideographs and syllables of CJK scripts counted three times; the count
    stops once it reaches `enough` (the caller only needs to know that)."""
    n = 0
    for ch in text:
        if ch.isalpha():
            n += 3 if unicodedata.east_asian_width(ch) == "W" else 1
            if enough is not None and n >= enough:
                break
    return n


_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


def _impossible_languages(text: str) -> set[str]:
    """CJK languages whose script does not occur in the text (see the module docstring)."""
    hangul, kana = bool(_HANGUL.search(text)), bool(_KANA.search(text))
    out = set()
    if not hangul:
        out.add("ko")
    if not kana:
        out.add("ja")
    if hangul or kana:
        out.add("zh")
    return out


def language_probabilities(text: str) -> list[tuple[str, float]]:
    """langdetect's probabilities (codes mapped, zh variants merged, CJK script check applied), best
    first; [] when there are no features."""
    from langdetect.lang_detect_exception import LangDetectException

    detector = _get_factory().create()
    detector.append(text)
    try:
        probs = detector.get_probabilities()
    except LangDetectException:
        return []
    merged: dict[str, float] = {}
    for lang in probs:
        code = CODE_MAP.get(lang.lang, lang.lang)
        merged[code] = merged.get(code, 0.0) + lang.prob
    impossible = _impossible_languages(text) & merged.keys()
    if impossible:
        if len(impossible) == len(merged):
            return []  # only script-impossible answers: unknown
        for code in impossible:
            del merged[code]
        total = sum(merged.values())
        merged = {code: p / total for code, p in merged.items()}
    return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, probability) of the text, or ("und", 0.0) when unsure."""
    if not isinstance(text, str):
        return "und", 0.0
    sample = sample_text(text)
    if letter_weight(_URLISH.sub(" ", sample), enough=MIN_LETTERS) < MIN_LETTERS:
        return "und", 0.0
    try:
        probs = language_probabilities(sample)
    except Exception:  # langdetect must never take the pipeline down
        return "und", 0.0
    if not probs:
        return "und", 0.0
    code, prob = probs[0]
    if prob < MIN_PROB:
        return "und", 0.0
    return code, prob


class LangId:
    """Sets `doc.lang` and `doc.lang_score` from the document text (the title if there is no text)."""

    name = "langid"

    def warm_up(self) -> None:
        """Load the language profiles now (the engine calls this before forking its workers)."""
        _get_factory()

    def __call__(self, doc: Document) -> Document:
        doc.lang, doc.lang_score = detect_language(doc.text or doc.title or "")
        return doc


register_step("langid")(LangId)
