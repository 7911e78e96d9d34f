"""The `cleaner` command: parses arguments, builds a Pipeline, and reports. No cleaning logic lives here."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from cleaner.config import flag_type
from cleaner.errors import EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, EXIT_USAGE  # noqa: F401 - EXIT_NOTHING re-exported

EXIT_BROKEN_PIPE = 1      # the reader of standard output went away (`| head`); nothing is printed


def _add_cleaning_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", default="out/corpus.jsonl",
                   help="corpus: FILE.jsonl (.gz/.zst compress), FILE.parquet, DIR/ for shards "
                        "DIR/part-00000.jsonl.zst…, or a pattern with {shard}; default out/corpus.jsonl")
    p.add_argument("--shard-size", type=_size, default=None, metavar="SIZE",
                   help="with sharded output: JSONL bytes per shard before compression, e.g. 64MB, 1GB (default 256MB)")
    p.add_argument("--rules", action="append", default=[], metavar="PATH", help="extra rule file or folder (repeatable)")
    p.add_argument("--no-default-rules", action="store_true", help="use only the rules given with --rules")
    p.add_argument("--config", metavar="FILE", help="TOML config (default: [tool.cleaner] in ./pyproject.toml)")
    p.add_argument("-j", "--jobs", type=flag_type("jobs", int), default=None, help="worker processes (default: the number of cores)")
    p.add_argument("--engine", choices=["local", "ray"], default=None, help="where to run (default local)")
    p.add_argument("--ray-address", default=None, help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray)")
    p.add_argument("--lang", default=None, metavar="CODES", help="keep only these languages, e.g. en,de")
    p.add_argument("--dedup", choices=["near", "exact", "none"], default=None, help="duplicate removal (default near)")
    p.add_argument("--near-threshold", type=flag_type("near_threshold", float), default=None, help="similarity at which near copies merge")
    p.add_argument("--chrome", choices=["strict", "balanced", "aggressive"], default=None,
                   help="how boldly the line classifier removes chrome no rule names (default balanced)")
    p.add_argument("--explain", action="store_true", help="keep `removed` (line, rule, text) on each record")
    p.add_argument("--rejects", metavar="PATH", help="write dropped documents with their reason here")
    p.add_argument("--stats", metavar="PATH", help="stats file (default: OUT.stats.json)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    p.add_argument("--max-bytes", type=flag_type("max_bytes", int), default=None, help="decompressed bytes per text/HTML file or JSONL line (default 256 MiB)")
    p.add_argument("--max-chars", type=flag_type("max_chars", int), default=None, help="characters per document (default 5,000,000)")
    p.add_argument("--timeout", type=flag_type("doc_timeout", float), default=None,
                   help="seconds of work per page, enforced even inside the HTML parser (default 30; 0: no limit)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no summary")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _size(text: str) -> int:
    from cleaner.sinks.target import parse_size

    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _fetch_options(p: argparse.ArgumentParser) -> None:
    """What `scrape` and `clean` share for the URLs they fetch."""
    p.add_argument("--urls", dest="url_files", action="append", default=[], metavar="FILE",
                   help="a URL list, one URL a line, whatever its name; - reads standard input (repeatable)")
    p.add_argument("--delay", type=flag_type("delay", float), default=None, help="seconds between requests to one host (default 1)")
    p.add_argument("--allow-private-redirects", action="store_true", help="follow redirects from public to private addresses")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cleaner", description="Strip site chrome from scraped web text, repair encodings, tag languages and deduplicate into one clean JSONL corpus.")
    parser.add_argument("--version", action=_PrintVersion, help="print `cleaner X.Y.Z` and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("clean", help="clean files, folders, globs or URLs into a JSONL corpus")
    p.add_argument("inputs", nargs="*", metavar="INPUT")
    _fetch_options(p)
    _add_cleaning_options(p)

    p = sub.add_parser("scrape", help="fetch URLs politely and clean them into a JSONL corpus")
    p.add_argument("urls", nargs="*", metavar="URL", help="URLs, or files (or -) holding one URL a line")
    _fetch_options(p)
    _add_cleaning_options(p)

    p = sub.add_parser("check", help="list the chrome and encoding damage in files (exit 1 when any)")
    p.add_argument("files", nargs="+", metavar="FILE")

    p = sub.add_parser("fix", help="clean files in place (exit 1 when a file changed)")
    p.add_argument("files", nargs="+", metavar="FILE")

    p = sub.add_parser("explain", help="show a file with its removed lines marked and why")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--color", choices=["auto", "always", "never"], default="auto")

    p = sub.add_parser("corpus", help="rebuild a corpus from a seed folder; exit 1 when it changed")
    p.add_argument("seeds", nargs="?", default="seeds/")
    p.add_argument("-o", "--output", default="out/corpus.jsonl")

    p = sub.add_parser("rules", help="list the rules, or run every rule against its own examples")
    p.add_argument("action", choices=["list", "test"])
    p.add_argument("--rules", action="append", default=[], metavar="PATH")
    p.add_argument("--no-default-rules", action="store_true")

    p = sub.add_parser("stats", help="count the records, languages and sizes of a corpus (a file or a shard set)")
    p.add_argument("corpus", metavar="CORPUS", help="FILE.jsonl(.gz/.zst), FILE.parquet, a shard folder or its manifest")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")

    p = sub.add_parser("report", help="build a self-contained HTML report of a corpus")
    p.add_argument("corpus")
    p.add_argument("-o", "--output", default=None, help="default: CORPUS with .html")
    p.add_argument("--stats", default=None)
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rules": tuple(args.rules) or None,
        "default_rules": False if args.no_default_rules else None,
        "jobs": args.jobs,
        "engine": args.engine,
        "ray_address": args.ray_address or os.environ.get("RAY_ADDRESS") or None,
        "langs": tuple(c.strip() for c in args.lang.split(",") if c.strip()) if args.lang else None,
        "dedup": args.dedup,
        "near_threshold": args.near_threshold,
        "chrome": args.chrome,
        "explain": args.explain or None,
        "max_bytes": args.max_bytes,
        "max_chars": args.max_chars,
        "doc_timeout": args.timeout,
        "delay": getattr(args, "delay", None),
        "allow_private_redirects": getattr(args, "allow_private_redirects", None) or None,
    }


def cmd_clean(args: argparse.Namespace, inputs: list[str]) -> int:
    from cleaner.commands.clean import run_clean

    return run_clean(inputs, args, _options(args))


def _url_lists(names: list[str]) -> list[Any]:
    """`--urls` arguments as URL-list inputs; `-` is standard input, read here once."""
    from cleaner.sources.urls import STDIN, UrlList

    lists = []
    for name in names:
        if name == STDIN:
            lists.append(UrlList(STDIN, sys.stdin.buffer.read().decode("utf-8-sig", "replace")))
        else:
            lists.append(UrlList(name))
    return lists


def cmd_rules(args: argparse.Namespace) -> int:
    from cleaner.ruleset import format_rule_list, load_rules, run_examples

    rs = load_rules([Path(p) for p in args.rules], include_defaults=not args.no_default_rules)
    if args.action == "list":
        print(format_rule_list(rs))
        return EXIT_OK
    failures = run_examples(rs)
    for f in failures:
        print(f, file=sys.stderr)
    n = sum(len(r.examples.get("drop", [])) + len(r.examples.get("keep", [])) for r in rs.rules)
    print(f"{len(rs.rules)} rules, {n} examples: {'all pass' if not failures else f'{len(failures)} failed'}")
    return EXIT_OK if not failures else 1


def cmd_report(args: argparse.Namespace) -> int:
    from cleaner.report import build_report

    out = args.output or str(Path(args.corpus).with_suffix(".html"))
    from cleaner.report import default_stats_path
    from cleaner.sinks.guard import check_report_output   # a regular file, not the corpus or stats (exit 2)

    check_report_output(out, args.corpus, args.stats or default_stats_path(Path(args.corpus)))
    build_report(args.corpus, out, stats_path=args.stats)
    print(f"report written to {out}", file=sys.stderr)
    return EXIT_OK


def version() -> str:
    """The installed distribution's version, else the package's own (a source tree on PYTHONPATH)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("cleaner")
    except PackageNotFoundError:
        from cleaner.version import __version__

        return __version__


