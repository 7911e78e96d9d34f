"""Running steps over one document: build the configured steps, split them into phases, apply them.

This is the layer every engine and the one-call API share; it knows steps only through the
contract of `cleaner.steps.base.Step` and never by name. Each step call is timed, and what the call
did (seconds, lines removed, events counted) is logged on the document (`doc.step_log`), so the
per-step stats travel with the document through worker processes, spools and checkpoints, and
`Stats.add_document` sums them the same way in every engine.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any, Callable, Iterable

from cleaner.config import ConfigError, Options
from cleaner.errors import DocumentFailure
from cleaner.document import Document
from cleaner.registry import get_step_factory
from cleaner.sources import Failure
from cleaner.steps.base import Step, as_step

Reporter = Callable[[Failure], None]


def report_to_stderr(f: Failure) -> None:
    """The default failure reporter: one line naming the input and the reason."""
    print(f"cleaner: {f.source}: {f.reason}", file=sys.stderr, flush=True)


@dataclass
class Outcome:
    """What one document became in a phase: kept (doc), dropped (doc with reason) or failed."""

    doc: Document | None = None
    failure: Failure | None = None
    dropped: bool = False


class Shared:
    """What several steps of one run share, built once on first use: the rule set."""

    def __init__(self, options: Options):
        self.options = options
        self._ruleset: Any = None

    def ruleset(self) -> Any:
        if self._ruleset is None:
            from cleaner.ruleset import load_rules

            self._ruleset = load_rules([Path(p) for p in self.options.rules], include_defaults=self.options.default_rules)
        return self._ruleset


def build_steps(options: Options) -> list[Step]:
    """Instantiate the configured steps: each Step class takes what it needs of the options
    (`Step.settings`), then its own `[step.NAME]` table, which wins."""
    shared = Shared(options)
    steps = []
    for name in options.steps:
        try:
            factory = get_step_factory(name)
        except KeyError as e:
            raise ConfigError(f"option 'steps': {e.args[0]}") from None
        kwargs = factory.settings(options, shared) if isinstance(factory, type) and issubclass(factory, Step) else {}
        own = options.step_options.get(name, {})
        kwargs.update(own)
        try:
            step = factory(**kwargs)
        except TypeError as e:
            if not own:
                raise
            raise ConfigError(f"[step.{name}]: {e}") from None     # an option the step does not take
        steps.append(as_step(name, step))
    return steps


def split_phases(steps: list[Step]) -> tuple[list[Step], list[Step]]:
    """Split the steps before the first that needs corpus line counts (phase A, phase B)."""
    for i, step in enumerate(steps):
        if step.needs_counts:
            return steps[:i], steps[i:]
    return steps, []


def prepare(steps: Iterable[Step], counts: Any = None) -> None:
    """Bind the corpus counts to the steps that need them and warm every step up (before forking)."""
    for step in steps:
        if counts is not None and step.needs_counts:
            step.bind(counts)
        step.warm_up()


def protected_lines(doc: Document) -> frozenset[int]:
    """The input lines of `doc` that no step may remove: the Markdown structure of a `.md` text,
    read before any step has changed its layout; none for other documents."""
    from cleaner.markdown import is_markdown, structure_lines

    if doc.origin != "text" or not doc.text or not is_markdown(doc.source):
        return frozenset()
    return structure_lines(doc.text)


def apply_steps(steps: Iterable[Step], doc: Document) -> Outcome:
    """Run steps over one document; a step that raises fails the document, not the run.

    Every call is logged on the document as (step name, seconds, lines removed, events counted).
    """
    if doc.protected is None:
        doc.protected = protected_lines(doc)
    log = doc.step_log
    for step in steps:
        if not step.applies(doc):
            continue
        removed, events = len(doc.removed), len(doc.events)
        start = perf_counter()
        try:
            out = step(doc)
        except DocumentFailure as e:     # the step's own one-line reason (a hostile page, a time limit)
            return Outcome(failure=Failure(doc.source, str(e), e.kind))
        except Exception as e:  # noqa: BLE001 - hostile input must not end the run
            return Outcome(failure=Failure(doc.source, f"step {step.name!r} failed: {type(e).__name__}: {e}", "step-error"))
        seconds = perf_counter() - start
        done = out if out is not None else doc
        log.append((step.name, seconds, len(done.removed) - removed, tuple(done.events[events:])))
        if out is None:
            doc.drop_reason = doc.drop_reason or f"dropped by {step.name}"
            return Outcome(doc=doc, dropped=True)
        if out is not doc:
            out.step_log = log
        doc = out
    return Outcome(doc=doc)


def accounting(doc: Document) -> tuple:
    """What the stats need of a processed document (`Stats.add_document`), small enough to send
    between processes in place of the document: (rules of removed lines, events, drop reason, step log)."""
    return [r.rule for r in doc.removed], list(doc.events), doc.drop_reason, doc.step_log
