"""The run's counters, written next to the corpus: documents, lines removed, drops, failures,
languages, dedup, and per step its time and work.

Workers never share a Stats: each processed document carries its accounting (what its steps
removed, counted and spent, `cleaner.steps.run.accounting`), and the engine that receives it adds
it here with `add_document` — one function, the same for the local and the Ray engine.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass
class StepStats:
    """One step's share of the run: time in its calls, documents it ran on, what it did to them."""

    seconds: float = 0.0
    documents: int = 0
    dropped: int = 0
    lines_removed: int = 0
    events: Counter = field(default_factory=Counter)

    def add(self, seconds: float, documents: int, dropped: int, lines_removed: int, events: Any) -> None:
        """Add one call's (or a partial run's) time and work."""
        self.seconds += seconds
        self.documents += documents
        self.dropped += dropped
        self.lines_removed += lines_removed
        if events:
            self.events.update(events)

    def to_dict(self) -> dict[str, Any]:
        return {"seconds": round(self.seconds, 3), "documents": self.documents, "dropped": self.dropped,
                "lines_removed": self.lines_removed, "events": dict(sorted(self.events.items(), key=lambda kv: (-kv[1], kv[0])))}


@dataclass
class Stats:
    documents_in: int = 0
    documents_out: int = 0
    lines_removed: Counter = field(default_factory=Counter)   # "family/rule-id" -> lines
    dropped: Counter = field(default_factory=Counter)         # reason -> documents
    failures: Counter = field(default_factory=Counter)        # kind -> inputs or records
    languages: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)          # anything else worth counting
    duplicate_clusters: int = 0
    duplicates_dropped: int = 0
    steps: dict[str, StepStats] = field(default_factory=dict)   # step name -> its time and work

    def expect_steps(self, names: Iterable[str]) -> None:
        """List these steps (in this order) even if no document reaches them."""
        for name in names:
            self.steps.setdefault(name, StepStats())

    def add_document(self, accounting: tuple, dropped: bool) -> None:
        """Count one processed document from its accounting (rules, events, drop reason, step log)."""
        rules, events, reason, log = accounting
        self.documents_in += 1
        self.lines_removed.update(rules)
        self.events.update(events)
        if dropped:
            self.dropped[reason or "dropped"] += 1
        step = None
        for name, seconds, removed, counted in log:
            step = self.steps.get(name)
            if step is None:                # once per step and run (no throwaway StepStats per document)
                step = self.steps[name] = StepStats()
            step.add(seconds, 1, 0, removed, counted)
        if dropped and step is not None:
            step.dropped += 1               # the last step that ran is the one that dropped it

    def merge(self, other: "Stats") -> None:
        """Add a partial Stats (counted with `add_document` and `add_failure` elsewhere, e.g. one block
        of a Ray run): the same counters as counting its documents here, steps in first-seen order."""
        self.documents_in += other.documents_in
        self.documents_out += other.documents_out
        for mine, theirs in ((self.lines_removed, other.lines_removed), (self.dropped, other.dropped),
                             (self.failures, other.failures), (self.languages, other.languages),
                             (self.events, other.events)):
            mine.update(theirs)
        self.duplicate_clusters += other.duplicate_clusters
        self.duplicates_dropped += other.duplicates_dropped
        for name, theirs in other.steps.items():
            self.steps.setdefault(name, StepStats()).add(theirs.seconds, theirs.documents, theirs.dropped,
                                                         theirs.lines_removed, theirs.events)

    def add_failure(self, failure: Any) -> None:
        """Count an input or record that failed (by its kind)."""
        self.failures[failure.kind] += 1

    def add_kept(self, lang: str) -> None:
        """Count a document written to the corpus."""
        self.documents_out += 1
        self.languages[lang] += 1

    def families(self) -> Counter:
        """Lines removed per rule family (the part of the rule name before the slash)."""
        out: Counter = Counter()
        for rule, n in self.lines_removed.items():
            out[rule.split("/", 1)[0]] += n
        return out

    def to_dict(self) -> dict[str, Any]:
        srt = lambda c: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))  # noqa: E731
        return {
            "documents_in": self.documents_in,
            "documents_out": self.documents_out,
            "lines_removed_total": sum(self.lines_removed.values()),
            "lines_removed_by_family": srt(self.families()),
            "lines_removed": srt(self.lines_removed),
            "documents_dropped": srt(self.dropped),
            "duplicate_clusters": self.duplicate_clusters,
            "duplicates_dropped": self.duplicates_dropped,
            "languages": srt(self.languages),
            "failures": srt(self.failures),
            "failures_total": sum(self.failures.values()),
            "events": srt(self.events),
            "steps": {name: step.to_dict() for name, step in self.steps.items()},
        }


STATS_FILE_KEYS = frozenset({"documents_in", "documents_out", "failures_total"})


def is_stats_file(obj: Any) -> bool:
    """True when a JSON object is a run's stats file (`Stats.to_dict`), as written beside a corpus."""
    return isinstance(obj, dict) and STATS_FILE_KEYS <= obj.keys()


def format_step_times(stats: dict[str, Any]) -> str:
    """`  time per step: extract 1.2 s, langid 0.3 s, ...` from a stats dict ('' when it has none)."""
    steps = stats.get("steps") or {}
    if not steps:
        return ""
    shown = lambda x: f"{x:.1f}" if x >= 1 else f"{x:.2f}"  # noqa: E731
    return "  time per step: " + ", ".join(f"{name} {shown(s['seconds'])} s" for name, s in steps.items())
