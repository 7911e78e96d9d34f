"""Step "langid": an ISO 639-1 language code from langdetect, deterministic, `und` when unsure.

- Deterministic and thread/process safe: the profiles are loaded once per process into a private
  `DetectorFactory` with seed 0 (`cleaner.langdetect_fast`, which also makes it fast), and every
  call builds its own `Detector` from it (a Detector holds its own `random.Random`, reseeded with
  the factory seed on each detection), so results do not depend on call order, threads or worker
  processes. Unseeded langdetect gives different answers from run to run on short texts.
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
import unicodedata

from cleaner.document import Document
from cleaner.langdetect_fast import get_factory
from cleaner.registry import register_step
from cleaner.steps.base import Step

SAMPLE_CHARS = 1000
PROSE_LINE = 40
MIN_LETTERS = 10
MIN_PROB = 0.70  # langdetect runs 7 trials: at least 5 of them must agree

CODE_MAP = {"zh-cn": "zh", "zh-tw": "zh"}

_URLISH = re.compile(r"\S*(?:https?://|www\.|@)\S*")


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

    detector = get_factory().create()
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
    bare = _URLISH.sub(" ", sample) if ("http" in sample or "www." in sample or "@" in sample) else sample
    if letter_weight(bare, enough=MIN_LETTERS) < MIN_LETTERS:
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


class LangId(Step):
    """Sets `doc.lang` and `doc.lang_score` from the document text (the title if there is no text)."""

    name = "langid"

    def warm_up(self) -> None:
        """Load the language profiles now (the engine calls this before forking its workers)."""
        get_factory()

    def __call__(self, doc: Document) -> Document:
        doc.lang, doc.lang_score = detect_language(doc.text or doc.title or "")
        return doc


register_step("langid")(LangId)
