"""The default chrome rules: every rule's own examples, the matcher's regions and actions, schema errors."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.ruleset import (RuleError, RuleSet, covered_languages, default_rules_dir, format_rule_list, load_rules,
                             normalise, run_examples, uncovered_line)
from cleaner.ruleset.examples import check_rule

RULES = load_rules()
FAMILIES = ["comments", "comment-moderation", "related", "share", "follow-promos", "newsletter", "paywall", "ads", "cookies",
            "copyright", "navigation", "repeated-title", "byline", "tags", "source", "credits", "author-bio", "prev-next",
            "site-ui", "search-login"]
PROSE = [
    "The committee published its findings on Wednesday after a review that lasted almost two years.",
    "Officials said the new rules would take effect in the spring and apply to every district.",
]


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.name)
def test_rule_examples(rule):
    assert rule.examples["drop"] and rule.examples["keep"], "every rule needs drop and keep examples"
    assert check_rule(rule, RULES) == []


def test_every_family_has_a_file_with_rules():
    families = {r.family for r in RULES.rules}
    assert set(FAMILIES) <= families
    for fam in FAMILIES:
        assert (default_rules_dir() / f"{fam}.yaml").is_file()


def test_run_examples_and_listing():
    assert run_examples(RULES) == []
    listing = format_rule_list(RULES)
    assert "comments/leave-a-reply-en" in listing and f"{len(RULES.rules)} rules in" in listing
    assert listing.splitlines()[-1].endswith("languages covered: de en es fr it ja nl pl pt ru tr zh")


def test_decoration_only_lines_reach_regexes_not_literals():
    # An empty bullet is chrome; a scene break or a Markdown rule is not, and blank lines are never reported.
    doc = [PROSE[0], "- ", "* * *", "---", "   ", PROSE[1]]
    assert RULES.match(doc) == {1: "site-ui/empty-bullet"}
    assert RuleSet([]).match(doc) == {}


def test_normalised_line():
    assert normalise("  • LEAVE A REPLY |  ") == "LEAVE A REPLY"
    assert normalise("Don\u2019t\u00a0miss:") == "Don't miss"
    assert normalise("Ｓｏｕｒｃｅ link.") == "Source link"


def test_phrase_never_matches_inside_a_sentence():
    lines = [PROSE[0], "He clicked the source link to verify the claim.", "Source link", PROSE[1]]
    assert RULES.match(lines) == {2: "source/source-link"}


def test_drop_rest_only_sweeps_the_tail():
    doc = [PROSE[0], "Leave a Reply", PROSE[1], "", "Leave a Reply", "Name *", "Some Reader", "Post Comment"]
    got = RULES.match(doc)
    assert got[1] == "comments/leave-a-reply-en"      # a drop-rest outside the tail is a drop-line
    assert 2 not in got                               # prose after it is never swept
    assert {4, 5, 6, 7} <= set(got)
    assert got[6] == "comments/leave-a-reply-en"      # swept line without a rule of its own


def test_drop_line_and_next_takes_only_a_link():
    doc = [PROSE[0], PROSE[1], "Follow the Example Readers channel on WhatsApp:", "https://whatsapp.com/channel/abc"]
    assert set(RULES.match(doc)) == {2, 3}
    doc2 = [PROSE[0], "Follow us on Twitter", "Strategic backdrop", PROSE[1]]
    assert set(RULES.match(doc2)) == {1}


def test_region_rules_never_take_prose():
    # a tail rule whose regex could match prose: the line is a content anchor, so it stays
    doc = [PROSE[0], "Next year the plant will double its output, and after that, the next."]
    assert RULES.match(doc) == {}


def test_blank_lines_never_reported_and_idempotent():
    doc = ["", "Advertisement", "", PROSE[0], "", "Share this:", "", PROSE[1], "", "Leave a Reply", "", "Website", ""]
    got = RULES.match(doc)
    assert all(doc[i].strip() for i in got)
    once = [l for i, l in enumerate(doc) if i not in got]
    assert RULES.match(once) == {}


def test_langs_declare_coverage_not_a_filter():
    # An Italian comment form on a page in any language is still removed; `langs:` names coverage.
    doc = [PROSE[0], PROSE[1], "Lascia un commento"]
    assert RULES.match(doc) == {2: "comments/leave-a-reply-it"}
    covered = covered_languages(RULES.rules)
    assert {"en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "ja", "zh", "tr"} <= covered
    assert uncovered_line({"en": 5, "ko": 12, "und": 3, "th": 1}, covered) == \
        "  no chrome rules for ko: 12 documents, th: 1 document"
    assert uncovered_line({"en": 5, "ja": 2}, covered) is None


@pytest.mark.parametrize("lang", ["en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "ja", "zh", "tr"])
def test_each_covered_language_has_the_main_families(lang):
    # Comment forms, share bars, navigation and cookie/legal text are named for each of the twelve.
    families = {r.family for r in RULES.rules if lang in r.langs}
    assert {"comments", "share", "navigation", "cookies", "promos", "forum", "author-bio", "prev-next", "related"} <= families


def test_selectors_exposed():
    sels = RULES.selectors
    assert ("comments/leave-a-reply-en", "#respond") in sels
    assert all(isinstance(n, str) and isinstance(s, str) for n, s in sels)


def test_ruleset_pickles():
    again = pickle.loads(pickle.dumps(RULES))
    assert again.match(["Source link"]) == RULES.match(["Source link"])


def test_chrome_step_records_removals():
    from cleaner.steps.chrome import ChromeStep

    doc = Document(id="x", source="t.txt", text="\n".join([PROSE[0], "Advertisement", PROSE[1], "", "Source link"]))
    out = ChromeStep(ruleset=RULES)(doc)
    assert out.text == "\n".join([PROSE[0], PROSE[1], ""])
    assert [(r.line, r.rule) for r in out.removed] == [(2, "ads/ad-label"), (5, "source/source-link")]


def test_user_rules_add_and_replace(tmp_path: Path):
    f = tmp_path / "house.yaml"
    f.write_text("""
