"""Issue 5, point 2: a run killed with SIGKILL leaves no partial corpus, and --resume gives the same bytes."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import kill_at_checkpoint

WORDS = ("river market council harbour engineer festival library winter orchard signal "
         "station ferry museum village bridge garden factory theatre school valley").split()


def make_corpus(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        body = []
        for p in range(6):
            ws = [WORDS[(i * 7 + p * 3 + k * k) % len(WORDS)] for k in range(40)]
            body.append(f"Paragraph {p} of report {i}: " + " ".join(ws) + ".")
        text = f"Report number {i} on the {WORDS[i % len(WORDS)]}\n\n" + "\n\n".join(body) + "\n\nLeave a Reply\n"
        (folder / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")


def cli(*args: str, **kw) -> subprocess.Popen:
    env = dict(os.environ, CLEANER_CHECKPOINT_SECONDS="0")
    return subprocess.Popen([sys.executable, "-m", "cleaner.cli", *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.mark.timeout(300)
def test_sigkill_then_resume_gives_identical_corpus(tmp_path):
    inputs = tmp_path / "in"
    make_corpus(inputs, 600)
    full = tmp_path / "full.jsonl"
    p = cli("clean", str(inputs), "-o", str(full), "-j", "1", "--quiet")
    assert p.wait() == 0, p.stderr.read().decode()

    out = tmp_path / "killed.jsonl"
    state = Path(f"{out}.ckpt") / "state.json"
    p = cli("clean", str(inputs), "-o", str(out), "-j", "1", "--quiet")
    count_at_kill = kill_at_checkpoint(p, state, 50)
    assert 0 < count_at_kill < 600, "the kill must land mid-way"
    assert not out.exists(), "a killed run must leave no corpus at -o"

    p = cli("clean", str(inputs), "-o", str(out), "-j", "1", "--quiet", "--resume")
    assert p.wait() == 0, p.stderr.read().decode()
    assert out.read_bytes() == full.read_bytes()
    assert not Path(f"{out}.ckpt").exists(), "the checkpoint is removed once the run completes"
    assert not [f.name for f in tmp_path.iterdir() if f.name.startswith(".killed.jsonl.")], "stale temp files are cleared"
