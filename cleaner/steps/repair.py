"""Step "repair": fix mojibake (ftfy, conservative) and HTML character references left in the text.

ftfy runs with a conservative config: no quote uncurling, no width or ligature folding (they change
correct text in some languages, NeMo-Curator #476), no line-break fixing (the number of lines must
not change: removals name input line numbers), NFC normalisation. ftfy's own entity decoding is off;
this module decodes references itself because ftfy leaves several kinds of real-world damage:

Entity policy (applied before ftfy, so mojibake hidden behind entities, `Caf&Atilde;&copy;`, is
then fixed by ftfy):
1. Numeric references follow the HTML standard (`html.unescape`): the cp1252 range 128-159 means
   the Windows-1252 character (`&#146;` -> ’, `&#150;` -> –); NUL, surrogates and out-of-range
   values become U+FFFD. A missing semicolon is tolerated (`&#8217s`): `&#` + digits is never prose.
2. Named references with a semicolon that are HTML5 entities are decoded (case-sensitive), plus
   ALL-CAPS spellings of lower-case entities that are not themselves entities (`&EACUTE;` -> É),
   as ftfy does.
3. Named references WITHOUT a semicolon are decoded only for a small set: the legacy (pre-HTML5)
   names of letters (`caf&eacute`) and of `copy reg nbsp amp quot lt gt` (`&copy 2020`); never
   word-like names such as `&not`, `&para`, `&times`, `&eth` ("this &not that" is prose). They must
   not be followed by `=` (a query parameter, as the HTML standard rules for attributes), and the
   symbol names must not follow a letter or digit.
4. Double (and deeper) escaping is undone: decoding repeats until nothing changes
   (`&amp;quot;` -> `"`, `&amp;#8217;` -> ’, `&amp;amp;amp;` -> `&`).
5. Misspelled entity (project policy; browsers would print it verbatim): an UNKNOWN named reference
   with a semicolon is replaced when its name is close to exactly one quote, apostrophe, dash or
   space entity (`rsquo ldquo ndash nbsp ...`), ignoring case: optimal-string-alignment
   (Damerau-Levenshtein) distance 1 (`&rsqou;`, `&emdash;`, `&nbps;`, `&quote;`, `&Rdquo;`), or
   distance 2 when the name keeps the candidate's first letter and last three letters (`&rddequo;`
   -> ”: the direction letter and the `quo` stem survive), and no other candidate is as close
   (`&xdquo;` is as close to ldquo as to rdquo: left; `&foo;` is close to nothing: left). A real
   HTML5 entity, or an ALL-CAPS one known to rule 2, is never "corrected".
6. Inside a URL (a token with `://`, starting with `www.`, or shaped like a query string) `&` is a
   parameter separator: only references that decode to `& " ' < >` (escaping of the URL itself,
   `?a=1&amp;b=2`) are decoded there; `?a=1&lang=en&copy=2` is left alone.
7. A reference that decodes to a line break (`&#10;`, `&#8232;`) becomes a space: lines keep their
   input line numbers.

`repair_text` never raises (lone surrogates become U+FFFD, ftfy errors fall back to the input) and
is idempotent: it repeats its passes until the text stops changing.
"""
from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from html.entities import html5 as _HTML5

import ftfy
from ftfy.fixes import fix_surrogates

from cleaner.document import Document
from cleaner.registry import register_step
from cleaner.steps.base import Step

FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # done here, with the policy above
    uncurl_quotes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    normalization="NFC",
    explain=False,
)
MAX_ROUNDS = 4

# Named entities with a semicolon: "name;" -> text (case-sensitive), plus ALL-CAPS forms.
_NAMED: dict[str, str] = {k[:-1]: v for k, v in _HTML5.items() if k.endswith(";")}
_UPPER: dict[str, str] = {}
for _name, _char in list(_NAMED.items()):
    if _name == _name.lower() and _name.upper() not in _NAMED:
        _UPPER[_name.upper()] = _char.upper()

# Rule 3: semicolon-less names we accept.
_LEGACY = {k for k in _HTML5 if not k.endswith(";")}
_WORDLIKE_LETTERS = {"eth", "ETH"}
_BARE_SYMBOLS = {"copy", "COPY", "reg", "REG", "nbsp", "amp", "AMP", "quot", "QUOT", "lt", "LT", "gt", "GT"}
_BARE_LETTERS = {
    n for n in _LEGACY
    if n not in _WORDLIKE_LETTERS and len(_HTML5[n]) == 1 and unicodedata.category(_HTML5[n]).startswith("L")
}

# Rule 5: candidates for a misspelled entity.
_FUZZY_TARGETS = (
    "apos", "quot", "lsquo", "rsquo", "sbquo", "ldquo", "rdquo", "bdquo", "lsaquo", "rsaquo",
    "laquo", "raquo", "ndash", "mdash", "minus", "hyphen", "nbsp", "ensp", "emsp", "thinsp",
)

