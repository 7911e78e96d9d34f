"""Fitted tree ensembles shipped as JSON: validated and compiled once into plain Python.

The fitting scripts in `bench/` export LightGBM trees as nested lists `[feature, threshold, left,
right]` (a leaf is a bare number; `x[feature] <= threshold` goes left). Loading checks that shape
(numbers only, feature indexes in range) and compiles each ensemble into one expression, so scoring a
row is a few dozen comparisons: no pickle, no numpy, no LightGBM at run time. Used by the line
classifier (`cleaner.classifier.model`) and the extraction chooser (`cleaner.extraction.chooser`).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence


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


def compile_trees(trees: list, bias: float, n: int) -> Callable[[Sequence[float]], float]:
    """`bias` plus the sum of the trees' leaves for a row of `n` features, as one compiled function."""
    body = " + ".join(_expr(t, n) for t in trees) or "0.0"
    code = compile(f"lambda x: {float(bias)!r} + {body}", "<fitted-trees>", "eval")
    return eval(code, {"__builtins__": {}})  # noqa: S307 - validated numbers only


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0
