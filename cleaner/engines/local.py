"""The local engine: worker processes over documents in chunks, results in input order.

With one job everything runs in this process (no pickling). With more, a `fork` pool maps
`work(item)` over the stream with bounded look-ahead (`imap` pulls only as fast as results are
consumed, plus the chunks in flight), so memory stays flat however large the input.
"""
from __future__ import annotations

import multiprocessing as mp
import os
from typing import Any, Callable, Iterable, Iterator

CHUNK = 8


def map_ordered(work: Callable[[Any], Any], items: Iterable[Any], *, jobs: int,
                init: Callable[..., None] | None = None, init_args: tuple = ()) -> Iterator[Any]:
    """Yield `work(item)` for each item, in order, using `jobs` processes (1: in-process)."""
    if jobs <= 1:
        if init is not None:
            init(*init_args)
        for item in items:
            yield work(item)
        return
    method = "fork" if "fork" in mp.get_all_start_methods() and os.name == "posix" else "spawn"
    ctx = mp.get_context(method)
    with ctx.Pool(processes=jobs, initializer=init, initargs=init_args) as pool:
        yield from pool.imap(work, items, chunksize=CHUNK)
