"""The step contract: what every per-document step (built-in or plugin) declares and does.

A step is a `Step` subclass. The runner (`cleaner.steps.run`) and the engines read only these
members, never a step's name or any attribute of their own:

  name          the registry name; the stats count the step's time and work under it
  applies_to    the document origins it runs on ("text": scraped text, "html": extracted from a
                page); None runs it on every document
  needs_counts  True when it reads corpus-wide line counts: it then runs in the second phase, after
                the count pass, and gets the counts through `bind(counts)` first
  warm_up()     load what the step loads lazily (profiles, stop lists) now; engines call it before
                they fork workers, so the workers inherit the data instead of each loading it
  __call__(doc) the cleaned document, or None to drop it (with `doc.drop_reason` set first)
  count(doc, event)  record something worth counting ("page-type/forum"); it lands in the stats
                under the step that recorded it and in the run's `events`
  settings(options, shared)  (class method) the keyword arguments the step takes from the run's
                options (`--chrome`, `--lang`, the rule files...); its `[step.NAME]` table wins

A plugin that is a plain callable (an object with `__call__(doc)` only) is wrapped by the registry
in `CallableStep`, which runs it on every document in the first phase.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from cleaner.document import Document


class Step:
    """Base class of every step; override `__call__` and, where they apply, the members below."""

    name: str = ""
    applies_to: Optional[tuple[str, ...]] = None
    needs_counts: bool = False

    def __call__(self, doc: Document) -> Document | None:
        raise NotImplementedError

    @classmethod
    def settings(cls, options: Any, shared: Any) -> dict[str, Any]:
        """Keyword arguments from the run's `Options`; `shared.ruleset()` is the run's one RuleSet.
        Default: none (the step takes only its `[step.NAME]` table)."""
        return {}

    def bind(self, counts: Any) -> None:
        """Receive the corpus line counts (called once per phase, only when `needs_counts`)."""

    def warm_up(self) -> None:
        """Load lazily-loaded data now (before the engine forks its workers). Default: nothing."""

    def applies(self, doc: Document) -> bool:
        """Whether this step runs on `doc` (by its origin)."""
        return self.applies_to is None or doc.origin in self.applies_to

    def count(self, doc: Document, event: str) -> None:
        """Count `event` for this document (stats: the run's `events` and this step's)."""
        doc.events.append(event)


class CallableStep(Step):
    """A plain callable registered as a step (a plugin written before the contract): runs everywhere."""

    def __init__(self, name: str, fn: Callable[[Document], Document | None]):
        self.name = name
        self.fn = fn

    def __call__(self, doc: Document) -> Document | None:
        return self.fn(doc)


def as_step(name: str, obj: Any) -> Step:
    """`obj` as a Step: itself when it is one, else wrapped (its registry name becomes its name)."""
    if isinstance(obj, Step):
        if not obj.name:
            obj.name = name
        return obj
    if not callable(obj):
        from cleaner.errors import ConfigError

        raise ConfigError(f"step {name!r}: its factory made a {type(obj).__name__}, neither a cleaner.Step nor callable")
    return CallableStep(name, obj)
