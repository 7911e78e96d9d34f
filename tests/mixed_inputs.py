"""A generated folder of mixed inputs (no shared data needed): text, HTML, JSONL, Parquet and WET files
with site chrome, near-duplicate and exact copies across files and formats, and bad inputs."""
from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

WORDS = ("river harbour council budget winter school station market bridge festival library report "
         "farmers rainfall museum archive teachers hospital engineers village ferry orchard election "
         "survey mayor workshop railway theatre students grant storm coast factory bakery tunnel clinic "
         "parade lighthouse canal vineyard").split()
CHROME = ["Home | News | Sport | Weather", "Share on Facebook", "Subscribe to our newsletter",
          "We use cookies to improve your experience. Accept", "Related articles",
          "© 2024 The Daily Example. All rights reserved."]


def paragraphs(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(28, 45))).capitalize() + "." for _ in range(n)]


def edit(text: str, rng: random.Random) -> str:
    """A light re-post: a few words swapped for others (a near duplicate, not an exact one)."""
    words = text.split(" ")
    for _ in range(max(1, len(words) // 40)):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return " ".join(words)


def _wet(path: Path, records: list[tuple[str, str]]) -> None:
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    w = WARCWriter(out, gzip=True)
    w.write_record(w.create_warcinfo_record(path.name, {"software": "test", "format": "WET"}))
    for i, (url, text) in enumerate(records):
        w.write_record(w.create_warc_record(url, "conversion", payload=io.BytesIO(text.encode("utf-8")),
                                            warc_content_type="text/plain; charset=utf-8",
                                            warc_headers_dict={"WARC-Date": f"2024-06-{i + 1:02d}T08:00:00Z"}))
    path.write_bytes(out.getvalue())


def _parquet(path: Path, rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows],
                             "url": [r["url"] for r in rows]}), path, row_group_size=2)


def make_mixed_inputs(folder: Path, files: int = 200, seed: int = 15) -> Path:
    """`files` input files in `folder`: ~40% text, 20% HTML, 15% JSONL, 10% Parquet, 10% WET, a few bad."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    stories: list[str] = []

    def story() -> str:
        if stories and rng.random() < 0.15:                  # a copy of an earlier story, in any format
            base = rng.choice(stories)
            return base if rng.random() < 0.3 else edit(base, rng)
        text = "\n".join(paragraphs(rng, rng.randint(3, 6)))
        stories.append(text)
        return text

    bad = ["b_corrupt.txt.gz", "b_empty.txt", "b_broken.parquet", "b_notwarc.warc"]
    kinds = (["txt"] * 40 + ["html"] * 20 + ["jsonl"] * 15 + ["parquet"] * 10 + ["wet"] * 10 + ["chrome"] * 3)
    plan = [rng.choice(kinds) for _ in range(files - len(bad))]
    for i, kind in enumerate(plan):
        site = f"site{i % 7}"
        if kind == "txt":
            (folder / f"{site}-t{i:03d}.txt").write_text("\n".join(CHROME[:2] + [story()] + CHROME[2:]) + "\n", encoding="utf-8")
        elif kind == "chrome":                                # nothing but chrome: dropped
            (folder / f"{site}-c{i:03d}.txt").write_text("\n".join(CHROME) + "\n", encoding="utf-8")
        elif kind == "html":
            body = "".join(f"<p>{p}</p>" for p in story().split("\n"))
            (folder / f"{site}-h{i:03d}.html").write_text(
                "<!doctype html><html><head><meta charset='utf-8'><title>Page %d</title></head><body>"
                "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Headline %d</h1>%s</article>"
                "<footer><p>© 2024 Example Press</p></footer></body></html>" % (i, i, body), encoding="utf-8")
        elif kind == "jsonl":
            lines = [json.dumps({"id": f"j{i}-{k}", "url": f"https://{site}.example/{i}/{k}", "text": story()})
                     for k in range(3)]
            if i % 4 == 0:
                lines.insert(1, "{not json at all")
            (folder / f"{site}-j{i:03d}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        elif kind == "parquet":
            _parquet(folder / f"{site}-p{i:03d}.parquet",
                     [{"id": f"p{i}-{k}", "text": story(), "url": f"https://{site}.example/p/{i}/{k}"} for k in range(4)])
        else:
            _wet(folder / f"{site}-w{i:03d}.warc.wet.gz", [(f"https://{site}.example/w/{i}/{k}", story()) for k in range(3)])
    (folder / bad[0]).write_bytes(gzip.compress(b"a scraped page " * 200)[:60])       # cut short
    (folder / bad[1]).write_bytes(b"")
    (folder / bad[2]).write_bytes(b"PAR1 this is not parquet")
    (folder / bad[3]).write_bytes(b"not a warc file at all\n")
    assert len([p for p in folder.iterdir() if p.is_file()]) == files
    return folder
