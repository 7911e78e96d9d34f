"""Rule self-tests (`cleaner rules test`) and the rule listing (`cleaner rules list`).

Each example is placed in a small synthetic document in the region its rule applies to: a head
example before two prose sentences, a tail example after them, an `anywhere` example between them.
A drop example must be dropped by its own rule (and, for drop-line-and-next, a link on the next line
too; for drop-rest in the tail, a short form line after it). A keep example must survive the WHOLE
rule set, so one family's rule cannot silently eat another family's counter-examples.
"""
from __future__ import annotations

from cleaner.ruleset.compile import RuleSet
from cleaner.ruleset.coverage import covered_languages
from cleaner.ruleset.load import Rule

PROSE = [
    "The council met on Tuesday evening and voted to extend the library's opening hours through the winter.",
    "Residents who spoke at the meeting said the change would help students who study after work.",
]
_NEXT_LINK = "https://example.org/channel/abc123"
_AFTER_REST = "Post Comment"


def _document(rule: Rule, example: str) -> tuple[list[str], int]:
    """The synthetic document for an example and the index of the example line in it."""
    if rule.where == "head":
        return [example, "", *PROSE], 0
    if rule.where == "tail":
        return [*PROSE, "", example], 3
    return [PROSE[0], example, PROSE[1]], 1


def _check_drop(rule: Rule, alone: RuleSet, example: str) -> list[str]:
    lines, at = _document(rule, example)
    extra = None
    if rule.action == "drop-line-and-next":
        extra = len(lines) if at == len(lines) - 1 else at + 1
        lines.insert(extra, _NEXT_LINK)
    elif rule.action == "drop-rest" and rule.where == "tail":
        extra = len(lines)
        lines.append(_AFTER_REST)
    got = alone.match(lines)
    if got.get(at) != rule.name:
        return [f"{rule.name}: drop example not dropped ({rule.where}): {example!r}"]
    if extra is not None and got.get(extra) != rule.name:
        return [f"{rule.name}: {rule.action} did not take {lines[extra]!r} after {example!r}"]
    return []


def _check_keep(rule: Rule, everything: RuleSet, example: str) -> list[str]:
    lines, at = _document(rule, example)
    got = everything.match(lines)
    if at in got:
        return [f"{rule.name}: keep example dropped by {got[at]}: {example!r}"]
    return []


def run_examples(ruleset: RuleSet) -> list[str]:
    """Failure messages for every rule's examples; an empty list means all pass."""
    failures: list[str] = []
    for rule in ruleset.rules:
        failures.extend(check_rule(rule, ruleset))
    return failures


def check_rule(rule: Rule, ruleset: RuleSet) -> list[str]:
    """Failure messages for one rule's examples (drop ones by the rule alone, keep ones by all)."""
    failures: list[str] = []
    if not rule.examples.get("drop") or not rule.examples.get("keep"):
        failures.append(f"{rule.name}: needs both drop and keep examples")
    alone = RuleSet([rule])
    for example in rule.examples.get("drop", ()):
        failures.extend(_check_drop(rule, alone, example))
    for example in rule.examples.get("keep", ()):
        failures.extend(_check_keep(rule, ruleset, example))
    return failures


def format_rule_list(ruleset: RuleSet) -> str:
    """One line per rule: name, region, action, languages, pattern counts and description."""
    rows = [("RULE", "WHERE", "ACTION", "LANGS", "PAT", "RE", "SEL", "DESCRIPTION")]
    for r in ruleset.rules:
        rows.append((r.name, r.where, r.action, ",".join(sorted(r.langs)) or "*", str(len(r.patterns)),
                     str(len(r.regex)), str(len(r.selectors)), r.description))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1] for row in rows]
    families = sorted({r.family for r in ruleset.rules})
    langs = " ".join(sorted(covered_languages(ruleset.rules))) or "none"
    lines.append(f"{len(ruleset.rules)} rules in {len(families)} families; languages covered: {langs}")
    return "\n".join(lines)
