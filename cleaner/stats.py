"""Counters every step and source writes to; merged across workers and written next to the corpus."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


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

    def merge(self, other: "Stats") -> None:
        self.documents_in += other.documents_in
        self.documents_out += other.documents_out
        self.duplicate_clusters += other.duplicate_clusters
        self.duplicates_dropped += other.duplicates_dropped
        for name in ("lines_removed", "dropped", "failures", "languages", "events"):
            getattr(self, name).update(getattr(other, name))

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
        }
