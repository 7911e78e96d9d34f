"""Rule files are untrusted: no code execution, no hang on a catastrophic regex, clear errors."""
from __future__ import annotations

import pytest

from cleaner.ruleset import RuleError, load_rules

TEMPLATE = """rules:
  - id: evil
    description: a pattern that backtracks exponentially in a backtracking engine
    regex: ['{regex}']
    where: anywhere
    action: drop-line
    examples: {{drop: ['aaaa'], keep: ['b']}}
"""


@pytest.mark.timeout(20)
def test_catastrophic_regex_runs_in_linear_time(tmp_path):
    f = tmp_path / "evil.yaml"
    f.write_text(TEMPLATE.format(regex="(a+)+$"), encoding="utf-8")
    rules = load_rules([f], include_defaults=False)      # RE2 accepts it: it cannot backtrack
    hostile = "a" * 50_000 + "!"
    assert rules.match([hostile, "aaaa"]) == {1: "evil/evil"}
    # the default rules, too, finish on very long hostile lines
    assert load_rules().match([hostile, "x" * 200_000, "a " * 5_000]) is not None


@pytest.mark.timeout(20)
@pytest.mark.parametrize("regex", [r"(a)\1", "(?=a)b", "(?<!a)b", "(unclosed"])
def test_regex_re2_cannot_run_is_refused_clearly(tmp_path, regex):
    f = tmp_path / "evil.yaml"
    f.write_text(TEMPLATE.format(regex=regex.replace("'", "''")), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules([f], include_defaults=False)
    msg = str(e.value)
    assert str(f) in msg and "'evil'" in msg and "'regex'" in msg and "RE2" in msg


def test_wrong_type_names_file_rule_and_field(tmp_path):
    f = tmp_path / "typed.yaml"
    f.write_text(TEMPLATE.format(regex="a").replace("where: anywhere", "where: [head, tail]"), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules([f], include_defaults=False)
    assert str(f) in str(e.value) and "'evil'" in str(e.value) and "'where'" in str(e.value)


def test_missing_field_names_file_rule_and_field(tmp_path):
    f = tmp_path / "missing.yaml"
    f.write_text(TEMPLATE.format(regex="a").replace("    action: drop-line\n", ""), encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules([f], include_defaults=False)
    assert str(f) in str(e.value) and "'evil'" in str(e.value) and "'action'" in str(e.value) and "missing" in str(e.value)


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['echo pwned']", "!!python/object:builtins.dict {}",
                                 "!!python/name:os.system"])
def test_python_object_tags_are_refused(tmp_path, tag):
    f = tmp_path / "tagged.yaml"
    f.write_text(f"rules:\n  - id: x\n    description: {tag}\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_rules([f], include_defaults=False)
    assert str(f) in str(e.value) and "YAML" in str(e.value)


def test_oversized_rule_file_is_refused(tmp_path):
    f = tmp_path / "huge.yaml"
    f.write_text("# " + "x" * 2_100_000 + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match="limit"):
        load_rules([f], include_defaults=False)


def test_bad_css_selector_is_refused(tmp_path):
    f = tmp_path / "sel.yaml"
    f.write_text(TEMPLATE.format(regex="a").replace("    where:", "    selectors: ['div[[']\n    where:"), encoding="utf-8")
    with pytest.raises(RuleError, match="selectors"):
        load_rules([f], include_defaults=False)
