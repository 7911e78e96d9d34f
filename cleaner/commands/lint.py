"""`cleaner check`, `fix`, `explain` and `corpus`: the file-level uses behind the pre-commit hooks.

check   lists what `fix` would change, one `path:line: rule: text` a finding (ruff style)
fix     rewrites files in place (atomically, permissions, newline style and final newline kept)
explain prints a file with its removed lines marked and their reasons, and its repaired lines
corpus  rebuilds a corpus from a seed folder and fails when it changed

check and fix share one plan per file (`plan_file`): the file judged by the same pipeline as
`clean_document` and `cleaner clean` on that file alone; check reports the plan, fix writes it, so
check passes exactly when fix would leave the file byte-identical. What fix changes:
- it removes the lines cleaning removes (and the blank line a removed block leaves doubled);
- it repairs kept lines: mojibake and HTML entities (the `repair` step), invisible characters (the
  ones `normalize` removes); their indentation, inner spacing and line ends stay byte for byte;
- a file that is not UTF-8 is rewritten as UTF-8 (a finding on line 1).
In a Markdown file (`.md`) headings, list items, code blocks and tables are never removed.
Only plain-text documents are edited: `.txt`, `.md`, `.text`, or a file without an extension whose
bytes are text. JSONL, JSON, Parquet, WARC, URL lists, compressed files, binaries and files of any
other extension get one line (`not a text document`) and are skipped; they never fail the hook.
HTML pages are checked (the lines cleaning would drop from their extracted text) but never rewritten.
Exit status: 0 nothing found / nothing changed; 1 findings / a file rewritten; 2 a named file that
cannot be read or written (missing, unreadable, a failed write).
"""
from __future__ import annotations

import codecs
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import ftfy

from cleaner.api import clean_document
from cleaner.errors import EXIT_NOTHING, EXIT_OK, EXIT_USAGE
from cleaner.markdown import MARKDOWN_SUFFIXES, code_lines, is_markdown
from cleaner.sinks.atomic import OutputError, atomic_output
from cleaner.sources import InputError
from cleaner.sources.decode import decode_bytes
from cleaner.sources.files import COMPRESSED_SUFFIXES, GZIP_MAGIC, ZSTD_MAGIC, kind_of, kind_of_head
from cleaner.steps.normalize import remove_invisible
from cleaner.steps.repair import FTFY_CONFIG, repair_text

_KIND_NAMES = {"jsonl": "JSONL records", "parquet": "a Parquet table", "warc": "WARC records", "urls": "a URL list"}
_ENTITY = re.compile(r"&#?[A-Za-z0-9]+;?")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


class Skipped(Exception):
    """A file these commands do not edit; the message says why ("not a text document (JSONL records)")."""


@dataclass
class Finding:
    line: int            # 1-based line of the file (0: the page as a whole, for HTML)
    rule: str
    text: str


@dataclass
class FilePlan:
    """What cleaning does to one file: the findings and the bytes `fix` writes (computed once)."""

    path: Path
    original: bytes
    new: bytes
    findings: list[Finding] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)       # the input lines without their line ends
    removed: dict[int, str] = field(default_factory=dict)
    repaired: dict[int, tuple[str, str]] = field(default_factory=dict)   # line -> (rule, fixed text)
    dropped: str | None = None                             # why `clean` would drop the whole document
    html: bool = False

    @property
    def changed(self) -> bool:
        return self.new != self.original


def document_kind(path: Path, head: bytes) -> str:
    """"text" or "html" for a file check/fix/explain read; Skipped (with what it is) for any other."""
    name = path.name.lower()
    if name.endswith(COMPRESSED_SUFFIXES) or head.startswith((GZIP_MAGIC, ZSTD_MAGIC)):
        raise Skipped("not a text document (a compressed file)")
    if name.endswith(MARKDOWN_SUFFIXES):
        return "text"
    kind = kind_of(name)
    suffix = Path(name).suffix
    if kind is None and suffix:
        raise Skipped(f"not a text document (a {suffix} file)")
    if kind is None:
        kind = kind_of_head(head)   # hash-named scrapes: sniffed
    if kind in ("text", "html"):
        return kind
    raise Skipped(f"not a text document ({_KIND_NAMES.get(kind, f'{kind} data')})")


