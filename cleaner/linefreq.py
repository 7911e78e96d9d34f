"""Cross-document line frequency: how many documents (and documents of the same site) hold a line.

Built once per run by a cheap first pass over the cleaned-so-far documents (8-byte hashes only, each
line counted once per document), shared by the chrome classifier (a short line that recurs across
the corpus is template) and near-duplicate shingling (template lines are not story). Only short lines
are counted, so a quote repeated across articles is never treated as chrome.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from typing import Iterable, Iterator
from urllib.parse import urlsplit

MAX_COUNTED_CHARS = 200   # longer lines are prose: never template
_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


def normalise_line(line: str) -> str:
    """Case, width, whitespace and digit runs folded: '12 Comments' and '3 comments' are one template."""
    s = unicodedata.normalize("NFKC", line).casefold()
    s = _DIGITS.sub("0", s)
    return _WS.sub(" ", s).strip()


def line_key(line: str) -> int:
    return int.from_bytes(hashlib.blake2b(normalise_line(line).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def line_keys(lines: list[str]) -> list[int]:
    """`[line_key(l) for l in lines]`, normalising the lines as one text: NFKC, casefolding and digit
    folding are done once over the joined lines ("\n" is a boundary for all three), the rest per line.
    The same keys as line_key, several times faster for a document's worth of lines."""
    if not lines:
        return []
    joined = "\n".join(lines)
    if joined.count("\n") != len(lines) - 1:        # a line holding "\n" itself: one by one
        return [line_key(l) for l in lines]
    folded = _DIGITS.sub("0", unicodedata.normalize("NFKC", joined).casefold()).split("\n")
    if len(folded) != len(lines):                   # never expected; stay exact regardless
        return [line_key(l) for l in lines]
    # " ".join(f.split()) is _WS.sub(" ", f).strip(): re's \s and str.split both use str.isspace.
    blake, from_bytes = hashlib.blake2b, int.from_bytes
    return [from_bytes(blake(" ".join(f.split()).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            for f in folded]


def document_keys(lines: Iterable[str]) -> set[int]:
    """The keys of the countable (short, non-blank) lines of one document, each once."""
    return set(line_keys([l for l in lines if len(l) <= MAX_COUNTED_CHARS and l.strip()]))


def site_of(url: str | None, source: str) -> str:
    """The group a document belongs to for per-site counts: the URL's host, else the source's folder."""
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    head, sep, _ = source.rpartition("#")
    path = head if sep else source
    return path.rsplit("/", 1)[0] if "/" in path else "."


class _Table:
    """Counts by 64-bit key in an open-addressing hash table of two flat arrays (keys, counts;
    linear probing, 60% full): ~20 bytes a key instead of a Counter's ~100, a lookup ~0.4 us. Reads like a Counter: `get(key, 0)`, `[key]` (0 when absent), `in`,
    `len`, `items()`. Slot key 0 means empty; the key 0 itself is kept aside."""

    __slots__ = ("slots", "counts", "width", "zero", "size")

    def __init__(self, keys: "object | None" = None, counts: "object | None" = None) -> None:
        """From unique keys and their counts (numpy arrays), or empty."""
        import numpy as np

        if keys is None or keys.size == 0:
            self.slots, self.counts, self.width, self.zero, self.size = array("Q", [0]), array("I", [0]), 1, 0, 0
            return
        keys = keys.astype(np.uint64, copy=False)
        counts = counts.astype(np.uint32, copy=False)
        nz = keys != 0
        self.zero = int(counts[~nz].sum()) if not nz.all() else 0
        keys, counts = keys[nz], counts[nz]
        n = int(keys.size)
        self.size = n + (self.zero > 0)
        self.width = width = max(8, n * 5 // 3 + 1)        # keys fill 60% of the slots
        slots = np.zeros(width, dtype=np.uint64)
        slot_counts = np.zeros(width, dtype=np.uint32)
        pos = (keys % np.uint64(width)).astype(np.intp)
        pending = np.arange(n)
        while pending.size:
            # every pending key tries its next slot; of those landing on a free slot, the first
            # (lowest index) takes it; all others move one slot on. A key thus sits at its home
            # slot or after a run of occupied ones: what the lookup's probe walks.
            tried = pos[pending]
            free = slots[tried] == 0
            taken, first = np.unique(tried[free], return_index=True)
            winners = pending[free][first]
            slots[taken] = keys[winners]
            slot_counts[taken] = counts[winners]
            won = np.zeros(n, dtype=bool)
            won[winners] = True
            pending = pending[~won[pending]]
            pos[pending] = (pos[pending] + 1) % width
        self.slots, self.counts = _to_array(slots, "Q"), _to_array(slot_counts, "I")

    def get(self, key: int, default: int | None = None) -> int | None:
        if key == 0:
            return self.zero or default
        slots, width = self.slots, self.width
        i = key % width
        while True:
            k = slots[i]
            if k == key:
                return self.counts[i]
            if k == 0:
                return default
            i += 1
            if i == width:
                i = 0

    def __getitem__(self, key: int) -> int:
        return self.get(key, 0)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and self.get(key) is not None

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[int]:
        return (k for k, _ in self.items())

    def arrays(self) -> "tuple[object, object]":
        """(keys, counts) as numpy arrays, keys ascending."""
        import numpy as np

        slots, counts = _np(self.slots, np.uint64), _np(self.counts, np.uint32)
        used = np.flatnonzero(slots)
        keys, n = slots[used], counts[used]
        if self.zero:
            keys, n = np.r_[np.uint64(0), keys], np.r_[np.uint32(self.zero), n]
        order = np.argsort(keys, kind="stable")
        return keys[order], n[order]

    def keys_over(self, threshold: int) -> list[int]:
        """The keys counted more than `threshold` times."""
        keys, counts = self.arrays()
        return keys[counts > threshold].tolist()

    def items(self) -> Iterator[tuple[int, int]]:
        keys, counts = self.arrays()
        return zip(keys.tolist(), counts.tolist())

    def values(self) -> Iterator[int]:
        return (n for _, n in self.items())

    def nbytes(self) -> int:
        return len(self.slots) * 8 + len(self.counts) * 4

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (_Table, dict)):
            return dict(self.items()) == {k: v for k, v in other.items() if v}
        return NotImplemented


class _SiteTable:
    """Counts by (site, key): one _Table per site. `get((site, key), 0)` as a Counter of pairs."""

    __slots__ = ("tables",)

    def __init__(self, tables: dict[str, _Table] | None = None) -> None:
        self.tables = tables or {}

    def get(self, pair: tuple[str, int], default: int | None = None) -> int | None:
        table = self.tables.get(pair[0])
        return default if table is None else table.get(pair[1], default)

    def __getitem__(self, pair: tuple[str, int]) -> int:
        return self.get(pair, 0)

    def __contains__(self, pair: object) -> bool:
        return isinstance(pair, tuple) and len(pair) == 2 and self.get(pair) is not None

    def __len__(self) -> int:
        return sum(len(t) for t in self.tables.values())

    def items(self) -> Iterator[tuple[tuple[str, int], int]]:
        for site, table in self.tables.items():
            for key, n in table.items():
                yield (site, key), n

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _SiteTable):
            return dict(self.items()) == dict(other.items())
        if isinstance(other, dict):
            return dict(self.items()) == {k: v for k, v in other.items() if v}
        return NotImplemented


def _np(a: array, dtype: "object") -> "object":
    import numpy as np

    return np.frombuffer(a, dtype=dtype) if len(a) else np.empty(0, dtype=dtype)


def _counted(keys: "object", weights: "object | None" = None) -> "tuple[object, object]":
    """Sorted unique keys and their summed weights (1 each when `weights` is None)."""
    import numpy as np

    if keys.size == 0:
        return keys.astype(np.uint64), np.empty(0, dtype=np.uint32)
    if weights is None:
        uniq, n = np.unique(keys, return_counts=True)
        return uniq, n.astype(np.uint32)
    order = np.argsort(keys, kind="stable")
    keys, weights = keys[order], weights[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return keys[starts], np.add.reduceat(weights.astype(np.uint64), starts).astype(np.uint32)


def _to_array(values: "object", code: str) -> array:
    out = array(code)
    out.frombytes(values.tobytes())
    return out


class LineCounts:
    """Document counts per line key, corpus-wide and per site. Merge-able across workers.

    Compact: `add` appends a document's keys to flat arrays (8 bytes a key, plus a site number per
    document); the first read (or `freeze`, pickling, merge) folds them into one compact hash table per
    table (corpus-wide, and one per site). `total` and `by_site` read like the Counters they
    replace (`get`, `[]`, `items`, `in`); a folded table costs ~20 bytes a key, a Counter ~100.
    """

    def __init__(self) -> None:
        self.documents = 0
        self.site_documents: Counter[str] = Counter()
        self._total = _Table()
        self._by_site = _SiteTable()
        self._keys = array("Q")           # pending: keys of added documents, in order
        self._doc_sites = array("I")      # pending: per added document, its site number (or NO_SITE)
        self._doc_sizes = array("I")      # pending: per added document, how many keys it added
        self._site_ids: dict[str, int] = {}
        self._site_names: list[str] = []

    _NO_SITE = 0xFFFFFFFF

    def add(self, keys: Iterable[int], site: str | None = None) -> None:
        self.documents += 1
        before = len(self._keys)
        self._keys.extend(keys)
        if site is None:
            sid = self._NO_SITE
        else:
            self.site_documents[site] += 1
            sid = self._site_ids.get(site)
            if sid is None:
                sid = self._site_ids[site] = len(self._site_names)
                self._site_names.append(site)
        self._doc_sites.append(sid)
        self._doc_sizes.append(len(self._keys) - before)

    def freeze(self) -> "LineCounts":
        """Fold what was added into the tables now (before forking readers: they then share them)."""
        self._fold()
        return self

    def _fold(self) -> None:
        """Fold the pending keys into the tables."""
        if not self._doc_sizes:
            return
        import numpy as np

        keys = _np(self._keys, np.uint64)
        sites = np.repeat(_np(self._doc_sites, np.uint32), _np(self._doc_sizes, np.uint32).astype(np.intp))
        tables = [(keys, None)]
        if len(self._total):
            tables.append(self._total.arrays())
        self._total = self._merged(tables)
        has_site = sites != self._NO_SITE
        if has_site.any():
            skeys, ssites = keys[has_site], sites[has_site]
            order = np.argsort(ssites, kind="stable")
            skeys, ssites = skeys[order], ssites[order]
            bounds = np.flatnonzero(np.r_[True, ssites[1:] != ssites[:-1], True])
            tables_by_site = self._by_site.tables
            for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
                name = self._site_names[int(ssites[lo])]
                parts = [(skeys[lo:hi], None)]
                old = tables_by_site.get(name)
                if old is not None and len(old):
                    parts.append(old.arrays())
                tables_by_site[name] = self._merged(parts)
        self._keys, self._doc_sites, self._doc_sizes = array("Q"), array("I"), array("I")

    @staticmethod
    def _merged(parts: list) -> _Table:
        import numpy as np

        if len(parts) == 1 and parts[0][1] is None:
            keys, counts = _counted(parts[0][0])
        else:
            keys = np.concatenate([k for k, _ in parts])
            weights = np.concatenate([np.ones(k.size, np.uint32) if w is None else w for k, w in parts])
            keys, counts = _counted(keys, weights)
        return _Table(keys, counts)

    @property
    def total(self) -> _Table:
        self._fold()
        return self._total

    @property
    def by_site(self) -> _SiteTable:
        self._fold()
        return self._by_site

    def merge(self, other: "LineCounts") -> None:
        import numpy as np

        self._fold()
        other._fold()
        self.documents += other.documents
        self.site_documents.update(other.site_documents)
        parts = [t.arrays() for t in (self._total, other._total) if len(t)]
        self._total = self._merged(parts) if parts else _Table()
        for site, table in other._by_site.tables.items():
            mine = self._by_site.tables.get(site)
            parts = [t.arrays() for t in (mine, table) if t is not None and len(t)]
            self._by_site.tables[site] = self._merged(parts) if parts else _Table()

    def nbytes(self) -> int:
        """Bytes held by the tables (what grows with the corpus)."""
        return self.total.nbytes() + sum(t.nbytes() for t in self.by_site.tables.values())

    def __getstate__(self) -> dict:
        self._fold()
        return {"documents": self.documents, "site_documents": self.site_documents,
                "total": tuple(a.tobytes() for a in self._total.arrays()),
                "by_site": {s: tuple(a.tobytes() for a in t.arrays()) for s, t in self._by_site.tables.items()}}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

        def table(blobs: tuple[bytes, bytes]) -> _Table:
            import numpy as np

            return _Table(np.frombuffer(blobs[0], dtype=np.uint64), np.frombuffer(blobs[1], dtype=np.uint32))

        self.documents = state["documents"]
        self.site_documents = state["site_documents"]
        self._total = table(state["total"])
        self._by_site = _SiteTable({s: table(b) for s, b in state["by_site"].items()})
