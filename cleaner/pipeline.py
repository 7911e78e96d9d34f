"""The pipeline: sources -> per-document steps -> corpus steps (line counts, dedup) -> records.

`Pipeline` is the front of a run: options (defaults, config file, arguments), the built steps and
the stats; `run` hands them to the engine the options name (local or Ray). It sits above the
engines and nothing below imports it: engines run steps through `cleaner.steps.run`.

Steps run in two phases. Phase A holds the steps that need nothing but the document (extraction,
repair, rules, structure). If a later step needs the corpus (`needs_counts`: the line classifier
wants cross-document line counts), a cheap hash-only pass counts the lines of
phase A's output first, and phase B runs the remaining steps. Dedup signatures are computed per
document at the end of the last phase; clustering runs once over the signatures; records stream out
in input order. Documents between phases wait in a spool file, so memory holds signatures and
counts, never the corpus.
"""
from __future__ import annotations

from pathlib import Path
from types import FunctionType
from typing import Any, Callable, Iterable, Iterator

from cleaner.config import Options, load_config, make_options
from cleaner.document import Document
from cleaner.stats import Stats
from cleaner.steps.base import Step, as_step
from cleaner.steps.run import Reporter, apply_steps, build_steps, report_to_stderr, split_phases

__all__ = ["Pipeline", "apply_steps", "build_steps", "report_to_stderr"]


def _callable_name(obj: Any) -> str:
    return obj.__name__ if isinstance(obj, FunctionType) else type(obj).__name__.lower()


class Pipeline:
    """A configured cleaning run. `Pipeline.default(**options)` is what the CLI builds."""

    def __init__(self, options: Options | None = None, steps: list[Any] | None = None):
        """`steps`: ready steps instead of `options.steps` (a plain callable is wrapped as a Step
        named after its function or class)."""
        self.options = options or Options()
        self._steps = [as_step(_callable_name(s), s) for s in steps] if steps is not None else None
        self.stats = Stats()

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def default(cls, **options: Any) -> "Pipeline":
        """Defaults, then `[tool.cleaner]` of ./pyproject.toml (or `config=FILE`), then `options`."""
        config = options.pop("config", None)
        base = load_config(config)
        base.update({k: v for k, v in options.items() if v is not None})
        return cls(make_options(base))          # lists and comma-separated names: Options' checks

    @property
    def steps(self) -> list[Step]:
        """The configured steps, built on first use."""
        if self._steps is None:
            self._steps = build_steps(self.options)
        return self._steps

    def phases(self) -> tuple[list[Step], list[Step]]:
        """Split the steps before the first that needs corpus line counts."""
        return split_phases(self.steps)

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
        if self.options.engine == "ray":                 # imported here: Ray is an optional extra
            from cleaner.engines.ray_engine import run_ray

            yield from run_ray(self, inputs, on_failure=on_failure, on_reject=on_reject)
            return
        from cleaner.engines.run import run_local

        yield from run_local(self, inputs, on_failure=on_failure, on_reject=on_reject, progress=progress,
                             checkpoint=checkpoint, resume=resume)
