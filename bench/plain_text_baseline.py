#!/usr/bin/env python3
"""The baseline of `bench/text_path.py --whole-process`: ftfy + seeded langdetect, as a user would write it.

  python3 bench/plain_text_baseline.py DOCS.jsonl OUT.jsonl

Reads the JSON lines, `ftfy.fix_text(text)`, seeded langdetect (`DetectorFactory.seed = 0`) on the
first 1,000 characters, writes {"id", "text", "lang"} JSON lines.
"""
import json
import sys

import ftfy
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException


def main() -> int:
    DetectorFactory.seed = 0
    with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            rec = json.loads(line)
            text = ftfy.fix_text(rec.get("text") or "")
            try:
                lang = detect(text[:1000])
            except LangDetectException:
                lang = "und"
            out.write(json.dumps({"id": rec.get("id"), "text": text, "lang": lang}, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
