"""Structural cleanup of a scraped text's head and body, the chrome no phrase list can name.

- the headline printed twice (title element + h1): later copies go (`structure/repeated-title`);
- a breadcrumb glued to the headline ("HomeFINANCE NEWS<headline>") goes (`structure/breadcrumb`);
- date-only and short menu lines above the headline go (`structure/date-header`, `structure/menu-header`);
  a headline known by its shape alone must stand alone or lead into prose (not a line of a stanza);
- placeholder lines a template forgot to fill ("Title", "Headline") go (`structure/placeholder`);
- a bare link right after a line a rule removed (a promo's link) goes (`structure/lone-link`);
- a paragraph that the scrape or the extractor printed twice in a row keeps its first copy
  (`structure/repeated-paragraph`; trafilatura #81, #768). Repeats further apart are kept: in the
  dev sets they were recurring interview questions and list items far more often than echoes.
The step also sets `doc.title` for scraped text when a headline is found (HTML keeps its metadata title).
"""
from __future__ import annotations

import re
import unicodedata

from cleaner.document import Document
from cleaner.registry import register_step
from cleaner.steps import drop_lines, original_line_numbers
from cleaner.steps.base import Step

HEAD_LINES = 8                 # how many non-blank lines the header search looks at
MENU_MAX_WORDS = 5
ADJACENT_REPEAT_WORDS = 8      # a paragraph this long printed twice in a row is an extraction echo
PLACEHOLDERS = {"title", "headline", "subtitle", "heading", "untitled", "placeholder", "caption here",
                "your title here", "title here", "lorem ipsum"}

_MONTHS = (
    "jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|"
    "januar|februar|märz|mai|juni|juli|oktober|dezember|"
    "janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre|"
    "janeiro|fevereiro|março|maio|junho|julho|setembro|outubro|novembro|dezembro|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre"
)
_WEEKDAYS = (
    "mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(r(s(day)?)?)?|fri(day)?|sat(urday)?|sun(day)?|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|"
    "segunda(-feira)?|terça(-feira)?|quarta(-feira)?|quinta(-feira)?|sexta(-feira)?|"
    "lunedì|martedì|mercoledì|giovedì|venerdì"
)
_DATE_LINE = re.compile(
    rf"^(?:(?:{_WEEKDAYS})[,.]?\s+)?(?:"
    rf"(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"                 # November 6, 2025
    rf"|\d{{1,2}}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{4}}"  # 6 November 2025, 6 de noviembre de 2025
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{2,4}}"             # 2025-11-06, 06.11.2025
    rf")(?:[,\s]+(?:at\s+)?\d{{1,2}}[:.]\d{{2}}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{{2,4}})?)?\W*$",
    re.IGNORECASE,
)
# A comment header: "<name> says:", "<name> on <date> at <time> said:" (eight languages).
_COMMENT_HEADER = re.compile(
    r"^\S.{0,60}?\s+(?:(?:on|am|le|el|em|il)\s+(?P<date>.{4,60}?)\s+)?"
    r"(?:says|said|wrote|schreibt|sagt|dice|disse|diz|dijo|escribió|escreveu|a écrit|dit|scrive|пишет|написал|написала)\s*:?\s*$",
    re.IGNORECASE)
_TIMESTAMP = re.compile(r"\d{1,2}:\d{2}|\b(?:19|20)\d{2}\b|\bago\b", re.IGNORECASE)
COMMENT_MIN_HEADERS = 2   # dated comment headers needed before the thread is cut
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)
_WORD = re.compile(r"\w+")


def _norm(line: str) -> str:
    s = unicodedata.normalize("NFKC", line).casefold()
    s = re.sub(r"[\u2018\u2019\u201a\u201b`´]", "'", s)
    s = re.sub(r"[\u201c\u201d\u201e\u201f«»]", '"', s)
    return re.sub(r"\s+", " ", s).strip()


def is_date_line(line: str) -> bool:
    return bool(_DATE_LINE.match(line.strip()))


# Scripts written without spaces (Chinese, Japanese): `\w+` finds a few long "words" per sentence, so
# length in characters stands in for the word count, and the ideographic full stop ends a sentence.
_SPACELESS_PROSE_CHARS = 40
_SPACELESS_HEADLINE_CHARS = (6, 80)


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _spaceless(s: str) -> bool:
    """A line mostly in Chinese or Japanese script (so its \\w+ "words" say nothing about its length)."""
    s = s.strip()
    return len(s) >= _SPACELESS_HEADLINE_CHARS[0] and len(_CJK.findall(s)) * 2 >= len(s)


def _is_prose(line: str) -> bool:
    words = _WORD.findall(line)
    s = line.rstrip()
    if len(words) < 12 and _spaceless(s) and len(s.strip()) >= _SPACELESS_PROSE_CHARS:
        return s[-1:] in "。．！？!?…」』)）"
    return len(words) >= 12 and s[-1:] in ".!?\"'”’)…:"


def _looks_like_headline(line: str) -> bool:
    words = _WORD.findall(line)
    s = line.strip()
    if s.startswith("|") or s.endswith("|"):      # a table row: tables repeat their header on purpose
        return False
    if s[-1:] in "。．" or is_date_line(s) or _URL_LINE.match(s):
        return False
    if _spaceless(s):
        return len(s) <= _SPACELESS_HEADLINE_CHARS[1]
    return 3 <= len(words) <= 40 and len(s) <= 250 and s[-1:] not in ".:;,"


def _is_menu_line(line: str) -> bool:
    s = line.strip()
    words = _WORD.findall(s)
    if _spaceless(s) and len(s) > 2 * MENU_MAX_WORDS:     # a CJK menu entry is a word or two, not a phrase
        return False
    return 0 < len(words) <= MENU_MAX_WORDS and len(s) <= 60 and s[-1:] not in ".!?\"”"


