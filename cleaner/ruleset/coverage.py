"""Which languages the chrome rules cover, and the summary line that names the ones they do not.

A rule's `langs:` field names the language(s) its phrasing is written in. It does not restrict the
documents a rule applies to: the chrome step runs before language ID, pages mix languages (an
English share bar on a German page), and on the chrome dev set filtering rules by the detected
language changed no removal. A language is *covered* when some rule names it; documents in other
languages still get the language-neutral rules, but their comment forms and menus go unrecognised,
so the run summary names those languages once rather than passing them silently.
"""
from __future__ import annotations

from typing import AbstractSet, Iterable, Mapping

from cleaner.ruleset.load import Rule

UNDETERMINED = "und"


def covered_languages(rules: Iterable[Rule]) -> frozenset[str]:
    """Every language some rule names in its `langs:` field."""
    return frozenset(code for rule in rules for code in rule.langs)


def uncovered_documents(languages: Mapping[str, int], covered: AbstractSet[str]) -> dict[str, int]:
    """Documents per detected language that no rule covers, most documents first (`und` left out)."""
    rows = [(lang, n) for lang, n in languages.items() if n and lang != UNDETERMINED and lang not in covered]
    return dict(sorted(rows, key=lambda kv: (-kv[1], kv[0])))


def uncovered_line(languages: Mapping[str, int], covered: AbstractSet[str]) -> str | None:
    """`  no chrome rules for ja: 12 documents, ko: 1 document`, or None when every language is covered."""
    missing = uncovered_documents(languages, covered)
    if not missing:
        return None
    parts = [f"{lang}: {n} document{'s' if n != 1 else ''}" for lang, n in missing.items()]
    return "  no chrome rules for " + ", ".join(parts)
