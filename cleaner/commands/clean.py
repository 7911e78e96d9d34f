"""`cleaner clean` / `cleaner scrape`: run the pipeline, write corpus, stats and rejects, summarise.

Where the corpus goes (one JSONL file, one Parquet file, or shards) is the sink's business
(`cleaner.sinks.target`); this module only streams the records into it, and owns the run's
lifecycle: the progress line on a terminal, one lock per output, the decision to commit (nothing is
replaced when no document came out), and Ctrl-C / SIGTERM (exit 130 / 143, one line, outputs kept,
the checkpoint saved for `--resume`).
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
from contextlib import ExitStack, contextmanager
from typing import Any, Iterator

from cleaner.document import Document
from cleaner.errors import EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, EXIT_TERMINATED, EXIT_USAGE
from cleaner.pipeline import Pipeline, report_to_stderr
from cleaner.sinks.atomic import OutputBusy, atomic_output, output_lock
from cleaner.sinks.jsonl import dumps, reject_record, write_json
from cleaner.sinks.target import Target, open_sink, parse_output
from cleaner.sources import SKIP_KINDS, Failure
from cleaner.stats import format_step_times
from cleaner.steps.chrome import coverage_note


class Progress:
    """The progress line on a terminal (stderr, not with --quiet): documents, characters of text and
    HTML read, failures, elapsed time and rate. Counts are kept even when nothing is shown (the
    interrupt line reports them). Failure lines are printed above the bar, never through it."""

    def __init__(self, show: bool):
        self.show, self.bar = show, None
        self.done = self.chars = self.failed = self.skipped = 0

    def tick(self, done: int, chars: int = 0) -> None:
        self.done, self.chars = done, chars
        if not self.show:
            return
        bar = self.bar
        if bar is None:
            bar = self.bar = self._open(self._postfix(), done - 1)   # a resumed run starts at its checkpoint
        bar.set_postfix_str(self._postfix(), refresh=False)
        bar.update(done - bar.n)

    def failure(self, f: Failure) -> None:
        if f.kind in SKIP_KINDS:
            self.skipped += 1
        else:
            self.failed += 1
        if self.bar is None:
            report_to_stderr(f)
        else:
            with self.bar.external_write_mode(file=sys.stderr):
                report_to_stderr(f)
            self.bar.set_postfix_str(self._postfix(), refresh=False)

    def _postfix(self) -> str:
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return f"{_si(self.chars)} chars read{skipped}, {self.failed} failed"

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    @staticmethod
    def _open(postfix: str, initial: int) -> Any:
        from tqdm import tqdm

        tqdm.monitor_interval = 0      # no monitor thread: worker processes are forked
        try:
            sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
        except OSError:
            sized = False
        # A terminal that reports no size (0x0: a fresh pty, a serial console) would get an empty line.
        shape = {"dynamic_ncols": True} if sized else {"ncols": 100, "nrows": 24}
        return tqdm(unit=" docs", desc="cleaning", file=sys.stderr, mininterval=0.2, postfix=postfix, initial=initial,
                    bar_format="{desc}: {n_fmt} docs{postfix} [{elapsed}, {rate_noinv_fmt}]", **shape)


def _si(n: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            return f"{n / size:.1f}{unit}"
    return str(n)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: the run stops, the outputs are left as they were."""


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:                 # not the main thread: leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class NothingProcessed(Exception):
    """No document came out of the inputs: the run must not replace any output."""


def summary(stats: dict[str, Any], out: str) -> str:
    lines = [f"cleaner: {stats['documents_in']} documents in, {stats['documents_out']} out -> {out}"]
    fam = stats["lines_removed_by_family"]
    if fam:
        lines.append(f"  lines removed: {stats['lines_removed_total']} (" + ", ".join(f"{k} {v}" for k, v in fam.items()) + ")")
    if stats["duplicates_dropped"]:
        lines.append(f"  duplicates: {stats['duplicates_dropped']} dropped in {stats['duplicate_clusters']} clusters")
    if stats["documents_dropped"]:
        lines.append("  dropped: " + ", ".join(f"{k} {v}" for k, v in stats["documents_dropped"].items()))
    if stats["languages"]:
        lines.append("  languages: " + ", ".join(f"{k} {v}" for k, v in stats["languages"].items()))
    kinds = _events(stats, "page-type/")
    if kinds:
        chosen = _events(stats, "extract/")
        lines.append("  page types: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))
                     + ("; text taken from " + ", ".join(f"{k} {v}" for k, v in sorted(chosen.items())) if chosen else ""))
    skipped = {k: v for k, v in stats["failures"].items() if k in SKIP_KINDS}
    failed = {k: v for k, v in stats["failures"].items() if k not in SKIP_KINDS}
    if skipped:
        lines.append(f"  skipped: {sum(skipped.values())} (" + ", ".join(f"{k} {v}" for k, v in skipped.items()) + ")")
    if failed:
        lines.append(f"  failures: {sum(failed.values())} (" + ", ".join(f"{k} {v}" for k, v in failed.items()) + ")")
    times = format_step_times(stats)
    if times:
        lines.append(times)
    return "\n".join(lines)