rules:
  - id: house-promo
    description: our own promo line
    patterns: ["Buy the print edition"]
    where: anywhere
    action: drop-line
    examples: {drop: ["Buy the print edition"], keep: ["She bought the print edition."]}
""", encoding="utf-8")
    only = load_rules([f], include_defaults=False)
    assert [r.name for r in only.rules] == ["house/house-promo"]
    both = load_rules([f])
    assert len(both.rules) == len(RULES.rules) + 1
    assert both.match(["Buy the print edition", "Advertisement"]) == {0: "house/house-promo", 1: "ads/ad-label"}


def _write(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    return f


GOOD = """rules:
  - id: r1
    description: d
    patterns: ["x y"]
    where: anywhere
    action: drop-line
    examples: {drop: ["x y"], keep: ["x y z"]}
"""


@pytest.mark.parametrize("old,new,field", [
    ('    description: d\n', '', "description"),
    ('where: anywhere', 'where: middle', "where"),
    ('action: drop-line', 'action: explode', "action"),
    ('patterns: ["x y"]', 'patterns: "x y"\n    langs: english', "langs"),
    ('examples: {drop: ["x y"], keep: ["x y z"]}', 'examples: {drop: ["x y"]}', "examples.keep"),
    ('examples: {drop: ["x y"], keep: ["x y z"]}', 'examples: {drop: ["x y"], keep: []}', "examples.keep"),
    ('patterns: ["x y"]', 'patterns: [3]', "patterns"),
    ('patterns: ["x y"]', 'regex: ["(a)\\\\1"]', "regex"),
    ('    where: anywhere\n', '    where: anywhere\n    colour: red\n', "colour"),
])
def test_schema_errors_name_file_rule_and_field(tmp_path, old, new, field):
    assert old in GOOD
    f = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RuleError) as e:
        load_rules([f], include_defaults=False)
    msg = str(e.value)
    assert "\n" not in msg and str(f) in msg and "'r1'" in msg and f"'{field}'" in msg


def test_duplicate_id_and_empty_file(tmp_path):
    f = _write(tmp_path, GOOD + GOOD.split("rules:\n", 1)[1])
    with pytest.raises(RuleError, match="duplicate"):
        load_rules([f], include_defaults=False)
    f.write_text("", encoding="utf-8")
    with pytest.raises(RuleError, match="top level"):
        load_rules([f], include_defaults=False)
    with pytest.raises(RuleError, match="no such"):
        load_rules([tmp_path / "missing.yaml"], include_defaults=False)


def test_empty_ruleset_matches_nothing():
    assert RuleSet([]).match(["Advertisement"]) == {}


def test_regex_sets_split_when_a_chunk_outgrows_the_memory_budget(monkeypatch):
    # Large sets are faster (one scan each); a chunk that does not fit is halved until it does, and
    # matching is the same whatever the split.
    from cleaner.ruleset import compile as compiled

    patterns = [f"w{i}x [a-z ]{{0,300}} end" for i in range(40)]
    roomy = compiled._RegexSet(True)
    for i, p in enumerate(patterns):
        roomy.add(p, i)
    monkeypatch.setattr(compiled._RegexSet, "MAX_MEM", 64 << 20)
    roomy.compile()
    monkeypatch.setattr(compiled._RegexSet, "MAX_MEM", 4 << 20)
    tight = compiled._RegexSet(True)
    for i, p in enumerate(patterns):
        tight.add(p, i)
    tight.compile()
    assert len(tight._sets) > len(roomy._sets) == 1
    for text in ("w7x hello end", "w39x end", "w7x hello"):
        assert tight.rules_matching(text) == roomy.rules_matching(text)
    monkeypatch.setattr(compiled._RegexSet, "MAX_MEM", 1 << 16)
    monkeypatch.setattr(compiled._RegexSet, "MAX_MEM_ALONE", 1 << 16)
    alone = compiled._RegexSet(True)
    alone.add("[a-z ]{0,900} end", 3)
    with pytest.raises(RuleError, match="rule 3 is too large"):
        alone.compile()


def test_a_pattern_too_large_for_a_shared_set_compiles_alone():
    # Sets keep a small budget (it also bounds each set's DFA cache, which otherwise grows with the
    # input); one pattern that needs more than that gets a set of its own with the old, larger budget.
    import re2

    from cleaner.ruleset import compile as compiled
    from cleaner.ruleset.load import Rule

    big = r"\pL{1,999}"
    options = re2.Options()
    options.log_errors, options.max_mem = False, compiled._RegexSet.MAX_MEM
    small = re2.Set.FullMatchSet(options)
    small.Add(f"(?i:{big})")
    with pytest.raises(re2.error):
        small.Compile()                       # the premise: it does not fit the shared budget
    rules = RuleSet([Rule(id="long-word", family="t", description="", where="anywhere", action="drop-line",
                          regex=(big,))])
    assert rules.rules_for_line("Supercalifragilistic") == [0]
    assert rules.rules_for_line("two words") == []