# Rule 6: characters whose escaping may appear inside a URL.
_URL_SAFE_DECODED = {"&", '"', "'", "<", ">"}
_LINE_BREAKS = {"\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"}

_REFERENCE = re.compile(r"&(?:#([0-9]{1,16})|#[xX]([0-9a-fA-F]{1,16})|([A-Za-z][A-Za-z0-9]{0,31}))(;?)")
_URL_TOKEN = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)\S+|\S*\?[^\s=&?]+=[^\s&]*&\S+")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def osa_distance(a: str, b: str) -> int:
    """Optimal string alignment (restricted Damerau-Levenshtein) distance: edits and transpositions."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


@functools.lru_cache(maxsize=4096)
def misspelled_entity(name: str) -> str | None:
    """The quote/dash/space character an unknown entity name most likely meant (rule 5), or None."""
    low = name.lower()
    if name in _NAMED or name in _UPPER or not low.isalpha() or not 3 <= len(low) <= 10:
        return None
    found: list[tuple[int, str]] = []
    for target in _FUZZY_TARGETS:
        if abs(len(low) - len(target)) > 2:
            continue
        d = osa_distance(low, target)
        if d <= 1 or (d == 2 and len(target) >= 5 and low[0] == target[0] and low[-3:] == target[-3:]):
            found.append((d, target))
    if not found:
        return None
    found.sort()
    if len(found) > 1 and found[0][0] == found[1][0]:
        return None  # as close to two candidates: leave it
    return _NAMED[found[0][1]]


def _decode_reference(m: re.Match[str], in_url: bool) -> str:
    dec, hexa, name, semi = m.groups()
    text = m.group(0)
    if dec is not None or hexa is not None:
        out = html.unescape(f"&#{dec};" if dec is not None else f"&#x{hexa};")
    elif semi:
        out = _NAMED.get(name) or _UPPER.get(name) or ("" if in_url else misspelled_entity(name) or "")
        if not out:
            return text
    else:
        if in_url:
            return text
        end = m.end()
        follows = m.string[end:end + 1]
        precedes = m.string[m.start() - 1:m.start()] if m.start() else ""
        if follows == "=":
            return text
        if name in _BARE_LETTERS:
            out = _HTML5[name]
        elif name in _BARE_SYMBOLS and not precedes.isalnum():
            out = _HTML5[name]
        else:
            return text
    if in_url and out not in _URL_SAFE_DECODED:
        return text
    if any(c in _LINE_BREAKS for c in out):
        out = "".join(" " if c in _LINE_BREAKS else c for c in out)
    return out


def _decode_references_once(text: str) -> str:
    if "&" not in text:
        return text
    url_spans = [m.span() for m in _URL_TOKEN.finditer(text)] if ("/" in text or "?" in text or "www." in text) else []
    starts = [a for a, _ in url_spans]

    def sub(m: re.Match[str]) -> str:
        pos = m.start()
        i = bisect.bisect_right(starts, pos) - 1          # the URL span that could hold pos (spans are sorted)
        in_url = i >= 0 and pos < url_spans[i][1]
        return _decode_reference(m, in_url)

    return _REFERENCE.sub(sub, text)


def decode_references(text: str) -> str:
    """Apply the entity policy of this module, repeating to undo double escaping."""
    for _ in range(8):
        new = _decode_references_once(text)
        if new == text:
            break
        text = new
    return text


def _needs_ftfy(line: str) -> bool:
    """Pure printable-ASCII lines cannot change under this config (no entity, no escape, no mojibake)."""
    return not (line.isascii() and line.isprintable()) or "&" in line


def _ftfy_lines(text: str) -> str:
    """ftfy on the lines that can change only (it costs ~18 µs a line even on an empty one)."""
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if line and _needs_ftfy(line):
            try:
                fixed = ftfy.fix_text(line, FTFY_CONFIG)
            except Exception:  # ftfy should not raise; if it does, keep the entity-repaired line
                continue
            if fixed != line:
                lines[i] = fixed
                changed = True
    return "\n".join(lines) if changed else text


def _repair_once(text: str) -> str:
    text = _LONE_SURROGATE.sub("\ufffd", fix_surrogates(text))
    text = decode_references(text)
    fixed = _ftfy_lines(text)
    if fixed.count("\n") != text.count("\n"):
        return text  # never change the number of lines
    return _LONE_SURROGATE.sub("\ufffd", fixed)


def repair_text(text: str) -> str:
    """Mojibake and entity repair of one text (see the module docstring). Idempotent, never raises."""
    if not isinstance(text, str) or not text:
        return text if isinstance(text, str) else ""
    for _ in range(MAX_ROUNDS):
        new = _repair_once(text)
        if new == text:
            break
        text = new
    return text


class Repair(Step):
    """Repairs `doc.text` and `doc.title`; never drops a document."""

    name = "repair"

    def __call__(self, doc: Document) -> Document:
        doc.text = repair_text(doc.text)
        if doc.title:
            doc.title = repair_text(doc.title)
        return doc


register_step("repair")(Repair)
