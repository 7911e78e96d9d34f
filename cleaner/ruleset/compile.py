"""All rules compiled into one matcher: a dict of literal phrases plus two RE2 sets.

Per line: one dict lookup of the casefolded normalised line (literal phrases), one RE2 FullMatchSet
(regexes matched on the whole line) and one RE2 anchored-start set (`match: prefix`), both returning
the indices of every regex that matched, so a rule that does not apply to the line's region cannot
hide another that does. RE2 runs in time linear in the line, whatever the pattern.

Order of actions in `RuleSet.match`:
  1. every non-blank line shorter than MAX_RULE_LINE is matched against all rules (whatever their
     `langs:`, which only declares coverage: see `coverage`);
  2. content anchors are found (see `normalise`), giving the head and tail regions. A prose line
     matched only by head/tail rules is still an anchor, so such a rule can never remove prose;
     a prose line matched by an `anywhere` rule is not an anchor (it is dropped in any case);
  3. each matched line takes the applicable rule (its `where` holds for the line) with the strongest
     action (drop-rest > drop-line-and-next > drop-line), ties broken by load order (files sorted
     by name, rules in file order);
  4. sweeps, in line order: `drop-line-and-next` also drops the next non-blank line when it is a bare
     link (URL, domain/path, @handle, e-mail) on its own; `drop-rest` drops every line after it, but
     only when the trigger is in the tail (after the last content anchor, so it can never remove
     article prose; a document without anchors gets no sweep); elsewhere it acts as `drop-line`. A swept line that matched a rule of its own
     keeps its own rule name.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from cleaner.ruleset.load import Rule, RuleError
from cleaner.ruleset.normalise import MAX_RULE_LINE, bare, is_link_like, literal_key, looks_like_prose, normalise

_STRENGTH = {"drop-rest": 2, "drop-line-and-next": 1, "drop-line": 0}


def _re2_options():
    import re2

    options = re2.Options()
    options.log_errors = False
    return options


class _RegexSet:
    """RE2 sets (chunks of up to CHUNK patterns, so no single automaton outgrows RE2's memory budget)
    plus the rule index of each pattern. Match returns the rules of every pattern that matched.

    Each set is one more scan of the line, so fewer, larger sets are faster: 128 patterns a set
    matched the shipped rules (362 regexes, 3 sets at 64 MB) in 0.29 s per 30,600 scraped lines
    against 0.41 s at 48 a set (8 sets). The patterns are cut into equal chunks of at most CHUNK
    (the shipped ones into 7 of ~52, each fitting 8 MB at the first try: a failed compile costs as
    much as a good one, and 128 a chunk halved to fit took 0.53 s to build instead of 0.3 s). A chunk
    that does not fit RE2's memory budget is split in halves until it does; a single pattern that does
    not fit is retried alone with MAX_MEM_ALONE, and only one that cannot compile even then is an error.

    MAX_MEM is also the bound of each set's lazily built DFA cache, which fills as new lines are
    matched and so grew a run's memory with its input until the bound: at 64 MB the 4 sets took
    48 MB more after 8,000 documents (117,000 lines) and ~6 KB per added document of a whole run's
    peak; at 8 MB (7 + 1 sets) ~3 MB more, the same matches, ~10 us more per line (cache resets)."""

    CHUNK = 56
    MAX_MEM = 8 << 20
    MAX_MEM_ALONE = 64 << 20     # a single pattern too large for MAX_MEM still compiles, alone

    def __init__(self, anchored_full: bool):
        self._anchored_full = anchored_full
        self._patterns: list[tuple[str, int]] = []
        self._sets: list[tuple[object, list[int]]] = []

    def add(self, pattern: str, rule_index: int) -> None:
        self._patterns.append((f"(?i:{pattern})", rule_index))

    def compile(self) -> "_RegexSet | None":
        if not self._patterns:
            return None
        sets = -(-len(self._patterns) // self.CHUNK)
        size = -(-len(self._patterns) // sets)
        for start in range(0, len(self._patterns), size):
            self._compile_chunk(self._patterns[start:start + size])
        return self

    def _compile_chunk(self, chunk: list[tuple[str, int]], max_mem: int | None = None) -> None:
        import re2

        options = _re2_options()
        options.max_mem = max_mem or self.MAX_MEM
        factory = re2.Set.FullMatchSet if self._anchored_full else re2.Set.MatchSet
        rset = factory(options)
        for pattern, _ in chunk:
            rset.Add(pattern)
        try:
            rset.Compile()
        except re2.error:
            if len(chunk) > 1:
                half = len(chunk) // 2
                self._compile_chunk(chunk[:half])
                self._compile_chunk(chunk[half:])
                return
            if options.max_mem < self.MAX_MEM_ALONE:
                self._compile_chunk(chunk, self.MAX_MEM_ALONE)
                return
            raise RuleError(f"rules: the regex of rule {chunk[0][1]} is too large to compile; simplify it") from None
        self._sets.append((rset, [r for _, r in chunk]))

    def rules_matching(self, text: str) -> list[int]:
        found: list[int] = []
        for rset, owners in self._sets:
            hits = rset.Match(text)
            if hits:
                found.extend(owners[h] for h in hits)
        return found


@dataclass
class _Compiled:
    literal: dict[str, list[int]]
    full: _RegexSet | None
    prefix: _RegexSet | None


class RuleSet:
    """A checked, compiled set of rules. Picklable (it recompiles after unpickling)."""

    def __init__(self, rules: Iterable[Rule]):
        self.rules: list[Rule] = list(rules)
        self._compiled = self._compile()

    def __getstate__(self):
        return {"rules": self.rules}

    def __setstate__(self, state):
        self.rules = state["rules"]
        self._compiled = self._compile()

    def __len__(self) -> int:
        return len(self.rules)

    def _compile(self) -> _Compiled:
        import re2

        literal: dict[str, list[int]] = {}
        full, prefix = _RegexSet(True), _RegexSet(False)
        for i, rule in enumerate(self.rules):
            target = prefix if rule.match == "prefix" else full
            for p in rule.regex:
                target.add(p, i)
            for p in rule.patterns:
                if rule.match == "prefix":
                    prefix.add(re2.escape(normalise(p)), i)
                else:
                    literal.setdefault(literal_key(p), []).append(i)
        return _Compiled(literal, full.compile(), prefix.compile())

    @property
    def selectors(self) -> list[tuple[str, str]]:
        """(rule name, CSS selector) for the HTML path, in rule order."""
        return [(r.name, s) for r in self.rules for s in r.selectors]

    def rules_for_line(self, line: str) -> list[int]:
        """Indices of the rules whose patterns match this line, in load order (regions ignored)."""
        if not line.strip() or len(line) > MAX_RULE_LINE:
            return []
        c = self._compiled
        norm = normalise(line)
        if not norm:     # decoration only: regexes see the bare line (an empty bullet), literals nothing
            norm = bare(line)
            found: set[int] = set()
        else:
            found = set(c.literal.get(norm.casefold(), ()))
        if c.full is not None:
            found.update(c.full.rules_matching(norm))
        if c.prefix is not None:
            found.update(c.prefix.rules_matching(norm))
        return sorted(found)

    def match(self, lines: list[str]) -> dict[int, str]:
        """0-based index -> "family/rule-id" for every line the rules drop (blank lines never)."""
        hits = {i: r for i, line in enumerate(lines) if (r := self.rules_for_line(line))}
        anchors = [i for i, line in enumerate(lines)
                   if looks_like_prose(line) and not any(self.rules[k].where == "anywhere" for k in hits.get(i, ()))]
        first, last = (anchors[0], anchors[-1]) if anchors else (len(lines), -1)

        def applies(rule: Rule, i: int) -> bool:
            return rule.where == "anywhere" or (rule.where == "head" and i < first) or (rule.where == "tail" and i > last)

        chosen: dict[int, Rule] = {}
        for i, candidates in hits.items():
            usable = [self.rules[k] for k in candidates if applies(self.rules[k], i)]
            if usable:
                chosen[i] = max(usable, key=lambda r: _STRENGTH[r.action])   # max keeps the first of ties
        out = {i: rule.name for i, rule in chosen.items()}
        for i in sorted(chosen):
            rule = chosen[i]
            if rule.action == "drop-line-and-next":
                j = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
                if j is not None and j not in out and is_link_like(lines[j]):
                    out[j] = rule.name
            elif rule.action == "drop-rest" and anchors and i > last:
                for j in range(i + 1, len(lines)):
                    if lines[j].strip() and j not in out:
                        out[j] = rule.name
                break
        return out
