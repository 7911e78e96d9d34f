"""The Ray engine gives the local engine's records, byte for byte, on mixed HTML and text input.

Runs on a local Ray with 2 CPUs (started once for the module). Skipped when the `ray` extra is not
installed; CI installs it.
"""
from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="the Ray engine needs the `ray` extra: pip install 'cleaner[ray]'")
pytest.importorskip("ray.data", reason="the Ray engine needs Ray Data: pip install 'cleaner[ray]'")

from conftest import without_times  # noqa: E402

WORDS = ("river harbour council budget winter school station market bridge festival library report "
         "farmers rainfall museum archive teachers hospital engineers village ferry orchard election "
         "survey mayor workshop railway theatre students grant storm coast factory").split()
CHROME = ["Home | News | Sport | Weather", "Share on Facebook", "Tweet this", "Subscribe to our newsletter",
          "We use cookies to improve your experience. Accept", "Related articles", "Leave a comment",
          "© 2024 The Daily Example. All rights reserved."]


def _paragraphs(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(28, 45))]
        out.append(" ".join(words).capitalize() + ".")
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(20240601)
    d = tmp_path_factory.mktemp("mixed")
    for i in range(6):                                   # text pages with the same site chrome
        body = _paragraphs(rng, 4)
        (d / f"t{i}.txt").write_text("\n".join(CHROME[:3] + [f"Story number {i}"] + body + CHROME[3:]) + "\n", encoding="utf-8")
    for i in range(4):                                   # HTML pages: nav, article, footer
        body = _paragraphs(rng, 5)
        html = ("<!doctype html><html><head><meta charset='utf-8'><title>Page %d</title></head><body>"
                "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
                "<article><h1>Headline %d</h1>%s</article>"
                "<footer><p>© 2024 Example Press</p><p>Subscribe to our newsletter</p></footer></body></html>"
                % (i, i, "".join(f"<p>{p}</p>" for p in body)))
        (d / f"h{i}.html").write_text(html, encoding="utf-8")
    original = _paragraphs(rng, 6)                       # a near-duplicate pair: re-post with edits
    (d / "n1_original.txt").write_text("\n".join(original) + "\n", encoding="utf-8")
    edited = [p.replace(" winter ", " summer ", 1) for p in original]
    (d / "n2_repost.txt").write_text("\n".join(["Reposted from elsewhere"] + edited + ["Source link"]) + "\n", encoding="utf-8")
    (d / "x_exact_copy.txt").write_text("\n".join(original) + "\n", encoding="utf-8")
    (d / "z_only_chrome.txt").write_text("\n".join(c for c in CHROME if c != "Tweet this") + "\n", encoding="utf-8")
    good = json.dumps({"id": "j1", "url": "https://example.org/j1", "text": "\n".join(_paragraphs(rng, 3))})
    (d / "y_records.jsonl").write_text(good + "\n{not json at all\n", encoding="utf-8")   # one bad record
    return d


def _clean(run_cli, out_dir, corpus, *extra):
    out, rejects = out_dir / "out.jsonl", out_dir / "rejects.jsonl"
    code, _, err = run_cli("clean", corpus, "-o", out, "--rejects", rejects, "--quiet", *extra)
    assert code == 0, err
    stats = json.loads((out_dir / "out.jsonl.stats.json").read_text(encoding="utf-8"))
    return out.read_bytes(), rejects.read_bytes(), stats, err


def test_ray_records_equal_local_records(run_cli, tmp_path, corpus, local_ray):
    (tmp_path / "local").mkdir()
    (tmp_path / "ray").mkdir()
    local = _clean(run_cli, tmp_path / "local", corpus, "-j", "2")
    on_ray = _clean(run_cli, tmp_path / "ray", corpus, "-j", "2", "--engine", "ray")
    records = [json.loads(l) for l in local[0].splitlines()]
    # the fixture exercises what it should: HTML and text kept, a cluster, a drop and a bad record
    assert any(r["source"].endswith(".html") for r in records) and any(r["source"].endswith(".txt") for r in records)
    name = lambda source: source.rsplit("/", 1)[-1]  # noqa: E731
    cluster = {"n1_original.txt", "n2_repost.txt", "x_exact_copy.txt"}
    reps = [r for r in records if r["duplicates"]]
    assert len(reps) == 1 and {name(reps[0]["source"])} | {name(d["source"]) for d in reps[0]["duplicates"]} == cluster
    assert local[2]["failures_total"] == 1 and local[2]["documents_dropped"]
    assert "not json" in local[3] or "y_records.jsonl" in local[3]
    assert on_ray[0] == local[0]            # the corpus, byte for byte
    assert on_ray[1] == local[1]            # the rejects, in the same order
    assert without_times(on_ray[2]) == without_times(local[2])     # the stats (time aside)
    assert on_ray[3] == local[3]            # the failures reported on stderr


