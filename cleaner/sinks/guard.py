"""Where a run may write, checked before any work, and the run's outputs kept out of its inputs.

- Outputs only ever replace regular files. An output path that exists as a device (`/dev/null`), a
  named pipe, a socket, a folder where a file is meant, or a symbolic link is refused: writing is a
  rename over the path, which would replace the device or the link itself. A symlinked *folder* on
  the way is fine (the rename happens inside it).
- An output may not be one of the inputs (the same file: device and inode), nor a file that would be
  read as input because it lies inside an input folder or matches an input glob, unless it is
  recognisably this tool's own output of the same kind (a previous run's corpus, stats, rejects or
  manifest, or an empty file): that one is replaced and never read. `-o`, `--stats` and `--rejects`
  must name different files.
- `guard_run` returns the inputs with a `Walk` that leaves the run's outputs (and their temporary
  files, checkpoint, lock and staging folders, and shards) out when folders and globs are walked.

A refusal is an `OutputRefused` (a ConfigError: one line, exit 2) naming the option and the path.
"""
from __future__ import annotations

import glob
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from cleaner.config import ConfigError
from cleaner.sinks.target import Target
from cleaner.sources.files import LocalInput, Walk, glob_base, is_url, node_kind
from cleaner.stats import is_stats_file


class OutputRefused(ConfigError):
    """An output path the run will not write: one line naming the option, the path and why."""


@dataclass(frozen=True)
class Output:
    flag: str      # how the user named it: "-o", "--stats", "--rejects" ("the stats file" beside the corpus)
    path: str
    role: str      # "corpus" | "stats" | "rejects" | "manifest"


def check_output_file(path: str | Path, flag: str = "-o") -> None:
    """Refuse `path` as a file output unless it is absent or a regular file in a folder (not a link)."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as e:
        raise OutputRefused(f"{flag} {path}: cannot use it as an output: {e.strerror or e}") from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        what = node_kind(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            what += f" (to {os.readlink(p)})"
        hint = "name a file in it" if stat.S_ISDIR(st.st_mode) else "name the file itself" if stat.S_ISLNK(st.st_mode) else ""
        raise OutputRefused(f"{flag} {path}: is {what}; outputs only ever replace regular files"
                            + (f": {hint}" if hint else ""))
    _check_folder_on_the_way(p.parent, flag, path)


def check_output_folder(path: str | Path, flag: str = "-o") -> None:
    """Refuse `path` as an output folder unless it is absent or a folder (a symlinked folder is fine)."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise OutputRefused(f"{flag} {path}: is {node_kind(os.stat(p).st_mode) or 'a regular file'}, not a folder")
    if not p.exists() and p.is_symlink():
        raise OutputRefused(f"{flag} {path}: is a broken symbolic link (to {os.readlink(p)})")
    _check_folder_on_the_way(p.parent, flag, path)


def _check_folder_on_the_way(folder: Path, flag: str, path: str | Path) -> None:
    """The nearest existing folder above an output must be a folder, not a file."""
    for up in (folder, *folder.parents):
        if up.exists() or up.is_symlink():
            if not up.is_dir():
                raise OutputRefused(f"{flag} {path}: {up} is not a folder")
            return


def outputs_of(target: Target, stats: str | None, rejects: str | None) -> list[Output]:
    """The files a run writes (the corpus, or a shard set's manifest; stats; rejects)."""
    outs: list[Output] = []
    if target.kind == "shards":
        assert target.shards is not None
        outs.append(Output("-o", str(target.shards.manifest), "manifest"))
    elif target.kind != "stdout":
        outs.append(Output("-o", target.output, "corpus"))
    if stats or target.stats:
        outs.append(Output("--stats" if stats else "the stats file", stats or target.stats, "stats"))
    if rejects:
        outs.append(Output("--rejects", rejects, "rejects"))
    return outs


def _real(path: str | Path) -> str:
    """The resolved path of an output that may not exist yet (its folder resolved, its name kept)."""
    p = Path(path)
    return os.path.join(os.path.realpath(p.parent), p.name)


def _own_names(name: str) -> str:
    """The names an output file `name` brings: itself, its checkpoint, temporary, lock and staging files."""
    n = re.escape(name)
    return rf"{n}|{n}\.ckpt|\.{n}\..+\.part|\.{n}\.lock|\.{n}\.staging-.+"


def own_walk(target: Target, outputs: list[Output], roots: tuple[str, ...]) -> Walk:
    """The Walk that keeps a run's outputs out of its inputs."""
    own: list[tuple[str, str]] = []
    for out in outputs:
        real = _real(out.path)
        own.append((os.path.dirname(real), _own_names(os.path.basename(real))))
    if target.kind == "shards":
        spec = target.shards
        assert spec is not None
        folder = os.path.realpath(spec.folder)
        own.append((folder, re.escape(spec.prefix) + r"\d{5,}" + re.escape(spec.suffix)))
        ckpt = _real(f"{target.checkpoint}.ckpt")
        own.append((os.path.dirname(ckpt), re.escape(os.path.basename(ckpt))))
    return Walk(roots=roots, own=tuple(own))


@dataclass
class _Inputs:
    """What the run reads locally: folders and glob bases (roots), files named or matched."""

    roots: dict[str, str]                   # resolved folder -> the argument naming it (or the glob)
    named: dict[tuple[int, int], str]       # (device, inode) -> the argument naming it
    matched: dict[tuple[int, int], str]     # (device, inode) -> the glob matching it


