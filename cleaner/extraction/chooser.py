"""The fitted chooser: which candidate text to keep for a page, and what kind of page it is.

`bench/extraction_fit.py` fits LightGBM trees on the pagetypes and news benchmarks (site-grouped
folds) and writes them to `chooser.json` in the shape `cleaner.trees` validates and compiles: no
pickle, no LightGBM at run time, a few hundred comparisons a page.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any, Sequence

from cleaner.extraction.signals import FEATURES
from cleaner.trees import compile_trees, sigmoid

# Each is weighed against trafilatura's fast path ("trafilatura"): the page's text, the forum posts, and
# trafilatura's full run with its fallback extractors ("full", computed only when chosen).
ALTERNATIVES = ("page", "forum", "full")
PAGE_TYPES = ("article", "collection", "documentation", "forum", "listing", "product", "service")


# The page-text candidate replaces trafilatura's text only on a page that does not look like an article
# and where trafilatura kept less than 70% of the page's text: a long article that trafilatura found is
# never swapped for the whole page (on news pages the fitted gain model alone did that wrongly, see
# bench/extraction_fit.py). Set by hand, not fitted: of the shares 0.35 / 0.5 / 0.7 tried with the
# article bound at 0.5, 0.7 gave the best out-of-fold pagetypes F1 (0.817 against 0.813 and 0.810) for
# 0.002 less on the news pages (0.959 against 0.961), measured before the news pages joined the fit.
PAGE_MAX_ARTICLE = 0.5
PAGE_MAX_TRAF_SHARE = 0.7
_TRAF_SHARE = FEATURES.index("traf_over_page")


def page_allowed(stacked_row: Sequence[float]) -> bool:
    """May the page text replace trafilatura's on this page (signal row + type probabilities)?"""
    p_article = stacked_row[len(FEATURES) + PAGE_TYPES.index("article")]
    return p_article < PAGE_MAX_ARTICLE and stacked_row[_TRAF_SHARE] < PAGE_MAX_TRAF_SHARE


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
        n, k = len(FEATURES), len(PAGE_TYPES)
        self.margins = {a: float(spec["margins"][a]) for a in ALTERNATIVES}
        # LightGBM's multiclass trees take turns: tree i belongs to class i % k
        self._type_scores = [compile_trees(list(spec["type_trees"])[c::k], 0.0, n) for c in range(k)]
        self._gains = {a: compile_trees(list(spec["gain_trees"][a]), 0.0, n + k) for a in ALTERNATIVES}

    @classmethod
    def from_path(cls, path: str) -> "Chooser":
        from pathlib import Path

        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def type_probabilities(self, row: Sequence[float]) -> list[float]:
        z = [score(row) for score in self._type_scores]
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
            p = sigmoid(self._gains[k](x))
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