def _mojibake_only(text: str) -> str:
    """ftfy with the repair step's configuration and no entity decoding (Markdown's `&lt;` is syntax)."""
    for _ in range(4):
        try:
            new = ftfy.fix_text(text, FTFY_CONFIG)
        except Exception:  # noqa: BLE001 - ftfy should not raise; if it does, the text stays
            return text
        if new == text or new.count("\n") != text.count("\n"):
            break
        text = new
    return text


def _repair_markdown(line: str) -> str:
    """Mojibake repaired and invisible characters removed outside inline code spans."""
    out, pos = [], 0
    for m in _CODE_SPAN.finditer(line):
        out += [remove_invisible(_mojibake_only(line[pos:m.start()])), m.group(0)]
        pos = m.end()
    out.append(remove_invisible(_mojibake_only(line[pos:])))
    return "".join(out)


def repair_line(line: str, markdown: bool = False) -> tuple[str, str | None]:
    """(the line as fix writes it, the rule of the change or None): mojibake and entities repaired,
    invisible characters removed, every space and tab where it was. In Markdown (`markdown`) entities
    are syntax and inline code is literal: only mojibake and invisible characters outside code."""
    fixed = _repair_markdown(line) if markdown else remove_invisible(repair_text(line))
    if fixed == line:
        return line, None
    visible = remove_invisible(line)
    if visible == fixed:
        return fixed, "normalize/invisible"
    if len(_ENTITY.findall(fixed)) < len(_ENTITY.findall(visible)):
        return fixed, "encoding/entity"
    if unicodedata.normalize("NFC", visible) == fixed:
        return fixed, "normalize/nfc"
    return fixed, "encoding/mojibake"


def _split(text: str) -> tuple[list[str], list[str]]:
    """The text's lines and, for each, its line end as written ("\\r\\n", "\\n", or "" for a last line
    without one)."""
    pieces = text.split("\n")
    lines, ends = [], []
    for k, piece in enumerate(pieces):
        last = k == len(pieces) - 1
        if last and piece == "":
            break
        crlf = piece.endswith("\r") and not last
        lines.append(piece[:-1] if crlf else piece)
        ends.append("" if last else ("\r\n" if crlf else "\n"))
    return lines, ends


# A line of the file as fix writes it: (input line number, text, line end as written).
Line = tuple[int, str, str]


def _without(state: list[Line], gone: dict[int, str]) -> list[Line]:
    """`state` without the removed lines, and without the blank lines a removed block leaves doubled,
    leading or trailing; every other byte as it was (the last line keeps having no end, if it had none)."""
    out: list[Line] = []
    after_removal = False       # a removed line since the last line kept
    for no, line, end in state:
        if no in gone:
            after_removal = True
        elif not line.strip() and after_removal and (not out or not out[-1][1].strip()):
            continue
        else:
            out.append((no, line, end))
            after_removal = after_removal and not line.strip()
    if after_removal:               # the text ended in removed lines: no blank tail before them
        while out and not out[-1][1].strip():
            out.pop()
    if out and state and state[-1][2] == "":
        out[-1] = (*out[-1][:2], "")
    return out


