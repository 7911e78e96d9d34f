"""The shipped rule files pass every check, CSS selectors included (runs skip the selector parse
for them: see cleaner.ruleset.load.load_rule_file)."""
from __future__ import annotations

import pytest

from cleaner.ruleset import default_rules_dir, load_rules
from cleaner.ruleset.load import RuleError, load_rule_file, rule_files


def test_every_shipped_rule_file_passes_the_full_checks():
    files = rule_files([default_rules_dir()])
    assert files
    full = [r for f in files for r in load_rule_file(f, check_selectors=True)]
    assert [r.name for r in full] == [r.name for r in load_rules().rules]
    assert any(r.selectors for r in full)


def test_a_user_rule_file_still_has_its_selectors_checked(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("rules:\n  - id: bad-selector\n    description: a broken selector\n    where: anywhere\n"
                   "    action: drop-line\n    patterns: ['Buy now']\n    selectors: ['div[[']\n"
                   "    examples: {drop: ['Buy now'], keep: ['A real sentence of the story.']}\n", encoding="utf-8")
    with pytest.raises(RuleError, match="selector"):
        load_rules([bad])
