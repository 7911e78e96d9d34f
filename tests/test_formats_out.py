"""Issue 14, point 2 (outputs): sharded JSONL, Parquet and Parquet shards hold exactly the records of the
single-file JSONL run, byte-identical for any -j; shard sets appear atomically; `cleaner stats` reads
every shape and checks shards against their manifest."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import SEEDS, read_jsonl
from cleaner.sinks.readback import iter_records, open_corpus
from cleaner.sinks.shards import ShardSpec, ShardWriter
from test_formats_in import write_parquet, write_wet


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    """A folder of mixed inputs with ordinary names: the seeds (txt), a JSONL dump, a Parquet file, a WET file."""
    d = tmp_path_factory.mktemp("mixed")
    for f in sorted(SEEDS.glob("*.txt")):
        shutil.copy(f, d / f.name)
    write_parquet(d / "hf-train.parquet")
    write_wet(d / "CC-MAIN-0001.warc.wet.gz")
    (d / "dump.jsonl").write_text(json.dumps({"id": "j1", "text": (
        "The theatre company announced a winter season of six new plays, two of them written by local "
        "students, with tickets on sale from next week."), "url": "https://j.example/1", "lang_hint": "en"}) + "\n")
    return d


def clean(run_cli, inputs, out, *extra):
    code, _, err = run_cli("clean", inputs, "-o", out, "-q", *extra)
    assert code == 0, err
    return err


@pytest.fixture(scope="module")
def single(mixed, tmp_path_factory):
    from cleaner.cli import main

    out = tmp_path_factory.mktemp("single") / "corpus.jsonl"
    assert main(["clean", str(mixed), "-o", str(out), "-q", "-j", "1"]) == 0
    recs = read_jsonl(out)
    assert len(recs) >= 10
    return out, recs


def shard_bytes(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())
            if not f.name.startswith(".") and f.name != "stats.json"}


def test_sharded_jsonl_equals_the_single_file_and_is_bounded(mixed, single, tmp_path, run_cli):
    _, recs = single
    out = tmp_path / "shards"
    clean(run_cli, mixed, f"{out}/", "--shard-size", "4KB", "-j", "1")
    corpus = open_corpus(f"{out}/")
    assert corpus.problems == [] and corpus.manifest is not None
    names = [f.name for f in corpus.files]
    assert len(names) >= 3 and names == [f"part-{i:05d}.jsonl.zst" for i in range(len(names))]
    assert [r for f in corpus.files for r in iter_records(f)] == recs
    for s in corpus.manifest["shards"]:
        assert s["jsonl_bytes"] <= 4000 or s["records"] == 1          # a bigger record gets a shard alone
        assert s["bytes"] == (out / s["file"]).stat().st_size
    assert corpus.manifest["records"] == len(recs)
    assert json.loads((out / "stats.json").read_text())["documents_out"] == len(recs)
    assert sorted(p.name for p in out.iterdir()) == sorted(names + ["manifest.json", "stats.json"])


def test_shards_are_byte_identical_for_any_jobs(mixed, tmp_path, run_cli):
    clean(run_cli, mixed, f"{tmp_path / 'j1'}/", "--shard-size", "4KB", "-j", "1")
    clean(run_cli, mixed, f"{tmp_path / 'j2'}/", "--shard-size", "4KB", "-j", "2")
    one, two = shard_bytes(tmp_path / "j1"), shard_bytes(tmp_path / "j2")
    assert len(one) >= 4 and one == two


def test_parquet_output_holds_the_record_schema(mixed, single, tmp_path, run_cli):
    _, recs = single
    out = tmp_path / "corpus.parquet"
    clean(run_cli, mixed, out, "-j", "1")
    table = pq.read_table(out)
    assert table.column_names == ["id", "text", "title", "url", "source", "lang", "lang_score", "date",
                                  "duplicates", "meta"]
    assert list(iter_records(out)) == recs
    assert any(r["meta"] for r in recs) and any(r["duplicates"] for r in recs)   # both are exercised
    assert (tmp_path / "corpus.parquet.stats.json").exists()
    # --explain adds `removed`, as in JSONL
    clean(run_cli, mixed, tmp_path / "explained.parquet", "-j", "1", "--explain")
    clean(run_cli, mixed, tmp_path / "explained.jsonl", "-j", "1", "--explain")
    assert list(iter_records(tmp_path / "explained.parquet")) == read_jsonl(tmp_path / "explained.jsonl")


def test_parquet_shards_from_a_pattern(mixed, single, tmp_path, run_cli):
    _, recs = single
    clean(run_cli, mixed, tmp_path / "pq" / "train-{shard}.parquet", "--shard-size", "5KB", "-j", "2")
    corpus = open_corpus(str(tmp_path / "pq" / "train-{shard}.parquet"))
    assert corpus.problems == [] and corpus.manifest_path.name == "train.manifest.json"
    assert len(corpus.files) >= 2 and [r for f in corpus.files for r in iter_records(f)] == recs
    assert (tmp_path / "pq" / "train.stats.json").exists()


def test_cleaner_reads_its_own_parquet_back(mixed, tmp_path, run_cli):
    """A Parquet corpus is a valid input, read like the same corpus in JSONL."""
    clean(run_cli, mixed, tmp_path / "a.parquet", "-j", "1", "--dedup", "none")
    clean(run_cli, mixed, tmp_path / "a.jsonl", "-j", "1", "--dedup", "none")
    clean(run_cli, tmp_path / "a.parquet", tmp_path / "b.jsonl", "-j", "1", "--dedup", "none")
    clean(run_cli, tmp_path / "a.jsonl", tmp_path / "c.jsonl", "-j", "1", "--dedup", "none")
    b, c = read_jsonl(tmp_path / "b.jsonl"), read_jsonl(tmp_path / "c.jsonl")
    strip = lambda rs: [{k: v for k, v in r.items() if k != "source"} for r in rs]   # noqa: E731
    assert strip(b) == strip(c) and len(b) >= 10


def test_a_failed_run_leaves_the_previous_set_intact(tmp_path):
    spec = ShardSpec.parse(f"{tmp_path}/")
    with ShardWriter(spec, shard_size=100) as w:
        for i in range(5):
            w.write({"id": f"r{i}", "text": "x" * 60, "lang": "en"})
    before = shard_bytes(tmp_path)
    assert len(before) == 6                                           # five shards and the manifest
    with pytest.raises(RuntimeError):
        with ShardWriter(spec, shard_size=100) as w:
            for i in range(3):
                w.write({"id": f"new{i}", "text": "y" * 60, "lang": "en"})
            raise RuntimeError("killed mid-run")
    assert shard_bytes(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # staging and lock gone
    # a killed run's staging folder is removed by the next run; a smaller set drops the old extra shards
    (tmp_path / ".manifest.json.staging-dead").mkdir()
    (tmp_path / ".manifest.json.staging-dead" / "part-00000.jsonl.zst").write_bytes(b"half")
    with ShardWriter(spec, shard_size=1000) as w:
        w.write({"id": "only", "text": "z", "lang": "en"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "part-00000.jsonl.zst"]
    assert [r["id"] for r in iter_records(tmp_path / "part-00000.jsonl.zst")] == ["only"]


def test_two_runs_cannot_write_one_set(tmp_path):
    from cleaner.sinks.atomic import OutputError

    spec = ShardSpec.parse(f"{tmp_path}/")
    with ShardWriter(spec):
        with pytest.raises(OutputError, match="another run of cleaner"):
            with ShardWriter(spec):
                pass


def test_stats_reads_every_shape_and_checks_the_manifest(mixed, single, tmp_path, run_cli):
    path, recs = single
    clean(run_cli, mixed, f"{tmp_path / 'sh'}/", "--shard-size", "4KB", "-j", "1")
    clean(run_cli, mixed, tmp_path / "c.parquet", "-j", "1")
    numbers = []
    for corpus in (path, tmp_path / "c.parquet", f"{tmp_path / 'sh'}/", tmp_path / "sh" / "manifest.json"):
        code, out, err = run_cli("stats", corpus, "--json")
        assert code == 0, err
        s = json.loads(out)
        numbers.append((s["records"], s["characters"], s["languages"], s["duplicates_recorded"]))
    assert len(set(map(json.dumps, numbers))) == 1 and numbers[0][0] == len(recs)
    code, out, _ = run_cli("stats", f"{tmp_path / 'sh'}/")
    assert code == 0 and "all match the manifest" in out and f"{len(recs)} records" in out
    # a damaged shard, then a missing manifest: found, one line each, exit 1
    shard = tmp_path / "sh" / "part-00001.jsonl.zst"
    shard.write_bytes(shard.read_bytes()[:-3] + b"abc")
    code, out, err = run_cli("stats", f"{tmp_path / 'sh'}/")
    assert code == 1 and f"cleaner: {shard}: sha256 differs from the manifest" in err.splitlines()
    (tmp_path / "sh" / "manifest.json").unlink()
    code, out, err = run_cli("stats", f"{tmp_path / 'sh'}/")
    assert code == 1 and "no manifest.json: an incomplete shard set" in err


@pytest.mark.parametrize("args, message", [
    (["-o", "corpus.jsonl", "--shard-size", "1MB"], "--shard-size needs sharded output"),
    (["-o", "out/{shard}/x-{shard}.jsonl"], "needs one {shard}, in the file name"),
    (["-o", "out/x-{shard}.csv"], "a shard pattern ends in"),
])
def test_output_usage_errors_are_one_line_exit_2(tmp_path, run_cli, args, message):
    code, _, err = run_cli("clean", SEEDS, *args, "-q")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_bad_shard_size_is_a_usage_error(run_cli):
    code, _, err = run_cli("clean", SEEDS, "-o", "out/", "--shard-size", "lots")
    assert code == 2 and "not a size: 'lots'" in err


def test_the_summary_names_how_many_shards_were_written(tmp_path, run_cli):
    out = tmp_path / "shards"
    code, _, err = run_cli("clean", SEEDS, "-o", f"{out}/", "-j", "1")
    assert code == 0, err
    assert f"-> {out}/ (1 shard, manifest.json)" in err.splitlines()[0]
