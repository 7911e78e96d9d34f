"""Partial Stats merged in order count exactly what adding every document to one Stats counts (the Ray
engine folds each block into a partial Stats on a worker and merges them on the driver)."""
from __future__ import annotations

import random
from collections import Counter

from cleaner.stats import Stats


class _Failure:
    def __init__(self, kind: str) -> None:
        self.kind = kind


def _outcomes(n: int) -> list[tuple]:
    """Documents and failures as a run sees them: accounting (rules, events, drop reason, step log)."""
    rng = random.Random(7)
    steps = ["extract", "heuristics", "langid", "linefreq"]
    out = []
    for i in range(n):
        if rng.random() < 0.1:
            out.append(("fail", _Failure(rng.choice(["bad-json", "too-large"]))))
            continue
        ran = steps[: rng.randint(1, len(steps))]
        if i == n // 2:
            ran = ran + ["late-step"]             # a step first seen in the middle of the run
        dropped = rng.random() < 0.3
        log = [(name, rng.choice([0.25, 0.5, 1.0]), rng.randint(0, 3),
                Counter({f"{name}/rule{rng.randint(0, 2)}": 1}) if rng.random() < 0.5 else None) for name in ran]
        rules = Counter({f"fam{rng.randint(0, 3)}/r{rng.randint(0, 2)}": rng.randint(1, 4)})
        events = Counter({f"ev{rng.randint(0, 2)}": 1})
        out.append(("drop" if dropped else "ok", (rules, events, "too short" if dropped and i % 2 else None, log)))
    return out


def _count(stats: Stats, outcomes: list[tuple]) -> Stats:
    for kind, payload in outcomes:
        if kind == "fail":
            stats.add_failure(payload)
        else:
            stats.add_document(payload, dropped=kind == "drop")
    return stats


def test_merged_partials_equal_one_stats():
    outcomes = _outcomes(300)
    whole = Stats()
    whole.expect_steps(["extract", "heuristics"])
    _count(whole, outcomes)

    merged = Stats()
    merged.expect_steps(["extract", "heuristics"])
    for start in range(0, len(outcomes), 37):                 # blocks of uneven size, merged in order
        merged.merge(_count(Stats(), outcomes[start:start + 37]))

    assert merged.to_dict() == whole.to_dict()
    assert list(merged.steps) == list(whole.steps)           # steps listed in the order first seen
    assert merged.to_dict()["steps"]["late-step"]["documents"] == 1
    assert merged.documents_in + sum(merged.failures.values()) == 300