class _PrintVersion(argparse.Action):
    """`--version`, looked up only when asked for (the metadata lookup costs every other command)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any):
        super().__init__(option_strings, dest=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"cleaner {version()}")
        parser.exit()


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a reader that closes the pipe early (`cleaner rules list | head`) ends it quietly."""
    try:
        code = _run(build_parser().parse_args(argv))
        sys.stdout.flush()                 # a closed pipe shows here, not as an error at exit
        return code
    except BrokenPipeError:
        # the Python docs' recipe (signal module, "Note on SIGPIPE"): point the standard streams at
        # devnull so the interpreter's final flush has nowhere to fail, and exit 1 as it would
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            try:
                os.dup2(devnull, stream.fileno())
            except (OSError, ValueError):
                pass
        return EXIT_BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    debug = getattr(args, "debug", False)
    try:
        if args.command == "clean":
            if not args.inputs and not args.url_files:
                print("cleaner clean: give inputs (files, folders, globs, URLs) or --urls FILE", file=sys.stderr)
                return EXIT_USAGE
            return cmd_clean(args, [*args.inputs, *_url_lists(args.url_files)])
        if args.command == "scrape":
            from cleaner.sources.files import is_url

            # scrape's arguments are URLs; any other argument is a URL list, whatever its name
            for u in args.urls:
                if not is_url(u) and u != "-" and not os.path.exists(u):
                    print(f"cleaner scrape: {u}: neither an http(s) URL nor a URL list file", file=sys.stderr)
                    return EXIT_USAGE
            urls = [u if is_url(u) else _url_lists([u])[0] for u in args.urls]
            urls += _url_lists(args.url_files)
            if not urls:
                print("cleaner scrape: give URLs or --urls FILE", file=sys.stderr)
                return EXIT_USAGE
            return cmd_clean(args, urls)
        if args.command == "stats":
            from cleaner.commands.stats import cmd_stats

            return cmd_stats(args.corpus, as_json=args.json)
        if args.command in ("check", "fix", "explain", "corpus"):
            from cleaner.commands import lint

            if args.command == "check":
                return lint.cmd_check(args.files)
            if args.command == "fix":
                return lint.cmd_fix(args.files)
            if args.command == "explain":
                return lint.cmd_explain(args.file, None if args.color == "auto" else args.color == "always")
            return lint.cmd_corpus(args.seeds, args.output, clean=main)
        if args.command == "rules":
            return cmd_rules(args)
        if args.command == "report":
            return cmd_report(args)
    except KeyboardInterrupt:
        print("cleaner: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise                                  # main's business: the reader left, say nothing
    except Exception as e:  # noqa: BLE001 - one clear line, the traceback only with --debug
        if debug:
            raise
        from cleaner.errors import exit_code_for, one_line

        print(f"cleaner: {one_line(e)}", file=sys.stderr)
        return exit_code_for(e)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
