"""`cleaner stats CORPUS`: what a written corpus holds, read back from any output shape.

Counts records, characters, languages, URLs, dates and recorded duplicates over a JSONL or Parquet
file or a shard set; for a shard set it also checks every shard against the manifest (present,
same size, same sha256, same record count), so a damaged or incomplete set is found before it is
used. Exit 0 for a sound corpus, 1 when a problem was found in it (each problem one line), 2 when the
path is no corpus at all (missing, or a file that is not JSONL or Parquet: one line says which).
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from typing import Any

from cleaner.sinks.readback import Corpus, iter_records, open_corpus


def _check_shards(corpus: Corpus, counted: dict[str, int]) -> list[dict[str, Any]]:
    from cleaner.sinks.shards import sha256_of

    rows = []
    for entry, path in zip(corpus.manifest["shards"], corpus.files):  # type: ignore[index]
        status = "ok"
        if not path.is_file():
            status = "missing"
        elif path.stat().st_size != entry.get("bytes"):
            status = f"size {path.stat().st_size} != manifest {entry.get('bytes')}"
        elif sha256_of(path) != entry.get("sha256"):
            status = "sha256 differs from the manifest"
        elif counted.get(str(path)) != entry.get("records"):
            status = f"{counted.get(str(path))} records != manifest {entry.get('records')}"
        rows.append({"file": entry["file"], "records": entry.get("records"), "bytes": entry.get("bytes"),
                     "status": status})
        if status != "ok":
            corpus.problems.append(f"{path}: {status}")
    return rows


def corpus_stats(path: str) -> dict[str, Any]:
    corpus = open_corpus(path)
    langs: Counter[str] = Counter()
    n = chars = with_url = with_date = with_title = dup_records = dup_copies = 0
    counted: dict[str, int] = {}
    size = 0
    for f in corpus.files:
        k = 0
        for rec in iter_records(f, corpus.problems):
            k += 1
            text = rec.get("text") or ""
            chars += len(text)
            langs[rec.get("lang") or "und"] += 1
            with_url += bool(rec.get("url"))
            with_date += bool(rec.get("date"))
            with_title += bool(rec.get("title"))
            dups = rec.get("duplicates") or []
            dup_records += bool(dups)
            dup_copies += len(dups)
        counted[str(f)] = k
        n += k
        size += f.stat().st_size if f.is_file() else 0
    out: dict[str, Any] = {
        "corpus": path, "files": len(corpus.files), "bytes": size, "records": n, "characters": chars,
        "mean_characters": round(chars / n, 1) if n else 0, "languages": dict(langs.most_common()),
        "with_url": with_url, "with_date": with_date, "with_title": with_title,
        "records_with_duplicates": dup_records, "duplicates_recorded": dup_copies,
    }
    if corpus.manifest is not None:
        out["manifest"] = str(corpus.manifest_path)
        out["shards"] = _check_shards(corpus, counted)
        if corpus.manifest.get("records") != n:
            corpus.problems.append(f"{corpus.manifest_path}: lists {corpus.manifest.get('records')} records, "
                                   f"the shards hold {n}")
    out["problems"] = corpus.problems
    return out


def format_stats(s: dict[str, Any]) -> str:
    lines = [f"{s['corpus']}: {s['records']:,} records in {s['files']} file{'s' if s['files'] != 1 else ''} "
             f"({s['bytes']:,} bytes)"]
    lines.append(f"  characters: {s['characters']:,} (mean {s['mean_characters']:,} a record)")
    if s["languages"]:
        lines.append("  languages: " + ", ".join(f"{k} {v}" for k, v in s["languages"].items()))
    lines.append(f"  with url {s['with_url']}, with date {s['with_date']}, with title {s['with_title']}")
    if s["duplicates_recorded"]:
        lines.append(f"  duplicates: {s['duplicates_recorded']} dropped copies recorded on "
                     f"{s['records_with_duplicates']} records")
    if "shards" in s:
        bad = sum(r["status"] != "ok" for r in s["shards"])
        lines.append(f"  shards: {len(s['shards'])}, " + ("all match the manifest" if not bad else f"{bad} do not match the manifest"))
        for r in s["shards"]:
            lines.append(f"    {r['file']}  {r['records']:,} records  {r['bytes']:,} bytes  {r['status']}")
    return "\n".join(lines)


def cmd_stats(path: str, *, as_json: bool = False) -> int:
    s = corpus_stats(path)
    for p in s["problems"]:
        print(f"cleaner: {p}", file=sys.stderr)
    if not s["records"] and s["problems"]:
        return 2                                   # not a corpus (missing, not JSONL or Parquet): the line says why
    import json

    try:
        print(json.dumps(s, indent=2, ensure_ascii=False) if as_json else format_stats(s), flush=True)
    except BrokenPipeError:                        # `cleaner stats DIR | head`: the reader had enough
        sys.stdout = open(os.devnull, "w")         # noqa: SIM115  (no second error at exit)
    return 1 if s["problems"] else 0