def _file_id(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def _local_inputs(inputs: Iterable[Any]) -> _Inputs:
    from cleaner.sources.remote import is_remote
    from cleaner.sources.urls import STDIN, UrlList

    found = _Inputs({}, {}, {})
    for item in inputs:
        if isinstance(item, UrlList):
            if item.path != STDIN and item.text is None and (fid := _file_id(item.path)):
                found.named[fid] = item.path
            continue
        if not isinstance(item, (str, Path)):
            continue
        arg = str(item)
        if is_url(arg) or is_remote(arg):
            continue
        p = Path(arg)
        if p.is_dir():
            found.roots.setdefault(os.path.realpath(p), arg)
        elif p.exists() or not glob.has_magic(arg):
            if fid := _file_id(p):
                found.named[fid] = arg
        else:
            found.roots.setdefault(os.path.realpath(glob_base(arg)), arg)
            for m in glob.glob(arg, recursive=True):
                if fid := _file_id(m):
                    found.matched[fid] = arg
    return found


def _under(real: str, root: str) -> bool:
    """`real` lies inside `root` and a walk of `root` reaches it (no hidden folder or name on the way)."""
    if not real.startswith(root.rstrip(os.sep) + os.sep):
        return False
    rel = os.path.relpath(real, root)
    return not any(part.startswith(".") for part in Path(rel).parts)


def guard_run(inputs: list[Any], target: Target, *, stats: str | None = None, rejects: str | None = None) -> list[Any]:
    """Check every output of a run against the rules above (OutputRefused on the first that breaks
    one) and return `inputs` with their local paths bound to the Walk that leaves the outputs out."""
    outputs = outputs_of(target, stats, rejects)
    if target.kind == "shards":
        assert target.shards is not None
        check_output_folder(target.shards.folder)
    for out in outputs:
        check_output_file(out.path, out.flag)
    seen: dict[str, Output] = {}
    for out in outputs:
        real = _real(out.path)
        if real in seen:
            raise OutputRefused(f"{out.flag} {out.path}: is also the output of {seen[real].flag}; "
                                f"give each output its own file")
        seen[real] = out
    local = _local_inputs(inputs)
    for out in outputs:
        _check_not_an_input(out, local)
    if target.kind == "shards":
        _check_shards(target, local)
    walk = own_walk(target, outputs, tuple(local.roots))
    return [LocalInput(str(i), walk) if isinstance(i, (str, Path)) and not is_url(str(i)) else i for i in inputs]


def _check_not_an_input(out: Output, local: _Inputs) -> None:
    fid = _file_id(out.path)
    if fid is None:
        return
    if fid in local.named:
        raise OutputRefused(f"{out.flag} {out.path}: is one of the inputs ({local.named[fid]}); "
                            f"write the {out.role} to another file")
    real = _real(out.path)
    where = local.matched.get(fid) or next((arg for r, arg in local.roots.items() if _under(real, r)), None)
    if where is not None and not looks_like_own(out.path, out.role):
        raise OutputRefused(f"{out.flag} {out.path}: is inside the input {where} and would be read as input, and it is "
                            f"not a {out.role} cleaner wrote; write the {out.role} elsewhere")


def _check_shards(target: Target, local: _Inputs) -> None:
    """Shards already in place that an input folder would read: only a set cleaner wrote may be replaced."""
    spec = target.shards
    assert spec is not None
    if not spec.folder.is_dir():
        return
    for f in sorted(spec.folder.iterdir()):
        if not spec.matches(f.name):
            continue
        check_output_file(f, "-o")
        if _file_id(f) in local.named:
            raise OutputRefused(f"-o {target.output}: shard {f} is one of the inputs; write the shards elsewhere")
        real = _real(f)
        if any(_under(real, r) for r in local.roots) and not looks_like_own(f, "corpus"):
            raise OutputRefused(f"-o {target.output}: {f} is inside an input folder and would be read as input, "
                                f"and it is not a shard cleaner wrote; write the shards elsewhere")


CORPUS_KEYS = {"id", "text", "lang", "lang_score", "duplicates"}
REJECT_KEYS = {"id", "source", "url", "reason", "text"}


def looks_like_own(path: str | Path, role: str) -> bool:
    """True when `path` is recognisably an output of this tool for `role` (or empty): safe to replace."""
    p = Path(path)
    try:
        if p.stat().st_size == 0:
            return True
        if role == "corpus" and p.name.lower().endswith(".parquet"):
            import pyarrow.parquet as pq

            return CORPUS_KEYS <= set(pq.read_schema(p).names)
        first = _first_json(p, whole=role in ("stats", "manifest"))
    except Exception:   # noqa: BLE001 - unreadable, not JSON, no pyarrow: not recognisably ours
        return False
    if first is None:
        return True     # a compressed file of no records
    if not isinstance(first, dict):
        return False
    if role == "stats":
        return is_stats_file(first)
    if role == "manifest":
        from cleaner.sinks.shards import MANIFEST_FORMAT

        return first.get("format") == MANIFEST_FORMAT
    return (CORPUS_KEYS if role == "corpus" else REJECT_KEYS) <= first.keys()


def _first_json(path: Path, *, whole: bool) -> Any:
    """The whole JSON document (`whole`), or the first JSONL record, decompressed; None when empty."""
    import orjson

    from cleaner.sources.files import open_input

    with open_input(path, max_bytes=64 << 20, kind=None if whole else "jsonl") as f:
        data = f.read() if whole else f.readline()
    return orjson.loads(data) if data.strip() else None


def check_report_output(out: str, corpus: str, stats: str | Path | None) -> None:
    """`cleaner report -o OUT`: a regular file (or none yet) that is neither the corpus nor its stats."""
    check_output_file(out, "-o")
    fid = _file_id(out)
    for name in (corpus, stats):
        if fid is not None and name and _file_id(name) == fid:
            raise OutputRefused(f"-o {out}: is one of the inputs ({name}); write the report to another file")
    if fid is None and _real(out) == _real(corpus):
        raise OutputRefused(f"-o {out}: is the corpus; write the report to another file")

