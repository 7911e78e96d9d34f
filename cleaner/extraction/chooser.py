"""The fitted chooser: which candidate text to keep for a page, and what kind of page it is.

`bench/extraction_fit.py` fits LightGBM trees on the pagetypes benchmark (site-grouped folds) and
writes them as nested lists `[feature, threshold, left, right]` (a leaf is a bare number; `x[feature]
<= threshold` goes left) in `chooser.json`. Here they are walked in pure Python: no pickle, no
LightGBM at run time, a few hundred comparisons a page.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

from cleaner.extraction.signals import FEATURES

# Each is weighed against trafilatura's fast path ("trafilatura"): the page's text, the forum posts, and
# trafilatura's full run with its fallback extractors ("full", computed only when chosen).
ALTERNATIVES = ("page", "forum", "full")
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")


# The page-text candidate replaces trafilatura's text only on a page that does not look like an article
# and where trafilatura kept less than half of the page's text: a long article that trafilatura found is
# never swapped for the whole page (on news pages the fitted gain model alone did that wrongly, see
# bench/extraction_fit.py). Set by hand, not fitted; checked on the held-out news pages.
import os
PAGE_MAX_ARTICLE = float(os.environ.get("PAGE_MAX_ARTICLE", 0.5))
PAGE_MAX_TRAF_SHARE = float(os.environ.get("PAGE_MAX_TRAF_SHARE", 0.7))
_TRAF_SHARE = FEATURES.index("traf_over_page")


def page_allowed(stacked_row: Sequence[float]) -> bool:
    """May the page text replace trafilatura's on this page (signal row + type probabilities)?"""
    p_article = stacked_row[len(FEATURES) + PAGE_TYPES.index("article")]
    return p_article < PAGE_MAX_ARTICLE and stacked_row[_TRAF_SHARE] < PAGE_MAX_TRAF_SHARE


def _check(node: Any, n: int) -> None:
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            continue
        if not (isinstance(node, list) and len(node) == 4 and isinstance(node[0], int) and 0 <= node[0] < n
                and isinstance(node[1], (int, float))):
            raise ValueError(f"bad tree node in chooser model: {node!r:.80}")
        stack.extend(node[2:])


def tree_value(node: Any, x: Sequence[float]) -> float:
    while isinstance(node, list):
        node = node[2] if x[node[0]] <= node[1] else node[3]
    return float(node)


class Chooser:
    """Page-type probabilities, then for each alternative the probability that it beats trafilatura.

    The gain models see the page's signals plus the page-type probabilities (stacked: in the fit the
    probabilities come from models that did not see the page's site). An alternative is taken when its
    probability passes its own margin, chosen on held-out sites; otherwise trafilatura's text stays.
    """

    def __init__(self, spec: dict[str, Any]):
        if spec.get("features") != FEATURES:
            raise ValueError("chooser was fitted on a different feature list; refit with bench/extraction_fit.py")
        if tuple(spec.get("page_types", ())) != PAGE_TYPES or tuple(spec.get("alternatives", ())) != ALTERNATIVES:
            raise ValueError("chooser model does not match this version's candidates; refit it")
        n = len(FEATURES)
        self.margins = {k: float(spec["margins"][k]) for k in ALTERNATIVES}
        self.gain_trees = {k: list(spec["gain_trees"][k]) for k in ALTERNATIVES}
        self.type_trees = list(spec["type_trees"])
        for t in self.type_trees:
            _check(t, n)
        for trees in self.gain_trees.values():
            for t in trees:
                _check(t, n + len(PAGE_TYPES))

    @classmethod
    def from_path(cls, path: str) -> "Chooser":
        from pathlib import Path

        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def type_probabilities(self, row: Sequence[float]) -> list[float]:
        k = len(PAGE_TYPES)
        z = [0.0] * k
        for i, t in enumerate(self.type_trees):
            z[i % k] += tree_value(t, row)
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def decide(self, row: Sequence[float], available: dict[str, bool] | None = None) -> tuple[str, str, float]:
        """(candidate to keep, page type, its probability) for one page's signal row."""
        probs = self.type_probabilities(row)
        best_type = max(range(len(PAGE_TYPES)), key=lambda i: probs[i])
        x = list(row) + probs
        wins = {}
        for k in ALTERNATIVES:
            if available is not None and not available.get(k):
                continue
            if k == "page" and not page_allowed(x):
                continue
            z = sum(tree_value(t, x) for t in self.gain_trees[k])
            p = 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
            if p > self.margins[k]:
                wins[k] = p - self.margins[k]
        pick = max(wins, key=lambda k: wins[k]) if wins else "trafilatura"
        return pick, PAGE_TYPES[best_type], probs[best_type]


@lru_cache(maxsize=1)
def default_chooser() -> Chooser | None:
    """The chooser shipped in the package (None before one was fitted)."""
    try:
        text = resources.files("cleaner.extraction").joinpath("chooser.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return Chooser(json.loads(text))
