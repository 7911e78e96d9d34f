#!/usr/bin/env python3
"""warcio vs fastwarc: read a generated WARC the way cleaner's reader does, time both.

    python3 bench/warc_libs.py [WORK_DIR] [--records 3000] [--rounds 3]

Writes WORK_DIR/bench.warc.gz with warcio's writer (HTML responses, non-HTML responses and request
records, per-record gzip as Common Crawl ships them), then for each library iterates the records,
keeps HTML 200 responses and reads their payloads: once from the raw .gz (the library decompresses)
and once from a stream already decompressed by Python's gzip (what `open_input` hands a reader).
Also checks that each library reports a record truncated at the end of the file.
"""
from __future__ import annotations

import argparse
import gzip
import io
import sys
import time
from pathlib import Path


def write_warc(path: Path, n: int) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    html_count = 0
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for i in range(n):
            url = f"http://example.org/page/{i}"
            if i % 5 == 4:
                req = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
                writer.write_record(req)
                continue
            is_html = i % 5 != 3
            body = (("<html><head><title>Page %d</title></head><body>" % i)
                    + "<p>Paragraph of text number %d with some words in it.</p>" * 40 % tuple(range(40))
                    + "</body></html>").encode() if is_html else b"\x89PNG" + bytes(4000)
            ctype = "text/html; charset=utf-8" if is_html else "image/png"
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)
            writer.write_record(rec)
            html_count += is_html
    return html_count


def read_warcio(stream) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    for rec in ArchiveIterator(stream):
        if rec.rec_type != "response" or rec.http_headers is None:
            continue
        if rec.http_headers.get_statuscode() != "200":
            continue
        if "html" not in (rec.http_headers.get_header("Content-Type") or ""):
            continue
        rec.rec_headers.get_header("WARC-Target-URI")
        rec.content_stream().read()
        count += 1
    return count


def read_fastwarc(stream) -> int:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    count = 0
    for rec in ArchiveIterator(stream, record_types=WarcRecordType.response, parse_http=True):
        if rec.http_headers is None or rec.http_headers.status_code != 200:
            continue
        if "html" not in (rec.http_headers.get("Content-Type") or ""):
            continue
        rec.headers.get("WARC-Target-URI")
        rec.reader.read()
        count += 1
    return count


def truncated_behaviour(fn, data: bytes) -> str:
    try:
        n = fn(io.BytesIO(data))
        return f"no error, {n} records"
    except Exception as e:  # noqa: BLE001
        return f"raises {type(e).__name__}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("work", nargs="?", default="/tmp/cleaner-warc-bench")
    ap.add_argument("--records", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    path = work / "bench.warc.gz"
    expected = write_warc(path, a.records)
    raw = path.read_bytes()
    plain = gzip.decompress(raw)
    print(f"$ python3 {' '.join(sys.argv)}")
    print(f"{path}: {a.records} records, {expected} HTML responses, {len(raw)/1e6:.1f} MB gz, {len(plain)/1e6:.1f} MB raw")
    libs = {"warcio": read_warcio, "fastwarc": read_fastwarc}
    modes = {
        "raw .gz (lib decompresses)": lambda: io.BytesIO(raw),
        "decompressed by gzip.GzipFile": lambda: gzip.GzipFile(fileobj=io.BytesIO(raw)),
    }
    best: dict[tuple[str, str], float] = {}
    for _ in range(a.rounds):   # alternate the libraries within each round
        for mode, make in modes.items():
            for lib, fn in libs.items():
                t0 = time.perf_counter()
                n = fn(make())
                dt = time.perf_counter() - t0
                assert n == expected, (lib, mode, n, expected)
                best[(lib, mode)] = min(best.get((lib, mode), 1e9), dt)
    print(f"\n{'mode':<32}{'warcio s':>10}{'fastwarc s':>12}{'ratio':>8}")
    for mode in modes:
        w, f = best[("warcio", mode)], best[("fastwarc", mode)]
        print(f"{mode:<32}{w:>10.3f}{f:>12.3f}{w / f:>8.2f}")
    cut = plain[: len(plain) - 2000]
    print("\ntruncated last record (uncompressed stream):")
    for lib, fn in libs.items():
        print(f"  {lib:<9} {truncated_behaviour(fn, cut)}")


if __name__ == "__main__":
    main()
