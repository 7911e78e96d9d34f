"""Chrome rules: YAML data files, loaded safely and compiled into one fast line matcher.

    rs = load_rules()                      # the default rules (shipped in the wheel)
    rs.match(lines) -> {index: "family/rule-id"}
    rs.selectors -> [(rule name, CSS selector)]
    covered_languages(rs.rules) -> the languages some rule names (`langs:`)

See `normalise` for what a rule sees (normalised line, head and tail), `load` for the file format
and its checks, `compile` for the matcher and the order of actions, `examples` for rule self-tests, `coverage` for
what `langs:` means.
"""
from __future__ import annotations

from pathlib import Path

from cleaner.ruleset.compile import RuleSet
from cleaner.ruleset.coverage import covered_languages, uncovered_line
from cleaner.ruleset.examples import format_rule_list, run_examples
from cleaner.ruleset.load import Rule, RuleError, load_rule_file, rule_files
from cleaner.ruleset.normalise import normalise

__all__ = ["Rule", "RuleError", "RuleSet", "covered_languages", "default_rules_dir", "format_rule_list", "load_rules",
           "normalise", "run_examples", "uncovered_line"]


def default_rules_dir() -> Path:
    """`cleaner/_rules` inside an installed wheel, else the repository's `rules/` beside the package."""
    package_dir = Path(__file__).resolve().parent.parent
    shipped = package_dir / "_rules"
    if shipped.is_dir():
        return shipped
    return package_dir.parent / "rules"


def load_rules(paths: list[Path] | None = None, include_defaults: bool = True) -> RuleSet:
    """Load the default rules (unless excluded) then the given files/directories into one RuleSet.

    A later rule with the same `family/id` as an earlier one replaces it (a user file named like a
    default family can override single rules); otherwise rules add up in load order.
    """
    sources: list[Path] = []
    if include_defaults:
        defaults = default_rules_dir()
        if not defaults.is_dir():
            raise RuleError(f"{defaults}: default rules directory not found (reinstall cleaner)")
        sources.append(defaults)
    sources.extend(Path(p) for p in (paths or ()))
    by_name: dict[str, Rule] = {}
    shipped = default_rules_dir().resolve()
    for f in rule_files(sources):
        # The shipped files' selectors are checked by the test suite, not on every run.
        for rule in load_rule_file(f, check_selectors=f.resolve().parent != shipped):
            by_name.pop(rule.name, None)
            by_name[rule.name] = rule
    return RuleSet(by_name.values())
