"""`cleaner check`, `fix`, `explain` and `corpus`: the file-level uses behind the pre-commit hooks.

check   lists what cleaning would remove or repair, one `path:line: rule: text` a finding (ruff style)
fix     rewrites files in place (atomically, permissions and newline style kept), to a fixpoint
explain prints a file with its removed lines marked and their reasons
corpus  rebuilds a corpus from a seed folder and fails when it changed
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cleaner.api import clean_document
from cleaner.sources import InputError
from cleaner.sources.decode import decode_bytes
from cleaner.sources.files import kind_of, read_all
from cleaner.steps.repair import repair_text

MAX_FIX_ROUNDS = 4


@dataclass
class FileResult:
    """What cleaning does to one file, line by line (1-based input lines)."""

    lines: list[str]                      # the input lines, newline style stripped
    removed: dict[int, str]               # line -> rule
    cleaned: dict[int, str]               # line -> the line's clean text (kept lines only)
    newline: str
    final_newline: bool


def analyse(text: str, html: bool = False) -> FileResult:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    final = bool(lines) and lines[-1] == ""
    if final:
        lines = lines[:-1]
    doc = clean_document("\n".join(lines), html=html)
    removed = {r.line: r.rule for r in doc.removed}
    cleaned = dict(zip(doc.line_numbers or [], doc.text.split("\n") if doc.text else []))
    return FileResult(lines, removed, cleaned, newline, final)


def read_file(path: Path) -> str:
    return decode_bytes(read_all(path), str(path))


def findings(path: Path) -> list[str]:
    html = kind_of(path.name) == "html"
    res = analyse(read_file(path), html=html)
    out = []
    for no, line in enumerate(res.lines, 1):
        if no in res.removed:
            out.append(f"{path}:{no}: {res.removed[no]}: {line.strip()}")
        elif not html and line.strip() and repair_text(line) != line:
            kind = "encoding/entity" if "&" in line and "&" not in repair_text(line) else "encoding/mojibake"
            out.append(f"{path}:{no}: {kind}: {line.strip()}")
    return out


def fixed_text(text: str) -> str:
    """The file's text with removed lines gone and kept lines repaired; blank-line layout kept."""
    for _ in range(MAX_FIX_ROUNDS):
        res = analyse(text)
        out: list[str] = []
        for no, line in enumerate(res.lines, 1):
            if no in res.removed:
                continue
            if not line.strip():
                if out and out[-1] != "":
                    out.append("")
                continue
            out.append(res.cleaned.get(no, line))
        while out and out[-1] == "":
            out.pop()
        new = res.newline.join(out) + (res.newline if res.final_newline and out else "")
        if new == text:
            break
        text = new
    return text


def _each(paths: list[str]):
    for p in paths:
        path = Path(p)
        try:
            yield path, read_file(path)
        except InputError as e:
            print(f"cleaner: {e.source}: {e.reason}", file=sys.stderr)
            yield path, None


def cmd_check(paths: list[str]) -> int:
    n = 0
    for path, text in _each(paths):
        if text is None:
            n += 1
            continue
        for f in findings(path):
            print(f)
            n += 1
    return 1 if n else 0


def fix_target(path: Path) -> Path | None:
    """The file to rewrite: a symlink's target when it stays inside the working tree, else None."""
    real = Path(os.path.realpath(path))
    if real != Path(os.path.abspath(path)) and not real.is_relative_to(os.path.realpath(os.getcwd())):
        print(f"cleaner: {path}: symlink to {real}, outside the working tree; not fixed", file=sys.stderr)
        return None
    return real


def cmd_fix(paths: list[str]) -> int:
    from cleaner.sinks.atomic import atomic_output

    changed = 0
    for path, text in _each(paths):
        if text is None or kind_of(path.name) == "html":
            continue
        new = fixed_text(text)
        if new == text:
            continue
        real = fix_target(path)
        if real is None:
            continue
        with atomic_output(real, mode=real.stat().st_mode & 0o7777) as f:
            f.write(new.encode("utf-8"))
        print(f"fixed {path}", file=sys.stderr)
        changed += 1
    return 1 if changed else 0


def cmd_explain(path_str: str, color: bool | None = None) -> int:
    path = Path(path_str)
    res = analyse(read_file(path), html=kind_of(path.name) == "html")
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") if color is None else color
    width = len(str(len(res.lines)))
    for no, line in enumerate(res.lines, 1):
        if no in res.removed:
            rule = res.removed[no]
            if color:
                print(f"\033[2m{no:>{width}}\033[0m \033[31m- \033[9m{line}\033[0m  \033[33m[{rule}]\033[0m")
            else:
                print(f"{no:>{width}} - {line}  [{rule}]")
        elif line.strip():
            print(f"{no:>{width}}   {res.cleaned.get(no, line)}")
    total = len(res.removed)
    print(f"\n{total} line{'s' if total != 1 else ''} removed", file=sys.stderr)
    return 0


def cmd_corpus(seeds: str, output: str) -> int:
    """Rebuild `output` from `seeds`; exit 1 when its bytes changed (so a commit cannot let it drift)."""
    from cleaner.cli import main

    out = Path(output)
    from cleaner.sinks.guard import check_output_file   # not a device, pipe or link (reading one could block)

    check_output_file(output)
    before = out.read_bytes() if out.exists() else None
    code = main(["clean", seeds, "-o", output, "--quiet"])
    if code != 0:
        return code
    if out.read_bytes() != before:
        print(f"cleaner: {output} was out of date with {seeds} and has been rebuilt; stage it", file=sys.stderr)
        return 1
    return 0
