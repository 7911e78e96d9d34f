"""The fitted chrome model: gradient-boosted trees shipped as JSON, evaluated in pure Python.

`bench/chrome_fit.py` fits the trees with LightGBM and writes them as nested lists
`[feature, threshold, left, right]` (a leaf is a bare number; `x[feature] <= threshold` goes left).
Loading validates that shape and turns each tree into a Python expression compiled once, so
scoring a line is a few dozen comparisons: no pickle, no numpy, no LightGBM at run time.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

from cleaner.classifier.features import FEATURE_NAMES

DEFAULT_MODEL = "model.json"


def _expr(node: Any, n_features: int) -> str:
    """A tree as one nested conditional expression over the row `x` (numbers only, validated)."""
    if isinstance(node, (int, float)) and not isinstance(node, bool):
        return repr(float(node))
    if not (isinstance(node, list) and len(node) == 4):
        raise ValueError(f"bad tree node: {node!r:.80}")
    feat, thr, left, right = node
    if not isinstance(feat, int) or not 0 <= feat < n_features or not isinstance(thr, (int, float)):
        raise ValueError(f"bad split: {feat!r} {thr!r}")
    return f"({_expr(left, n_features)} if x[{feat}] <= {float(thr)!r} else {_expr(right, n_features)})"


class ChromeModel:
    """Probability that a line is chrome, from a feature row (see `features.FEATURE_NAMES`)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("features") != FEATURE_NAMES:
            raise ValueError("model was fitted on a different feature list; refit with bench/chrome_fit.py")
        self.spec = spec
        self.thresholds: dict[str, float] = dict(spec["thresholds"])
        n = len(FEATURE_NAMES)
        body = " + ".join(_expr(t, n) for t in spec["trees"]) or "0.0"
        code = compile(f"lambda x: {float(spec.get('bias', 0.0))!r} + {body}", "<chrome-model>", "eval")
        self._raw: Callable[[Sequence[float]], float] = eval(code, {"__builtins__": {}})  # noqa: S307 - validated numbers only

    def probability(self, row: Sequence[float]) -> float:
        z = self._raw(row)
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        return [self.probability(r) for r in rows]

    @classmethod
    def from_path(cls, path: str | Path) -> "ChromeModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_model() -> ChromeModel:
    """The model shipped inside the package."""
    text = resources.files("cleaner.classifier").joinpath(DEFAULT_MODEL).read_text(encoding="utf-8")
    return ChromeModel(json.loads(text))