def plan_text(path: Path, raw: bytes, text: str, html: bool = False) -> FilePlan:
    """The plan for a file whose bytes `raw` decode to `text` (see the module docstring): one
    judgement of the file as it is, the one `explain`, `clean_document` and `clean` make."""
    first = clean_document(text, html=html, source=str(path))
    plan = FilePlan(path, raw, raw, html=html, dropped=first.drop_reason if not first.text else None)
    if html:
        plan.findings = [Finding(0, r.rule, r.text.strip()) for r in first.removed]
        return plan
    lines, ends = _split(text)
    plan.lines = lines
    markdown = is_markdown(str(path))
    literal = code_lines(text) if markdown else frozenset()
    state: list[Line] = []
    for no, (line, end) in enumerate(zip(lines, ends), 1):
        fixed, rule = (line, None) if no in literal or not line.strip() else repair_line(line, markdown)
        if rule is not None:
            plan.repaired[no] = (rule, fixed)
        state.append((no, fixed, end))
    kept = set(first.line_numbers or [])
    for r in first.removed:
        # a line that normalisation split (a lone CR, U+2028) goes only when all of its pieces go
        if r.line not in kept and 1 <= r.line <= len(lines):
            plan.removed.setdefault(r.line, r.rule)
            plan.repaired.pop(r.line, None)
    state = _without(state, plan.removed)
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        utf8 = (raw[3:] if bom else raw).decode("utf-8") == text
    except UnicodeDecodeError:
        utf8 = False
    if not utf8:
        what = "holds NUL bytes" if b"\x00" in raw else "is not UTF-8"
        plan.findings.append(Finding(1, "encoding/not-utf-8", f"the file {what}; fix rewrites it as UTF-8"))
    for no in sorted({*plan.removed, *plan.repaired}):
        plan.findings.append(Finding(no, plan.removed[no] if no in plan.removed else plan.repaired[no][0],
                                     lines[no - 1].strip()))
    new_text = "".join(l + e for _, l, e in state)
    if utf8 and new_text == text:
        return plan
    plan.new = (codecs.BOM_UTF8 if bom and utf8 else b"") + new_text.encode("utf-8", "surrogatepass")
    return plan


def plan_file(path: Path) -> FilePlan:
    """Read and judge one file; Skipped for a file that is not a text document, OSError when
    it cannot be read, ValueError when cleaning it failed."""
    with open(path, "rb") as f:
        raw = f.read()
    kind = document_kind(path, raw[:4096])
    try:
        text = decode_bytes(raw, str(path))
    except InputError as e:
        if e.kind == "empty":
            return FilePlan(path, raw, raw)      # nothing to clean
        raise Skipped(e.reason) from None
    return plan_text(path, raw, text, html=kind == "html")


def _files(args: list[str]) -> Iterator[Path]:
    """The files named, folders recursed in sorted order (hidden entries skipped)."""
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield p


def _plans(args: list[str], verb: str) -> Iterator[FilePlan | None]:
    """One plan per file. A skipped file gets its stderr line and nothing else; one that cannot be
    read or cleaned gets its line and yields None (an error: exit 2)."""
    for path in _files(args):
        try:
            yield plan_file(path)
        except Skipped as e:
            print(f"cleaner: {path}: {e}; not {verb}", file=sys.stderr)
        except OSError as e:
            print(f"cleaner: {path}: cannot read: {e.strerror or e}", file=sys.stderr)
            yield None
        except ValueError as e:
            print(f"cleaner: {path}: cleaning failed: {e}", file=sys.stderr)
            yield None


def cmd_check(paths: list[str]) -> int:
    errors = findings = 0
    for plan in _plans(paths, "checked"):
        if plan is None:
            errors += 1
            continue
        for f in plan.findings:
            where = f"{plan.path}:{f.line}" if f.line else f"{plan.path}"
            print(f"{where}: {f.rule}: {f.text}")
        findings += len(plan.findings)
    return EXIT_USAGE if errors else EXIT_NOTHING if findings else EXIT_OK


def fix_target(path: Path) -> Path | None:
    """The file to rewrite: a symlink's target when it stays inside the working tree, else None."""
    real = Path(os.path.realpath(path))
    if real != Path(os.path.abspath(path)) and not real.is_relative_to(os.path.realpath(os.getcwd())):
        print(f"cleaner: {path}: symlink to {real}, outside the working tree; not fixed", file=sys.stderr)
        return None
    return real


def write_plan(plan: FilePlan, target: Path) -> None:
    """Replace `target` with the plan's bytes atomically, keeping its permission bits."""
    with atomic_output(target, mode=target.stat().st_mode & 0o7777) as f:
        f.write(plan.new)


