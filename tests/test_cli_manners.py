"""What a user meets around the commands: `--version`, and a reader that closes the pipe early."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SEEDS

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def cleaner(*args, **kw):
    return subprocess.run([sys.executable, "-m", "cleaner", *map(str, args)], capture_output=True, text=True,
                          env=ENV, timeout=120, **kw)


def test_version_prints_the_name_and_version():
    import cleaner as pkg

    run = cleaner("--version")
    assert run.returncode == 0 and run.stderr == ""
    assert re.fullmatch(r"cleaner \d+\.\d+\.\d+\S*\n", run.stdout)
    assert run.stdout.split()[1].startswith(pkg.__version__)


def closed_pipe_run(*args: str) -> tuple[int, str]:
    """Run `cleaner ARGS` with a standard output whose reader has already gone (`| head` that exited)."""
    read, write = os.pipe()
    os.close(read)
    try:
        proc = subprocess.run([sys.executable, "-m", "cleaner", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, env=ENV, timeout=120)
    finally:
        os.close(write)
    return proc.returncode, proc.stderr


@pytest.mark.parametrize("args", [["rules", "list"], ["--help"], ["stats", "CORPUS"], ["stats", "CORPUS", "--json"]])
def test_a_closed_pipe_ends_the_command_quietly(tmp_path, args):
    if "CORPUS" in args:
        corpus = tmp_path / "c.jsonl"
        run = cleaner("clean", SEEDS, "-o", corpus, "-q", "-j", "1")
        assert run.returncode == 0, run.stderr
        args = [str(corpus) if a == "CORPUS" else a for a in args]
    code, err = closed_pipe_run(*args)
    assert err == "", err
    assert code in (0, 1)
