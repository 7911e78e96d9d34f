"""Step "chrome": drop the lines the chrome rules (rules/*.yaml) match, recording each rule name."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from cleaner.document import Document
from cleaner.registry import register_step
from cleaner.ruleset import RuleSet, covered_languages, load_rules, uncovered_line
from cleaner.steps import drop_lines
from cleaner.steps.base import Step


@register_step("chrome")
class ChromeStep(Step):
    """Applies a RuleSet to the document's lines; the rules are loaded and compiled once per step."""

    name = "chrome"

    @classmethod
    def settings(cls, options, shared):
        """The run's rule set (shared with extract)."""
        return {"ruleset": shared.ruleset()}

    def __init__(self, ruleset: RuleSet | None = None, rule_paths: Iterable[str | Path] = (),
                 include_defaults: bool = True):
        self.ruleset = ruleset if ruleset is not None else load_rules(
            [Path(p) for p in rule_paths], include_defaults=include_defaults)

    def __call__(self, doc: Document) -> Document:
        return drop_lines(doc, self.ruleset.match(doc.lines))


def coverage_note(stats: Mapping[str, Any], steps: Iterable[Any]) -> str:
    """The summary's line naming the detected languages no chrome rule covers, with a leading newline
    ("\n  no chrome rules for ja: 12 documents"); empty when all are covered or no chrome step ran."""
    rulesets = [step.ruleset for step in steps if isinstance(step, ChromeStep)]
    if not rulesets:
        return ""
    line = uncovered_line(stats.get("languages") or {}, covered_languages(r for rs in rulesets for r in rs.rules))
    return "\n" + line if line else ""
