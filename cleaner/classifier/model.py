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

from cleaner.classifier.features import CONTEXT_NAMES, FEATURE_NAMES, context_rows
from cleaner.trees import compile_trees as _compile
from cleaner.trees import sigmoid as _sigmoid

DEFAULT_MODEL = "model.json"


class ChromeModel:
    """Probability that a line is chrome, from a feature row (see `features.FEATURE_NAMES`).

    Two stages: the stage-one trees score each line from its own row; the optional stage-two trees
    (`spec["stage2"]`) rescore it from its row plus the stage-one probabilities around it
    (`features.CONTEXT_NAMES`). `document(rows)` gives the final probability of every line of a
    document; lines whose stage-one probability is under `stage2_floor` keep it (they are never cut,
    and skipping them keeps the step cheap)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        if spec.get("features") != FEATURE_NAMES:
            raise ValueError("model was fitted on a different feature list; refit with bench/chrome_fit.py")
        self.spec = spec
        self.thresholds: dict[str, float] = dict(spec["thresholds"])
        n = len(FEATURE_NAMES)
        self._raw: Callable[[Sequence[float]], float] = _compile(spec["trees"], spec.get("bias", 0.0), n)
        st2 = spec.get("stage2")
        self._raw2: Callable[[Sequence[float]], float] | None = None
        self.stage2_floor = 0.0
        if st2:
            if st2.get("context") != CONTEXT_NAMES:
                raise ValueError("stage two was fitted on a different context list; refit with bench/chrome_fit.py")
            self._raw2 = _compile(st2["trees"], st2.get("bias", 0.0), n + len(CONTEXT_NAMES))
            self.stage2_floor = float(st2.get("floor", 0.0))

    def probability(self, row: Sequence[float]) -> float:
        """The stage-one probability of one row."""
        return _sigmoid(self._raw(row))

    def document(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """The final probability of each row of one document (rows in document order)."""
        p = [_sigmoid(self._raw(r)) for r in rows]
        if self._raw2 is None:
            return p
        raw2, floor = self._raw2, self.stage2_floor
        return [_sigmoid(raw2([*r, *c])) if q >= floor else q for r, q, c in zip(rows, p, context_rows(p))]

    @classmethod
    def from_path(cls, path: str | Path) -> "ChromeModel":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_model() -> ChromeModel:
    """The model shipped inside the package."""
    text = resources.files("cleaner.classifier").joinpath(DEFAULT_MODEL).read_text(encoding="utf-8")
    return ChromeModel(json.loads(text))
