"""The local engine: worker processes over documents in chunks, results in input order.

With one job everything runs in this process (no pickling). With more, a process pool runs
`work` over chunks of the stream with a bounded window of chunks in flight (the stream is pulled
only as fast as results are consumed), so memory stays flat however large the input.

Where `fork` is available, the phase is set up (`init`) once in this process before the pool
starts: the workers inherit the built steps (compiled rules, models, language profiles) instead of
each building their own, which would cost seconds per worker and phase. Elsewhere (`spawn`), `init`
runs in each worker.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
from collections import deque
from itertools import chain, islice
from typing import Any, Callable, Iterable, Iterator

CHUNK = 16           # items per task: amortises the inter-process round trip
WINDOW_PER_JOB = 4   # chunks in flight per worker


def can_fork() -> bool:
    return os.name == "posix" and "fork" in mp.get_all_start_methods()


def _worker_start(init: Callable[..., None] | None, init_args: tuple) -> None:
    """A worker leaves interrupts to the parent: Ctrl-C reaches the whole process group, and a worker
    that died of it would print its traceback and could leave the pool waiting. The parent ends the
    pool instead (its SIGTERM, which the worker takes by default even when it inherited a handler)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if init is not None:
        init(*init_args)


def _run_chunk(work: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    return [work(item) for item in chunk]


def map_ordered(work: Callable[[Any], Any], items: Iterable[Any], *, jobs: int,
                init: Callable[..., None] | None = None, init_args: tuple = (),
                chunk: int = CHUNK) -> Iterator[Any]:
    """Yield `work(item)` for each item, in order, using `jobs` processes (1: in-process).

    An input of one chunk or less runs in-process whatever `jobs`: one chunk goes to one worker
    anyway, so a pool would only add its start-up (and the workers' own warm-up) to the run.
    """
    if jobs > 1:
        source = iter(items)
        head = list(islice(source, chunk + 1))
        if len(head) <= chunk:
            jobs, items = 1, head
        else:
            items = chain(head, source)
    if jobs <= 1:
        if init is not None:
            init(*init_args)
        for item in items:
            yield work(item)
        return
    fork = can_fork()
    if fork and init is not None:
        init(*init_args)                       # inherited by the forked workers
    ctx = mp.get_context("fork" if fork else "spawn")
    pool_init = None if fork else init
    if fork:
        # Inherited objects (rules, profiles, model) go to the permanent generation: the workers'
        # collections then never walk them, which would touch (and so copy) every inherited page.
        gc.freeze()
    try:
        yield from _pooled(ctx, jobs, pool_init, () if fork else init_args, work, items, chunk)
    finally:
        if fork:
            gc.unfreeze()


def _pooled(ctx: Any, jobs: int, pool_init: Any, init_args: tuple, work: Callable[[Any], Any],
            items: Iterable[Any], chunk: int) -> Iterator[Any]:
    # Leaving the block (an interrupt included) terminates the pool: no worker outlives the run.
    with ctx.Pool(processes=jobs, initializer=_worker_start, initargs=(pool_init, init_args)) as pool:
        source = iter(items)
        pending: deque[Any] = deque()
        window = max(2, jobs * WINDOW_PER_JOB)
        while True:
            batch = list(islice(source, chunk))
            if batch:
                pending.append(pool.apply_async(_run_chunk, (work, batch)))
            if pending and (len(pending) >= window or not batch):
                yield from pending.popleft().get()
            elif not batch:
                return
