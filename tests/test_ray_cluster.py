"""Issue 15, point 1: a 3-node Ray cluster on this machine cleans 200 mixed inputs; workers read the
inputs and write the shards (on different nodes, recorded through the `ray_trace` option), and the shards,
records, dedup clusters, stats, rejects and stderr equal the local engine's.

The cluster is `ray.cluster_utils.Cluster`: three raylets of one CPU and a 100 MB object store each,
on loopback, shut down by the fixture's finalizer. Skipped without the `ray` extra.
"""
from __future__ import annotations

import hashlib
import json
import os

import pytest

ray = pytest.importorskip("ray", reason="the Ray engine needs the `ray` extra: pip install 'cleaner[ray]'")
pytest.importorskip("ray.data", reason="the Ray engine needs Ray Data: pip install 'cleaner[ray]'")

from conftest import read_jsonl, without_times  # noqa: E402
from mixed_inputs import make_mixed_inputs  # noqa: E402

NODES = 3
STORE = 100 * 1024 ** 2
LOOPBACK = "127.0.0.1"      # the nodes listen on loopback only
SINGLE_MACHINE = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


@pytest.fixture(scope="module")
def cluster(request):
    from ray.cluster_utils import Cluster

    from cleaner.engines.ray_setup import worker_env

    if ray.is_initialized():
        ray.shutdown()
    # Everything on loopback: Ray's single-machine mode (its default on macOS and Windows), in this
    # process (the driver) and in the nodes it starts (they inherit the environment).
    import ray._private.ray_constants as constants

    saved = os.environ.get(SINGLE_MACHINE), constants.ENABLE_RAY_CLUSTER
    os.environ[SINGLE_MACHINE] = "0"
    constants.ENABLE_RAY_CLUSTER = False
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "object_store_memory": STORE,
                                                       "include_dashboard": False, "node_ip_address": LOOPBACK})

    def stop():
        ray.shutdown()
        c.shutdown()
        constants.ENABLE_RAY_CLUSTER = saved[1]
        if saved[0] is None:
            os.environ.pop(SINGLE_MACHINE, None)
        else:
            os.environ[SINGLE_MACHINE] = saved[0]

    request.addfinalizer(stop)
    for _ in range(NODES - 1):
        c.add_node(num_cpus=1, object_store_memory=STORE, node_ip_address=LOOPBACK)
    c.wait_for_nodes()
    ray.init(address=c.address, runtime_env=worker_env(), log_to_driver=False, configure_logging=False)
    return c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return make_mixed_inputs(tmp_path_factory.mktemp("mixed200") / "in", files=200)


def shard_digests(folder):
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())
            if f.name.startswith("part-") or f.name == "manifest.json"}


def records_of(folder):
    from cleaner.sinks.readback import iter_records, open_corpus

    corpus = open_corpus(f"{folder}/")
    assert corpus.problems == []
    return [r for f in corpus.files for r in iter_records(f)]


def clusters_of(records):
    return sorted((r["id"], tuple(sorted(d["id"] for d in r["duplicates"]))) for r in records if r["duplicates"])


@pytest.mark.timeout(300)
def test_cluster_reads_and_writes_on_workers_with_the_local_result(run_cli, inputs, cluster, tmp_path, monkeypatch):
    runs = {}
    for engine in ("local", "ray"):
        out = tmp_path / engine
        extra = ["--engine", "ray"] if engine == "ray" else ["-j", "2"]
        if engine == "ray":
            config = tmp_path / "trace.toml"
            config.write_text(f"ray-trace = {json.dumps(str(tmp_path / 'trace.json'))}\n")
            extra += ["--config", str(config)]
        code, _, err = run_cli("clean", inputs, "-o", f"{out}/", "--shard-size", "16KB", "--rejects",
                               tmp_path / f"{engine}-rejects.jsonl", "-q", *extra)
        assert code == 0, err
        runs[engine] = (out, err)
    (local, local_err), (on_ray, ray_err) = runs["local"], runs["ray"]

    # the corpus exercises what it should: many shards, clusters across files, drops, bad inputs
    recs = records_of(local)
    stats = json.loads((local / "stats.json").read_text())
    assert len(shard_digests(local)) >= 10 and len(recs) >= 200
    assert stats["duplicate_clusters"] >= 10 and stats["documents_dropped"] and stats["failures_total"] >= 4
    assert len(set(r["source"].rsplit("/", 1)[-1].split("#")[0] for r in recs)) >= 150

    # the same result: records (sorted, and in fact in the same order), clusters, shards byte for byte
    ray_recs = records_of(on_ray)
    assert sorted(json.dumps(r, sort_keys=True) for r in ray_recs) == sorted(json.dumps(r, sort_keys=True) for r in recs)
    assert clusters_of(ray_recs) == clusters_of(recs)
    assert shard_digests(on_ray) == shard_digests(local)
    assert without_times(json.loads((on_ray / "stats.json").read_text())) == without_times(stats)
    assert read_jsonl(tmp_path / "ray-rejects.jsonl") == read_jsonl(tmp_path / "local-rejects.jsonl")
    assert ray_err == local_err and local_err.count("\n") == stats["failures_total"]   # one line per failure

    # workers on different nodes read the inputs and wrote the shards; the driver wrote none
    trace = json.loads((tmp_path / "trace.json").read_text())
    nodes = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert len(nodes) == NODES and {n["NodeManagerAddress"] for n in ray.nodes()} == {LOOPBACK}
    writers = [s["node"] for s in trace["shards"]]
    readers = [r["node"] for r in trace["reads"]]
    assert [s["file"] for s in trace["shards"]] == sorted(f for f in shard_digests(local) if f.startswith("part-"))
    assert set(writers) <= nodes and set(readers) <= nodes
    assert len(set(writers)) >= 2 and len(set(readers)) >= 2
    print(f"\n{len(recs)} records in {len(writers)} shards; shards per node: "
          f"{sorted(writers.count(n) for n in set(writers))}; inputs read per node: "
          f"{sorted(readers.count(n) for n in set(readers))}")


@pytest.mark.timeout(300)
def test_cluster_reads_a_remote_file_url_like_the_local_engine(run_cli, inputs, cluster, tmp_path):
    """Inputs named by an fsspec URL (file:// here; s3://, gs://, hf:// alike) are read on the workers."""
    url = f"file://{inputs}/site1-*"
    outs = {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.jsonl"
        code, _, err = run_cli("clean", url, "-o", out, "-q", "--engine", engine, "-j", "1")
        assert code == 0, err
        outs[engine] = out.read_bytes()
    recs = [json.loads(l) for l in outs["local"].splitlines()]
    assert len(recs) >= 10 and all(r["source"].startswith("file://") for r in recs)
    assert outs["ray"] == outs["local"]