def test_distributed_clustering_matches_find_clusters(local_ray):
    """Band grouping and verification on Ray, union-find on the driver: the decisions of find_clusters."""
    from cleaner.dedup import DedupConfig, find_clusters, signature
    from cleaner.engines.ray_dedup import distributed_clusters

    config = DedupConfig(mode="near")
    rng = random.Random(5)
    texts = ["\n".join(_paragraphs(rng, 5)) for _ in range(12)]
    texts += [t.replace(" market ", " harbour ", 2) for t in texts[:4]]      # near copies
    texts += [texts[1], texts[2], "", "one two"]                           # exact copies, no words, tiny
    texts += [texts[5] + f"\nClosing line number {i} of this near copy." for i in range(30)]   # one big cluster
    rng.shuffle(texts)
    rows = sorted((f"d{i:03d}", signature(t, config=config), f"s{i}") for i, t in enumerate(texts))
    expected = find_clusters(rows, config)
    # the driver's view: input index and the signature's scalars in key order; ids and sketches stay in the dataset
    sigs = [r[1] for r in rows]
    scalars = {"idx": np.array([3 * p + 1 for p in range(len(rows))], dtype=np.int64),
               "exact": np.array([s.exact or 0 for s in sigs], dtype=np.uint64),
               "has_exact": np.array([s.exact is not None for s in sigs], dtype=bool),
               "size": np.array([s.size for s in sigs], dtype=np.int64),
               "length": np.array([s.length for s in sigs], dtype=np.int64),
               "banded": np.array([bool(s.bands) for s in sigs], dtype=bool)}
    final = ray.data.from_items([{"idx": 3 * p + 1, "sig": pickle.dumps((r[0], r[2], r[1]))} for p, r in enumerate(rows)])
    got = distributed_clusters(ray, final, scalars, config, count_candidates=True)
    assert expected.clusters >= 3 and expected.dropped >= 30
    assert got.stats() == expected.stats()
    for p, (key, _, _) in enumerate(rows):
        idx = 3 * p + 1
        assert got.keep(idx) == expected.keep(key)
        if not got.keep(idx):
            assert got.representative(idx) == expected.representative(key)
        assert got.duplicates_of(idx) == expected.duplicates_of(key)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("extra", [
    ("--dedup", "exact", "--explain"),                 # exact dedup; the records carry their removals
    ("--dedup", "none", "--config", "NO_COUNTS"),      # no step needs line counts: one pass, no dedup
], ids=["exact-explain", "single-pass"])
def test_worker_written_shards_equal_local_shards(run_cli, tmp_path, corpus, local_ray, extra):
    """Sharded output is written by the workers; the bytes are the local engine's for other modes too."""
    import hashlib

    cfg = tmp_path / "no-counts.toml"
    cfg.write_text('steps = ["extract", "repair", "normalize", "langid", "filters"]\n', encoding="utf-8")
    extra = tuple(str(cfg) if e == "NO_COUNTS" else e for e in extra)
    got = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        code, _, err = run_cli("clean", corpus, "-o", f"{out}/", "--shard-size", "2KB", "--rejects",
                               tmp_path / f"{engine}.rejects", "-q", "--engine", engine, "-j", "2", *extra)
        assert code == 0, err
        got[engine] = ({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(out.iterdir())
                        if f.name != "stats.json"},
                       (tmp_path / f"{engine}.rejects").read_bytes(), err,
                       without_times(json.loads((out / "stats.json").read_text())))      # time aside
    assert len(got["local"][0]) >= 4 and got["ray"] == got["local"]


@pytest.mark.timeout(300)
def test_input_given_twice_and_no_rejects_file_equal_local(run_cli, tmp_path, corpus, local_ray):
    """An input named twice (its documents share (id, source) keys: `key_order` renames the repeats by
    input order, which the Ray key task must see as the local engine does) and no --rejects file (the
    Ray driver then streams no rejected document): the shards and stats are the local engine's."""
    import hashlib

    got = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        code, _, err = run_cli("clean", corpus, corpus / "n1_original.txt", corpus / "y_records.jsonl", "-o", f"{out}/",
                               "--shard-size", "2KB", "-q", "--engine", engine, "-j", "2")
        assert code == 0, err
        stats = without_times(json.loads((out / "stats.json").read_text()))
        got[engine] = ({f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(out.iterdir())
                        if f.name != "stats.json"}, err, stats)
    assert got["local"][2]["duplicates_dropped"] >= 3       # the repeats are found as exact copies
    assert got["ray"] == got["local"]
