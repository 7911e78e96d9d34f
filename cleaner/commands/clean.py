"""`cleaner clean` / `cleaner scrape`: run the pipeline, write corpus, stats and rejects, summarise.

Where the corpus goes (one JSONL file, one Parquet file, or shards) is the sink's business
(`cleaner.sinks.target`); this module only streams the records into it.
"""
from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import Any

from cleaner.document import Document
from cleaner.pipeline import Pipeline
from cleaner.sinks.atomic import atomic_output
from cleaner.sinks.jsonl import dumps, reject_record, write_json
from cleaner.sinks.target import open_sink, parse_output
from cleaner.steps.chrome import coverage_note


def _progress_bar(quiet: bool) -> Any:
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    tqdm.monitor_interval = 0      # no monitor thread: worker processes are forked
    return tqdm(unit="doc", desc="cleaning", file=sys.stderr, dynamic_ncols=True)


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
    if stats["failures_total"]:
        lines.append(f"  failures: {stats['failures_total']} (" + ", ".join(f"{k} {v}" for k, v in stats["failures"].items()) + ")")
    return "\n".join(lines)


def _events(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """The counted events under `prefix` (`page-type/forum` -> `forum`)."""
    return {k[len(prefix):]: v for k, v in (stats.get("events") or {}).items() if k.startswith(prefix)}


def run_clean(inputs: list[Any], args: argparse.Namespace, options: dict[str, Any]) -> int:
    from cleaner.config import ConfigError

    try:
        target = parse_output(args.output)
    except ValueError as e:
        raise ConfigError(str(e)) from None
    shard_size = getattr(args, "shard_size", None)
    if shard_size is not None and target.kind != "shards":
        raise ConfigError(f"--shard-size needs sharded output: -o DIR/ or a {{shard}} pattern, not {args.output}")
    pipe = Pipeline.default(config=args.config, **options)
    stats_path = args.stats or target.stats
    bar = _progress_bar(args.quiet)
    with ExitStack() as stack:
        sink = stack.enter_context(open_sink(target, explain=pipe.options.explain, shard_size=shard_size))
        rejects = stack.enter_context(atomic_output(args.rejects)) if args.rejects else None

        def on_reject(doc: Document) -> None:
            if rejects is not None:
                rejects.write(dumps(reject_record(doc)))

        explain = pipe.options.explain
        tick = (lambda n: bar.update(n - bar.n)) if bar is not None else None  # a tqdm without total has no bool()
        if target.kind == "shards" and pipe.options.engine == "ray":
            # On Ray the workers write the shards themselves (the same bytes); see engines/ray_io.py.
            from cleaner.engines.ray_engine import write_shards_on_ray
            from cleaner.pipeline import report_to_stderr

            write_shards_on_ray(pipe, inputs, sink, shard_size=sink.shard_size, explain=explain,
                                on_failure=report_to_stderr, on_reject=on_reject if rejects is not None else None)
        else:
            for doc in pipe.run(inputs, on_reject=on_reject, progress=tick, checkpoint=target.checkpoint,
                                resume=args.resume):
                sink.write(doc.record(explain))
        if bar is not None:
            bar.close()
    stats = pipe.stats.to_dict()
    write_json(stats, stats_path)
    if not args.quiet:
        print(summary(stats, target.describe(sink)) + coverage_note(stats, pipe.steps), file=sys.stderr)
    nothing = stats["documents_in"] == 0 and stats["failures_total"] > 0
    return 1 if nothing else 0
