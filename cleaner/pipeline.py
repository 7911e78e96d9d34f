"""The pipeline: sources -> per-document steps -> corpus steps (line counts, dedup) -> records.

Steps run in two phases. Phase A holds the steps that need nothing but the document (extraction,
repair, rules, structure). If a later step needs the corpus (it has a `bind(counts)` method: the
line classifier wants cross-document line counts), a cheap hash-only pass counts the lines of
phase A's output first, and phase B runs the remaining steps. Dedup signatures are computed per
document at the end of the last phase; clustering runs once over the signatures; records stream out
in input order. Documents between phases wait in a spool file, so memory holds signatures and
counts, never the corpus.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from cleaner.config import DEFAULT_STEPS, Options, load_config
from cleaner.document import Document
from cleaner.linefreq import LineCounts, document_keys, site_of
from cleaner.registry import make_step
from cleaner.sources import Failure
from cleaner.stats import Stats

Reporter = Callable[[Failure], None]


def report_to_stderr(f: Failure) -> None:
    print(f"cleaner: {f.source}: {f.reason}", file=sys.stderr, flush=True)


@dataclass
class Outcome:
    """What one document became in a phase: kept (doc), dropped (doc with reason) or failed."""

    doc: Document | None = None
    failure: Failure | None = None
    dropped: bool = False
    signature: Any = None


def build_steps(options: Options) -> list[Any]:
    """Instantiate the configured steps, wiring the built-ins to the options that concern them."""
    shared: dict[str, Any] = {}

    def ruleset() -> Any:
        if "ruleset" not in shared:
            from cleaner.ruleset import load_rules

            shared["ruleset"] = load_rules([Path(p) for p in options.rules], include_defaults=options.default_rules)
        return shared["ruleset"]

    wiring: dict[str, Callable[[], dict[str, Any]]] = {
        "chrome": lambda: {"ruleset": ruleset()},
        "extract": lambda: {"rules": ruleset(), "timeout": options.doc_timeout},
        "heuristics": lambda: {"mode": options.chrome},
        "filters": lambda: {"langs": options.langs, "min_chars": options.min_chars},
    }
    steps = []
    for name in options.steps:
        kwargs = wiring[name]() if name in wiring else {}
        kwargs.update(options.step_options.get(name, {}))
        steps.append(make_step(name, **kwargs))
    return steps


def apply_steps(steps: Iterable[Any], doc: Document) -> Outcome:
    """Run steps over one document; a step that raises fails the document, not the run."""
    for step in steps:
        applies_to = getattr(step, "applies_to", None)
        if applies_to is not None and doc.origin not in applies_to:
            continue
        try:
            out = step(doc)
        except Exception as e:  # noqa: BLE001 - hostile input must not end the run
            return Outcome(failure=Failure(doc.source, f"step {getattr(step, 'name', step)!r} failed: {type(e).__name__}: {e}", "step-error"))
        if out is None:
            doc.drop_reason = doc.drop_reason or f"dropped by {getattr(step, 'name', step)}"
            return Outcome(doc=doc, dropped=True)
        doc = out
    return Outcome(doc=doc)


class Pipeline:
    """A configured cleaning run. `Pipeline.default(**options)` is what the CLI builds."""

    def __init__(self, options: Options | None = None, steps: list[Any] | None = None):
        self.options = options or Options()
        self._steps = steps
        self.stats = Stats()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def default(cls, **options: Any) -> "Pipeline":
        """Defaults, then `[tool.cleaner]` of ./pyproject.toml (or `config=FILE`), then `options`."""
        config = options.pop("config", None)
        base = load_config(config)
        base.update({k: v for k, v in options.items() if v is not None})
        for key in ("rules", "langs", "steps"):
            if isinstance(base.get(key), (list, str)):
                v = base[key]
                base[key] = tuple(v.split(",")) if isinstance(v, str) else tuple(v)
        return cls(Options(**base))

    @property
    def steps(self) -> list[Any]:
        if self._steps is None:
            self._steps = build_steps(self.options)
        return self._steps

    def phases(self) -> tuple[list[Any], list[Any]]:
        """Split the steps before the first that needs corpus line counts."""
        for i, step in enumerate(self.steps):
            if hasattr(step, "bind"):
                return self.steps[:i], self.steps[i:]
        return self.steps, []

    # -- one document -------------------------------------------------------------------------
    def process(self, doc: Document) -> Document | None:
        """Clean one document with the per-document steps (no corpus context, no dedup)."""
        out = apply_steps(self.steps, doc)
        if out.failure:
            raise RuntimeError(out.failure.reason)
        return None if out.dropped else out.doc

    # -- a corpus -----------------------------------------------------------------------------
    def run(self, inputs: Iterable[Any], *, on_failure: Reporter = report_to_stderr,
            on_reject: Callable[[Document], None] | None = None,
            progress: Callable[[int, int], None] | None = None, checkpoint: str | None = None,
            resume: bool = False) -> Iterator[Document]:
        """Clean every input; yield the kept Documents in input order. Stats land in `self.stats`.

        `checkpoint` (usually the output path) keeps a resumable checkpoint beside it; `resume`
        continues one left by a killed run.
        """
        if isinstance(inputs, (str, Path, Document)):
            inputs = [inputs]
        if self.options.engine == "ray":
            from cleaner.engines.ray_engine import run_ray

            yield from run_ray(self, inputs, on_failure=on_failure, on_reject=on_reject)
            return
        from cleaner.engines.run import run_local

        yield from run_local(self, inputs, on_failure=on_failure, on_reject=on_reject, progress=progress,
                             checkpoint=checkpoint, resume=resume)
