"""Issue 14, point 3: a sharded run killed with SIGKILL shows no shard set, and `--resume` writes shards
byte-identical to an uninterrupted run's (the checkpoint lives hidden inside the shard folder)."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import kill_at_checkpoint, without_times

from test_resume import WORDS, cli

N = 400
VOCAB = WORDS + ("council residents budget railway housing hospital farmers teachers students bakery weather "
                 "storm flood repairs concert painters archive election mayor port fishing boats tourists").split()


def make_corpus(folder: Path, n: int) -> None:
    """`n` distinct reports (seeded words, so dedup keeps them), each with a chrome line to remove."""
    import random

    folder.mkdir()
    for i in range(n):
        rng = random.Random(i)
        body = [f"Paragraph {p} of report {i}: " + " ".join(rng.choice(VOCAB) for _ in range(40)) + "."
                for p in range(4)]
        text = f"Report number {i} on the {VOCAB[i % len(VOCAB)]}\n\n" + "\n\n".join(body) + "\n\nLeave a Reply\n"
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")


def digest(folder: Path) -> dict[str, str]:
    return {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(folder.iterdir())
            if not f.name.startswith(".")}


@pytest.mark.timeout(300)
def test_sigkill_then_resume_gives_identical_shards(tmp_path):
    inputs = tmp_path / "in"
    make_corpus(inputs, N)
    full = tmp_path / "full"
    p = cli("clean", str(inputs), "-o", f"{full}/", "--shard-size", "40KB", "-j", "1", "--quiet")
    assert p.wait() == 0, p.stderr.read().decode()
    expected = digest(full)
    shards = [n for n in expected if n.startswith("part-")]
    assert len(shards) >= 5, expected

    out = tmp_path / "killed"
    state = out / ".manifest.ckpt" / "state.json"
    p = cli("clean", str(inputs), "-o", f"{out}/", "--shard-size", "40KB", "-j", "1", "--quiet")
    count_at_kill = kill_at_checkpoint(p, state, 40)
    assert 0 < count_at_kill < N, "the kill must land mid-way"
    print(f"killed after {count_at_kill} of {N} documents; the full run wrote {len(shards)} shards")
    assert [f.name for f in out.iterdir() if not f.name.startswith(".")] == [], "no visible shard set after a kill"

    p = cli("clean", str(inputs), "-o", f"{out}/", "--shard-size", "40KB", "-j", "1", "--quiet", "--resume")
    assert p.wait() == 0, p.stderr.read().decode()
    got = digest(out)
    assert json.loads((full / "manifest.json").read_text())["records"] == N
    stats_full, stats_got = json.loads((full / "stats.json").read_text()), json.loads((out / "stats.json").read_text())
    assert without_times(stats_got) == without_times(stats_full)
    got.pop("stats.json"), expected.pop("stats.json")
    assert got == expected                                   # every shard and the manifest, byte for byte
    assert [f.name for f in out.iterdir() if f.name.startswith(".")] == [], "checkpoint, staging, lock: all gone"