def cmd_fix(paths: list[str]) -> int:
    errors = changed = 0
    for plan in _plans(paths, "fixed"):
        if plan is None:
            errors += 1
            continue
        if plan.html:
            if plan.findings:
                print(f"cleaner: {plan.path}: an HTML page is never rewritten; `cleaner check` lists what cleaning "
                      "drops from its text", file=sys.stderr)
            continue
        if not plan.changed:
            continue
        real = fix_target(plan.path)
        if real is None:
            continue
        try:
            write_plan(plan, real)
        except OutputError as e:        # names the file and the reason
            print(f"cleaner: {e}", file=sys.stderr)
            errors += 1
            continue
        except OSError as e:
            print(f"cleaner: {plan.path}: cannot write: {e.strerror or e}", file=sys.stderr)
            errors += 1
            continue
        removed, repaired = len(plan.removed), len(plan.repaired)
        print(f"fixed {plan.path} ({removed} line{'s' if removed != 1 else ''} removed, {repaired} repaired)",
              file=sys.stderr)
        changed += 1
    return EXIT_USAGE if errors else EXIT_NOTHING if changed else EXIT_OK


def cmd_explain(path_str: str, color: bool | None = None) -> int:
    path = Path(path_str)
    try:
        plan = plan_file(path)
    except Skipped as e:
        print(f"cleaner: {path}: {e}; explain shows .txt, .md and HTML files", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:
        print(f"cleaner: {path}: cannot read: {e.strerror or e}", file=sys.stderr)
        return EXIT_USAGE
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if color is None else color
    if plan.html:
        for f in plan.findings:
            print(f"- {f.text}  [{f.rule}]")
        print(f"\n{len(plan.findings)} line{'s' if len(plan.findings) != 1 else ''} of the page's text removed",
              file=sys.stderr)
        return EXIT_OK
    width = len(str(len(plan.lines)))
    for no, line in enumerate(plan.lines, 1):
        if no in plan.removed:
            rule = plan.removed[no]
            if color:
                print(f"\033[2m{no:>{width}}\033[0m \033[31m- \033[9m{line}\033[0m  \033[33m[{rule}]\033[0m")
            else:
                print(f"{no:>{width}} - {line}  [{rule}]")
        elif no in plan.repaired:
            rule, fixed = plan.repaired[no]
            if color:
                print(f"\033[2m{no:>{width}}\033[0m \033[36m~\033[0m {fixed}  \033[33m[{rule}]\033[0m")
            else:
                print(f"{no:>{width}} ~ {fixed}  [{rule}]")
        elif line.strip():
            print(f"{no:>{width}}   {line}")
    removed, repaired = len(plan.removed), len(plan.repaired)
    print(f"\n{removed} line{'s' if removed != 1 else ''} removed, {repaired} repaired", file=sys.stderr)
    if plan.dropped:
        print(f"a corpus would drop the whole document: {plan.dropped}", file=sys.stderr)
    return EXIT_OK


def cmd_corpus(seeds: str, output: str, clean: Callable[[list[str]], int]) -> int:
    """Rebuild `output` from `seeds`; exit 1 when its bytes changed (so a commit cannot let it drift).

    `clean(argv)` runs `cleaner clean argv` (the caller's command line: this module never imports it)."""
    out = Path(output)
    from cleaner.sinks.guard import check_output_file   # not a device, pipe or link (reading one could block)

    from cleaner.sinks.target import parse_output

    check_output_file(output)
    stats = Path(parse_output(output).stats)
    before = out.read_bytes() if out.exists() else None
    stats_before = stats.read_bytes() if stats.is_file() else None
    code = clean(["clean", seeds, "-o", output, "--quiet"])
    if code != 0:
        return code
    if out.read_bytes() != before:
        print(f"cleaner: {output} was out of date with {seeds} and has been rebuilt; stage it", file=sys.stderr)
        return 1
    if stats_before is not None and stats.is_file() and stats.read_bytes() != stats_before:
        # the same corpus: only the stats' timings moved; a committed stats file must not make the hook fail
        with atomic_output(stats) as f:
            f.write(stats_before)
    return 0
