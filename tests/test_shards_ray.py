"""Shards are a sink over the ordered record stream: the Ray engine writes the same shard bytes as the
local engine (and so does Parquet output). Skipped without the `ray` extra, like test_ray_engine."""
from __future__ import annotations

import hashlib

import pytest

ray = pytest.importorskip("ray", reason="the Ray engine needs the `ray` extra: pip install 'cleaner[ray]'")
pytest.importorskip("ray.data", reason="the Ray engine needs Ray Data: pip install 'cleaner[ray]'")

from test_formats_out import mixed  # noqa: E402,F401  (the fixture: txt, JSONL, Parquet and WET inputs)


def digest(folder):
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())
            if f.name.startswith("part-") or f.name == "manifest.json"}


@pytest.mark.timeout(300)
def test_ray_shards_equal_local_shards(run_cli, tmp_path, mixed, local_ray):  # noqa: F811
    for engine, out in (("local", tmp_path / "local"), ("ray", tmp_path / "ray")):
        code, _, err = run_cli("clean", mixed, "-o", f"{out}/", "--shard-size", "4KB", "--engine", engine, "-j", "2", "-q")
        assert code == 0, err
    local, on_ray = digest(tmp_path / "local"), digest(tmp_path / "ray")
    assert len(local) >= 4 and on_ray == local
