"""Rule files are untrusted data: read them with yaml.safe_load and check every field.

File format (one file per chrome family; the family is the file's stem):

    description: optional text about the family
    rules:
      - id: leave-a-reply                 # [a-z0-9][a-z0-9_-]*, unique in the file
        description: WordPress comment-form heading
        patterns: ["Leave a Reply"]       # literal phrases: the WHOLE normalised line, any case
        regex: ['\\d+ comments?']         # RE2 syntax, whole normalised line (or its start, below)
        match: full                       # or prefix: the regex/phrase need only match the start
        where: tail                       # head | tail | anywhere
        action: drop-rest                 # drop-line | drop-line-and-next | drop-rest
        langs: [en]                       # the phrasing's languages (coverage; not a filter, see coverage.py)
        selectors: ["#respond"]           # optional CSS selectors for the HTML path
        examples: {drop: [...], keep: [...]}   # both required, non-empty

Any problem is a `RuleError` whose message is one line naming the file, the rule and the field.
Regexes must compile with RE2 (linear time, so no pattern can hang the run); Python-only syntax
(backreferences, lookaround) is rejected at load time rather than run with a timeout.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cleaner.ruleset.normalise import literal_key

WHERE = ("head", "tail", "anywhere")
ACTIONS = ("drop-line", "drop-line-and-next", "drop-rest")
MATCH_MODES = ("full", "prefix")
MAX_RULE_FILE_BYTES = 2_000_000
MAX_REGEX_CHARS = 2000
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
_LANG = re.compile(r"[a-z]{2,3}\Z")
# libyaml's safe loader when present (same safety as yaml.safe_load, ~20x faster); never a full Loader.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KNOWN_FIELDS = {"id", "description", "patterns", "regex", "match", "where", "action", "langs",
                 "selectors", "examples"}


class RuleError(ValueError):
    """A rule file that cannot be used; the message names file, rule and field on one line."""


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    description: str
    where: str
    action: str
    patterns: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    match: str = "full"
    langs: frozenset[str] = frozenset()
    selectors: tuple[str, ...] = ()
    examples: dict[str, tuple[str, ...]] = field(default_factory=dict)
    path: str = ""

    @property
    def name(self) -> str:
        return f"{self.family}/{self.id}"


def _fail(path: Path, rule: str | None, fld: str | None, why: str) -> RuleError:
    where = str(path)
    if rule is not None:
        where += f": rule {rule!r}"
    if fld is not None:
        where += f": field {fld!r}"
    return RuleError(f"{where}: {why}".replace("\n", " "))


def _str_list(path: Path, rid: str, fld: str, value: object, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(path, rid, fld, f"must be a list of strings, got {type(value).__name__}")
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise _fail(path, rid, fld, f"item {i} must be a non-empty string, got {item!r}"[:200])
    if not value and not allow_empty:
        raise _fail(path, rid, fld, "must not be empty")
    return tuple(value)


def _check_regex(path: Path, rid: str, pattern: str) -> None:
    """Parse the pattern with RE2 (cheap: a set's Add only parses); explain a failure with re2.compile."""
    import re2

    if len(pattern) > MAX_REGEX_CHARS:
        raise _fail(path, rid, "regex", f"pattern longer than {MAX_REGEX_CHARS} characters")
    options = re2.Options()
    options.log_errors = False
    try:
        re2.Set.FullMatchSet(options).Add(f"(?i:{pattern})")
        return
    except re2.error:
        pass
    try:
        re2.compile(pattern, options=options)
        msg = "cannot be combined with the other rules"
    except re2.error as e:
        msg = e.args[0].decode() if e.args and isinstance(e.args[0], bytes) else str(e)
    raise _fail(path, rid, "regex",
                f"{pattern!r} is not valid RE2 syntax ({msg}); backreferences and lookaround are not supported")


def _check_selector(path: Path, rid: str, selector: str) -> None:
    try:
        import soupsieve
    except ImportError:   # bs4 brings soupsieve; without it selectors are checked by their user
        return
    try:
        soupsieve.compile(selector)
    except Exception as e:  # soupsieve raises SelectorSyntaxError (and ValueError for some inputs)
        raise _fail(path, rid, "selectors", f"{selector!r} is not a valid CSS selector ({e})") from None


def parse_rule(path: Path, family: str, raw: object, index: int, check_selectors: bool = True) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(path, f"#{index}", None, f"a rule must be a mapping, got {type(raw).__name__}")
    rid = raw.get("id")
    if not isinstance(rid, str) or not _ID.match(rid):
        label = rid if isinstance(rid, str) else f"#{index}"
        why = "missing" if rid is None else f"must match [a-z0-9][a-z0-9_-]*, got {rid!r}"
        raise _fail(path, label, "id", why)
    unknown = sorted(set(map(str, raw)) - _KNOWN_FIELDS)
    if unknown:
        raise _fail(path, rid, unknown[0], f"unknown field (known: {', '.join(sorted(_KNOWN_FIELDS))})")
    for required in ("description", "where", "action", "examples"):
        if required not in raw:
            raise _fail(path, rid, required, "missing")
    description = raw["description"]
    if not isinstance(description, str) or not description.strip():
        raise _fail(path, rid, "description", "must be a non-empty string")
    where, action, match = raw["where"], raw["action"], raw.get("match", "full")
    for fld, value, allowed in (("where", where, WHERE), ("action", action, ACTIONS), ("match", match, MATCH_MODES)):
        if value not in allowed:
            raise _fail(path, rid, fld, f"must be one of {', '.join(allowed)}, got {value!r}")
    if "patterns" not in raw and "regex" not in raw:
        raise _fail(path, rid, "patterns", "missing (a rule needs patterns or regex)")
    patterns = _str_list(path, rid, "patterns", raw.get("patterns", []), allow_empty="regex" in raw)
    for p in patterns:
        if not literal_key(p):
            raise _fail(path, rid, "patterns", f"{p!r} is only decoration once normalised")
    regexes = _str_list(path, rid, "regex", raw.get("regex", []), allow_empty="patterns" in raw)
    for p in regexes:
        _check_regex(path, rid, p)
    langs = _str_list(path, rid, "langs", raw.get("langs", []), allow_empty=True)
    for code in langs:
        if not _LANG.match(code):
            raise _fail(path, rid, "langs", f"{code!r} is not a lower-case ISO 639 code")
    selectors = _str_list(path, rid, "selectors", raw.get("selectors", []), allow_empty=True)
    if check_selectors:
        for s in selectors:
            _check_selector(path, rid, s)
    examples = raw["examples"]
    if not isinstance(examples, dict):
        raise _fail(path, rid, "examples", "must be a mapping with drop and keep lists")
    bad = sorted(set(map(str, examples)) - {"drop", "keep"})
    if bad:
        raise _fail(path, rid, f"examples.{bad[0]}", "unknown field (use drop and keep)")
    checked: dict[str, tuple[str, ...]] = {}
    for kind in ("drop", "keep"):
        if kind not in examples:
            raise _fail(path, rid, f"examples.{kind}", "missing (every rule needs both drop and keep examples)")
        checked[kind] = _str_list(path, rid, f"examples.{kind}", examples[kind])
    return Rule(id=rid, family=family, description=description.strip(), where=where, action=action,
                patterns=patterns, regex=regexes, match=match, langs=frozenset(langs),
                selectors=selectors, examples=checked, path=str(path))


def load_rule_file(path: Path, check_selectors: bool = True) -> list[Rule]:
    """The rules of one YAML file, checked; raises RuleError on the first problem.

    `check_selectors=False` skips parsing the CSS selectors with soupsieve (~0.25 s per process:
    its import and first compiles): for the shipped rules, which the test suite checks in full
    (tests/test_rules_shipped.py)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_RULE_FILE_BYTES:
            raise _fail(path, None, None, f"rule file is {size} bytes, over the {MAX_RULE_FILE_BYTES} limit")
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise _fail(path, None, None, f"cannot read rule file ({e})") from None
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as e:
        raise _fail(path, None, None, f"not safe, valid YAML ({' '.join(str(e).split())})") from None
    if not isinstance(data, dict):
        raise _fail(path, None, None, "top level must be a mapping with a 'rules' list")
    extra = sorted(set(map(str, data)) - {"rules", "description"})
    if extra:
        raise _fail(path, None, extra[0], "unknown top-level field (use description and rules)")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise _fail(path, None, "rules", "must be a non-empty list of rules")
    family = path.stem
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        rule = parse_rule(path, family, raw, i, check_selectors)
        if rule.id in seen:
            raise _fail(path, rule.id, "id", "duplicate rule id in this file")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def rule_files(paths: list[Path]) -> list[Path]:
    """Expand directories to their *.yaml / *.yml files (sorted by name); keep files as given."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted((f for f in p.iterdir() if f.suffix in (".yaml", ".yml") and f.is_file()),
                              key=lambda f: f.name))
        elif p.exists():
            out.append(p)
        else:
            raise RuleError(f"{p}: no such rule file or directory")
    return out
