#!/usr/bin/env python3
"""Mine chrome phrasing from whole-page scrapes, and measure what the rules remove on held-out sites.

    python3 bench/mine_chrome.py mine  [--bench ../shared/bench/pagetypes] [--top 60] [--min-sites 3] [--uncovered]
    python3 bench/mine_chrome.py check [--bench ...] [--sample 400] [--old-rules /work/main/rules] [--all-sites]

Sites (the URL's host without "www.") are split in two halves by a hash of the site: `mine` reads
only the MINE half, `check` only the CHECK half, so a rule written from the mined candidates is
measured on sites it never saw.

mine: every line of a page's `.page.txt` that is not in the page's gold text (`articleBody`) is
normalised (digits -> 0, lower-cased, whitespace folded, decoration trimmed) and counted once per
site; lines found outside the gold on at least --min-sites distinct sites are printed with their
site count, grouped by the page's language (seeded langdetect on the scrape). These are candidates
for a human to generalise into rules/*.yaml regexes; the benchmark lines themselves are evaluation
data and are not copied into the repository.

check: on a sample of CHECK-half pages, runs the rule matcher alone (cleaner.ruleset, the same code
as the `chrome` step) with the current rules and with the rules in --old-rules, and counts the lines
the current rules remove and the old ones did not: those in the gold text (content lost) and those
not in it (chrome removed), against the number of gold lines in the sample.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaner.ruleset import load_rules  # noqa: E402
from cleaner.ruleset.load import load_rule_file, rule_files  # noqa: E402
from cleaner.ruleset.compile import RuleSet  # noqa: E402

DEFAULT_BENCH = ROOT.parent / "shared" / "bench" / "pagetypes"
_DIGITS = re.compile(r"\d+")
_WS = re.compile(r"\s+")
_TRIM = " \t•·-–—|*#>»«:;,.!?()[]\"'"


def site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def half_of(site: str) -> str:
    """MINE or CHECK, fixed by the site's hash (the same split on every run and machine)."""
    return "mine" if hashlib.sha1(site.encode()).digest()[0] % 2 == 0 else "check"


def norm(line: str) -> str:
    s = unicodedata.normalize("NFKC", line).casefold()
    return _WS.sub(" ", _DIGITS.sub("0", s)).strip(_TRIM)


def gold_keys(gold: str) -> tuple[set[str], str]:
    """The gold text's normalised lines and its normalised whole text (for substring tests)."""
    lines = {norm(l) for l in gold.splitlines() if norm(l)}
    return lines, _WS.sub(" ", norm(gold.replace("\n", " ")))


def in_gold(line: str, lines: set[str], blob: str) -> bool:
    """A scrape line is content when it is a gold line, or a long enough piece of the gold text."""
    k = norm(line)
    return bool(k) and (k in lines or (len(k) >= 20 and k in blob))


def pages(bench: Path, half: str):
    """(id, site, scrape text, gold text) for the pages of one half of the sites, in id order."""
    for row in map(json.loads, (bench / "index.jsonl").read_text().splitlines()):
        site = site_of(row["url"])
        if half_of(site) != half:
            continue
        scrape = bench / "pages" / f"{row['id']}.page.txt"
        meta = bench / "pages" / f"{row['id']}.json"
        if scrape.exists() and meta.exists():
            yield row["id"], site, scrape.read_text(encoding="utf-8", errors="replace"), \
                json.loads(meta.read_text())["articleBody"]


def language(text: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return detect(text[:3000])
    except LangDetectException:
        return "und"


def mine(args) -> None:
    per_lang: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    langs: Counter = Counter()
    known = load_rules() if args.uncovered else None
    n = 0
    for _pid, site, scrape, gold in pages(args.bench, "mine"):
        n += 1
        lang = language(scrape)
        langs[lang] += 1
        glines, gblob = gold_keys(gold)
        for line in scrape.splitlines():
            k = norm(line)
            if not k or len(k) > 160 or in_gold(line, glines, gblob):
                continue
            if known is not None and known.rules_for_line(line):
                continue
            per_lang[lang][k].add(site)
    print(f"{n} pages of the MINE half; languages: {dict(langs.most_common())}")
    for lang, _ in langs.most_common():
        rows = sorted(((len(s), k) for k, s in per_lang[lang].items() if len(s) >= args.min_sites), reverse=True)
        if not rows:
            continue
        print(f"\n== {lang}: {len(rows)} lines outside the gold on >= {args.min_sites} sites")
        for count, k in rows[:args.top]:
            print(f"{count:4d}  {k}")


def load_dir(path: Path) -> RuleSet:
    return RuleSet(r for f in rule_files([path]) for r in load_rule_file(f, check_selectors=False))


def check(args) -> None:
    new = load_rules()
    old = load_dir(args.old_rules)
    sample = list(pages(args.bench, "check"))
    if args.all_sites:    # a set that was never mined (e.g. ../shared/bench/extraction): both halves are held out
        sample += list(pages(args.bench, "mine"))
    random.Random(args.seed).shuffle(sample)
    sample = sample[:args.sample]
    gold_total = lost = chrome = chrome_all = lost_all = 0
    lost_by_rule: Counter = Counter()
    chrome_by_rule: Counter = Counter()
    examples: list[str] = []
    for pid, _site, scrape, gold in sample:
        glines, gblob = gold_keys(gold)
        gold_total += len(glines)
        lines = scrape.splitlines()
        got_new, got_old = new.match(lines), old.match(lines)
        for i, rule in got_new.items():
            content = in_gold(lines[i], glines, gblob)
            lost_all += content
            chrome_all += not content
            if i in got_old:
                continue
            if content:
                lost += 1
                lost_by_rule[rule] += 1
                examples.append(f"{pid} {rule}: {lines[i].strip()[:100]}")
            else:
                chrome += 1
                chrome_by_rule[rule] += 1
    print(f"{'all sites' if args.all_sites else 'CHECK half'} of {args.bench.name}: {len(sample)} pages, {gold_total} gold lines")
    print(f"new rules (removed now, not by {args.old_rules}): chrome lines {chrome}, content lines {lost}"
          f" = {lost / max(gold_total, 1):.3%} of gold lines")
    print(f"all rules: chrome lines {chrome_all}, content lines {lost_all} = {lost_all / max(gold_total, 1):.3%}")
    print("chrome removed by the new rules, per rule:")
    for rule, k in chrome_by_rule.most_common(40):
        print(f"  {k:5d}  {rule}")
    if examples:
        print("content lines the new rules remove (to read, then fix the rule):")
        for line in examples[:args.show]:
            print("  " + line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=("mine", "check"))
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--top", type=int, default=60, help="candidates printed per language (mine)")
    ap.add_argument("--min-sites", type=int, default=3, help="distinct sites a line must recur on (mine)")
    ap.add_argument("--uncovered", action="store_true",
                    help="skip lines some current rule already matches (mine; regions ignored)")
    ap.add_argument("--sample", type=int, default=400, help="CHECK-half pages measured (check)")
    ap.add_argument("--all-sites", action="store_true", help="check every site (for a set never mined)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--old-rules", type=Path, default=Path("/work/main/rules"),
                    help="the rules before the change (check)")
    ap.add_argument("--show", type=int, default=40, help="content lines removed to print (check)")
    args = ap.parse_args()
    if not (args.bench / "index.jsonl").exists():
        sys.exit(f"mine_chrome: {args.bench}: no index.jsonl (pass --bench)")
    mine(args) if args.mode == "mine" else check(args)


if __name__ == "__main__":
    main()
