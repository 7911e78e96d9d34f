"""What a rule sees: the normalised line, and the head/tail regions of a document.

Normalised line (`normalise`), applied to a rule's literal patterns and to every document line alike:
  1. Unicode NFKC (full-width letters, ligatures, non-breaking spaces fold to plain forms);
  2. zero-width characters and soft hyphens removed; typographic apostrophes (’ ‘ ʼ) become ';
  3. every run of whitespace collapsed to one space;
  4. decoration stripped from both ends: whitespace, bullets and arrows (• · ▪ ► » « > …),
     pipes, dashes, asterisks, hashes, brackets, quotes and the punctuation . , : ; ! ? …
     So "LEAVE A REPLY", "Leave a Reply:", "• Leave a reply |" are one line to a rule;
  5. a line made only of decoration (an empty bullet "- ", a lone "|") would normalise to nothing;
     the regexes see it instead as it is, whitespace trimmed (`bare`), so a rule can name it;
  6. literal patterns are compared after `str.casefold()` (dict lookup, O(1) a line); regexes run
     on the un-casefolded form of step 4 with RE2's case-insensitive flag, so a regex can opt back
     into case with `(?-i:...)` (used to recognise glued chrome such as "Previous articleTrump…").
Lines longer than MAX_RULE_LINE (400) characters are never chrome to a rule (they are not even normalised):
that keeps the matcher off long prose, which is most of the text (halves its cost on extracted pages).

Regions (`content_anchors`): a *content anchor* is a line that reads as article prose:
  at least PROSE_MIN_WORDS words (or PROSE_MIN_CHARS characters, for scripts without spaces) and
  ending in terminal punctuation (. ! ? 。 ！ ？ …, closing quotes/brackets ignored), or at least
  PROSE_ALWAYS_WORDS words whatever its ending; and matched by no `anywhere` rule. `head` = the lines before the
  first anchor, `tail` = the lines after the last anchor. A document without any anchor is all head
  and all tail (but `drop-rest` never sweeps it). Because rules never drop an anchor, removing matched lines leaves the anchors (and so
  the regions) unchanged: applying the rules twice gives the same text as applying them once.
"""
from __future__ import annotations

import re
import unicodedata

MAX_RULE_LINE = 400   # chrome is short: the longest drop example is ~130 chars; prose lines skip the regex sets
PROSE_MIN_WORDS = 10
PROSE_MIN_CHARS = 60        # for lines with few spaces (Chinese, Japanese, Thai …)
PROSE_ALWAYS_WORDS = 25

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INVISIBLE.update(dict.fromkeys(map(ord, "\u2019\u2018\u02bc"), "'"))
_WS = re.compile(r"\s+")
DECORATION = (
    " \t•·∙◦‣▪▫■□●○►▶▸▹➤→←»«›‹>|¦/\\-–—―_*#~=+"
    ".,:;!?…()[]{}<>\"'“”„‟‘’‚‛「」『』"
)
_TERMINAL = tuple(".!?。！？…")
_CLOSERS = "\"'”’»)]}」』 "
_LINK_LIKE = re.compile(
    r"(?:https?://\S+|www\.\S+|[\w.-]+\.[a-z]{2,}(?:/\S*)?|@\w[\w.]*|[\w.+-]+@[\w-]+\.[\w.]+)",
    re.IGNORECASE,
)


def normalise(line: str) -> str:
    """NFKC, invisibles removed, whitespace collapsed, surrounding decoration stripped (case kept)."""
    s = unicodedata.normalize("NFKC", line).translate(_INVISIBLE)
    return _WS.sub(" ", s).strip(DECORATION)


def bare(line: str) -> str:
    """A decoration-only line as the regexes see it: NFKC, invisibles removed, whitespace trimmed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", line).translate(_INVISIBLE)).strip()


def literal_key(line: str) -> str:
    """The dict key a literal pattern and a line are compared by: the normalised line, casefolded."""
    return normalise(line).casefold()


def looks_like_prose(line: str) -> bool:
    """Long enough and sentence-final: the kind of line that anchors the article body."""
    s = line.strip()
    words = len(s.split())
    if words >= PROSE_ALWAYS_WORDS:
        return True
    if words < PROSE_MIN_WORDS and len(s) < PROSE_MIN_CHARS:
        return False
    if words < 4 and len(s) >= PROSE_MIN_CHARS:      # a spaceless script: length stands in for words
        pass
    elif words < PROSE_MIN_WORDS:
        return False
    return s.rstrip(_CLOSERS).endswith(_TERMINAL)


def is_link_like(line: str) -> bool:
    """A bare URL, domain/path, @handle or e-mail address on a line of its own."""
    s = line.strip().strip("<>()[]")
    return bool(s) and " " not in s and _LINK_LIKE.fullmatch(s) is not None
