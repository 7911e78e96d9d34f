#!/usr/bin/env python3
"""The baseline of bench/html_path.py: a plain trafilatura loop, as a user would write it.

  python3 bench/plain_trafilatura.py PAGES_DIR OUT.jsonl

Reads every PAGES_DIR/*.html.gz, gunzips, decodes UTF-8 (errors replaced), runs
`trafilatura.extract(html, include_comments=False)` and writes {"id", "text"} JSON lines.
"""
import gzip
import json
import sys
from pathlib import Path

import trafilatura


def main() -> int:
    pages, out = Path(sys.argv[1]), Path(sys.argv[2])
    with open(out, "w", encoding="utf-8") as f:
        for page in sorted(pages.glob("*.html.gz")):
            html = gzip.decompress(page.read_bytes()).decode("utf-8", errors="replace")
            text = trafilatura.extract(html, include_comments=False) or ""
            f.write(json.dumps({"id": page.name.split(".")[0], "text": text}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