def _events(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counted events under `prefix` (`page-type/forum` -> `forum`)."""
    return {k[len(prefix):]: v for k, v in (stats.get("events") or {}).items() if k.startswith(prefix)}


def run_clean(inputs: list[Any], args: argparse.Namespace, options: dict[str, Any]) -> int:
    """Clean `inputs` into the outputs of `args`; the exit status.

    The outcome is decided before anything is committed: when no document came out of the inputs,
    on an error, Ctrl-C or SIGTERM, every sink discards its temporary files and the corpus, stats
    and rejects a user had stay as they were (the checkpoint is kept for `--resume`). One lock per
    output keeps a second run off the files of a live one.
    """
    from cleaner.config import ConfigError

    try:
        target = parse_output(args.output)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    from cleaner.sinks.guard import guard_run   # outputs checked (exit 2) and kept out of the inputs

    inputs = guard_run(inputs, target, stats=args.stats, rejects=args.rejects)
    shard_size = getattr(args, "shard_size", None)
    if shard_size is not None and target.kind != "shards":
        raise ConfigError(f"--shard-size needs sharded output: -o DIR/ or a {{shard}} pattern, not {args.output}")
    stats_path = args.stats or target.stats
    progress = Progress(show=not args.quiet and sys.stderr.isatty())
    existed = os.path.exists(target.shards.manifest if target.shards else target.output)
    try:
        with ExitStack() as locks:
            if target.shards is None and target.checkpoint:   # a shard set's writer holds its own lock;
                locks.enter_context(output_lock(target.output, args.output))   # standard output needs none
            for extra in {stats_path, args.rejects} - {None, ""}:
                locks.enter_context(output_lock(extra))
            locks.enter_context(_sigterm_interrupts())
            pipe = Pipeline.default(config=args.config, **options)
            stats, where = _write_outputs(pipe, inputs, args, target, stats_path, shard_size, progress)
    except OutputBusy as e:
        progress.close()
        print(f"cleaner: {e}", file=sys.stderr)
        return EXIT_USAGE
    except NothingProcessed as e:
        progress.close()
        print(f"cleaner: {e}; {_left(args.output, existed)}", file=sys.stderr)
        return EXIT_NOTHING
    except KeyboardInterrupt as e:
        progress.close()
        print(_interrupted_line(e, target, args.output, existed, progress.done), file=sys.stderr)
        return EXIT_TERMINATED if isinstance(e, Terminated) else EXIT_INTERRUPTED
    finally:
        progress.close()
    if not args.quiet:
        print(summary(stats, where) + coverage_note(stats, pipe.steps), file=sys.stderr)
    return EXIT_OK


def _left(output: str, existed: bool) -> str:
    return f"{output} left as it was" if existed else f"nothing written to {output}"


def _interrupted_line(e: KeyboardInterrupt, target: Target, output: str, existed: bool, done: int) -> str:
    from cleaner.engines.checkpoint import saved_count

    what = "terminated" if isinstance(e, Terminated) else "interrupted"
    saved = saved_count(target.checkpoint) if target.checkpoint else None
    line = f"cleaner: {what} after {saved or done:,} documents; {_left(output, existed)}"
    if saved:
        line += "; the same command with --resume continues from there"
    return line


def _write_outputs(pipe: Pipeline, inputs: list[Any], args: argparse.Namespace, target: Target, stats_path: str,
                   shard_size: int | None, progress: Progress) -> tuple[dict[str, Any], str]:
    """Run the pipeline into the sinks; commit rejects, corpus, then stats, only if documents came out.
    Returns the stats and where the corpus went (for the summary)."""
    explain = pipe.options.explain
    with ExitStack() as stack:
        sink = stack.enter_context(open_sink(target, explain=explain, shard_size=shard_size))
        rejects = stack.enter_context(atomic_output(args.rejects)) if args.rejects else None

        def on_reject(doc: Document) -> None:
            if rejects is not None:
                rejects.write(dumps(reject_record(doc)))

        if target.kind == "shards" and pipe.options.engine == "ray":
            # On Ray the workers write the shards themselves (the same bytes); see engines/ray_io.py.
            from cleaner.engines.ray_engine import write_shards_on_ray

            write_shards_on_ray(pipe, inputs, sink, shard_size=sink.shard_size, explain=explain,
                                on_failure=progress.failure, on_reject=on_reject if rejects is not None else None)
        else:
            for doc in pipe.run(inputs, on_failure=progress.failure, on_reject=on_reject, progress=progress.tick,
                                checkpoint=target.checkpoint, resume=args.resume):
                sink.write(doc.record(explain))
        progress.close()
        stats = pipe.stats.to_dict()
        if stats["documents_in"] == 0:
            failed = stats["failures_total"]
            raise NothingProcessed(f"nothing processed ({failed} input{'s' if failed != 1 else ''} failed)"
                                   if failed else "no documents found in the inputs")
    where = target.describe(sink)      # after the sink closed: a shard set's last shard is written then
    if stats_path:                     # no stats file when there is nowhere to put one
        write_json(stats, stats_path)
    return stats, where