@register_step("structure")
class Structure(Step):
    """Header, placeholder, lone-link and repeated-paragraph cleanup (see the module docstring)."""

    name = "structure"

    def __call__(self, doc: Document) -> Document | None:
        lines = doc.lines
        reasons: dict[int, str] = {}
        nonblank = [i for i, l in enumerate(lines) if l.strip()]
        head = nonblank[:HEAD_LINES]
        norms = {i: _norm(lines[i]) for i in nonblank}

        title_at = self._find_title(lines, head, norms, reasons)
        if title_at is not None:
            if doc.title is None:
                doc.title = lines[title_at].strip()
            for i in head:
                if i >= title_at:
                    break
                if i in reasons:
                    continue
                if is_date_line(lines[i]):
                    reasons[i] = "structure/date-header"
                elif _is_menu_line(lines[i]):
                    reasons[i] = "structure/menu-header"

        self._placeholders(lines, nonblank, norms, reasons)
        self._lone_links(doc, lines, nonblank, reasons)
        self._repeated_paragraphs(lines, nonblank, norms, reasons)
        self._comment_thread(lines, nonblank, reasons)
        return drop_lines(doc, reasons)

    @staticmethod
    def _comment_thread(lines, nonblank, reasons) -> None:
        """Reader comments: from the first of COMMENT_MIN_HEADERS+ dated comment headers ("jdoe says:"
        followed by a date, or "Jane on May 2, 2019 at 4:47 pm said:") to the end of the text
        (`structure/comment-thread`). A quote introduced by "she said:" has no timestamp beside it."""
        headers = []
        for k, i in enumerate(nonblank):
            s = lines[i].strip()
            m = _COMMENT_HEADER.match(s) if len(s) <= 120 else None
            if not m:
                continue
            nxt = lines[nonblank[k + 1]].strip() if k + 1 < len(nonblank) else ""
            if (m.group("date") and _TIMESTAMP.search(m.group("date"))) or (len(nxt) <= 40 and _TIMESTAMP.search(nxt)):
                headers.append(k)
        if len(headers) >= COMMENT_MIN_HEADERS:
            for i in nonblank[headers[0]:]:
                reasons.setdefault(i, "structure/comment-thread")

    @staticmethod
    def _find_title(lines, head, norms, reasons) -> int | None:
        """The headline's line index. Evidence, strongest first: printed twice; ending a glued breadcrumb;
        the first headline-shaped line that comes before the first prose paragraph."""
        for a_pos, a in enumerate(head):
            if not _looks_like_headline(lines[a]):
                continue
            for b in head[a_pos + 1:]:
                if norms[b] == norms[a]:
                    reasons[b] = "structure/repeated-title"
            if any(r == "structure/repeated-title" for r in reasons.values()):
                Structure._breadcrumbs(head, norms, a, reasons)
                return a
        for b in head:
            if not _looks_like_headline(lines[b]):
                continue
            crumbs = [a for a in head if a < b and len(norms[a]) > len(norms[b]) and norms[a].endswith(norms[b])]
            if crumbs:
                Structure._breadcrumbs(head, norms, b, reasons)
                return b
        for i in head:
            if _is_prose(lines[i]):
                return None
            if _looks_like_headline(lines[i]) and not _is_menu_line(lines[i]) and Structure._stands_alone(lines, i):
                return i
        return None

    @staticmethod
    def _stands_alone(lines, i) -> bool:
        """A headline found by its shape alone is its own paragraph or leads into prose: the line
        after it is blank, prose, or the end, or it is one dateline or byline (a line with digits, or
        one followed by prose) between headline and body. A line followed straight by more short
        lines without digits is a line of verse or of a list (the menu-header cut would take a
        poem's title)."""
        def at(k: int) -> str:
            return lines[k] if k < len(lines) else ""

        nxt, after = at(i + 1), at(i + 2)
        if not nxt.strip() or _is_prose(nxt):
            return True
        return any(c.isdigit() for c in nxt) or _is_prose(after)

    @staticmethod
    def _breadcrumbs(head, norms, title_at, reasons) -> None:
        t = norms[title_at]
        for a in head:
            if a != title_at and len(norms[a]) > len(t) and norms[a].endswith(t) and len(norms[a]) - len(t) <= 80:
                reasons[a] = "structure/breadcrumb"

    @staticmethod
    def _placeholders(lines, nonblank, norms, reasons) -> None:
        for i in nonblank:
            if i not in reasons and norms[i].strip(" .:-") in PLACEHOLDERS:
                reasons[i] = "structure/placeholder"

    @staticmethod
    def _lone_links(doc: Document, lines, nonblank, reasons) -> None:
        """A bare URL right after (blank lines aside) an input line a rule removed: the promo's link."""
        rule_removed = sorted(r.line for r in doc.removed if not r.rule.startswith("structure/"))
        if not rule_removed:
            return
        numbers = original_line_numbers(doc)
        previous_kept = 0
        for i in nonblank:
            if i not in reasons and _URL_LINE.match(lines[i].strip()):
                between = [n for n in rule_removed if previous_kept < n < numbers[i]]
                if between:
                    reasons[i] = "structure/lone-link"
            previous_kept = numbers[i]

    @staticmethod
    def _repeated_paragraphs(lines, nonblank, norms, reasons) -> None:
        """Only a copy printed right after itself goes: a line repeated further down is far more
        often content (an interview's recurring question, a meal plan's recurring dish) than an echo."""
        previous = None
        for i in nonblank:
            if i in reasons:
                continue
            n = norms[i]
            if n == previous and len(_WORD.findall(n)) >= ADJACENT_REPEAT_WORDS:
                reasons[i] = "structure/repeated-paragraph"
            previous = n
