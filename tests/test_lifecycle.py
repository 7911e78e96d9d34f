"""Issue 18, items 1 and 2: the run lifecycle of `cleaner clean` as a user meets it.

The progress display on a terminal (and none off one), outputs that a failed, empty or interrupted
run leaves byte-identical, Ctrl-C / SIGTERM (one line, 130 / 143, the checkpoint kept, `--resume`
finishes with the uninterrupted bytes), what `--resume` says, one lock per output, and a full disk
named by its path. Runs go through the CLI: in-process (`run_cli`), as subprocesses, and under a
pseudo-terminal where the terminal matters.
"""
from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CLI, ROOT, env, run_in_pty

def make_docs(folder: Path, n: int) -> Path:
    """`n` tiny distinct text documents (a few hundred bytes each)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"d{i:05d}.txt").write_text(
            f"Note {i} about the harbour and the river market, number {i * 7919 % 1000}.\n\n"
            f"The council met on day {i} to talk about bridge {i % 13}, school {i % 17} and ferry {i % 23}.\n",
            encoding="utf-8")
    return folder


def snapshot(*paths: Path) -> dict[str, bytes]:
    """Every regular file under `paths` (files or folders, hidden ones included), by path."""
    files: dict[str, bytes] = {}
    for p in paths:
        for f in ([p] if p.is_file() else sorted(p.rglob("*")) if p.exists() else []):
            if f.is_file():
                files[str(f)] = f.read_bytes()
    return files


def checkpoint_count(state: Path) -> int:
    try:
        return json.loads(state.read_text() or "{}").get("count", 0)
    except (OSError, ValueError):
        return 0


# -- 1. the progress display -----------------------------------------------------------------------

@pytest.mark.timeout(300)
def test_progress_display_on_a_terminal(tmp_path):
    make_docs(tmp_path / "in", 300)
    code, text = run_in_pty([*CLI, "clean", "in", "-o", "out/c.jsonl", "-j", "1"], cwd=tmp_path)
    assert code == 0, text
    assert len((tmp_path / "out/c.jsonl").read_text().splitlines()) > 0
    assert re.search(r"cleaning: [\d,]+ docs, [\d.]+k? chars read, 0 failed \[[\d:]+, +[\d.]+ docs/s\]", text), text
    assert "cleaning: 300 docs" in text, text
    summary = text.index("cleaner: 300 documents in")
    assert text.rindex("docs/s") < summary, "the display is closed before the summary"
    assert "Traceback" not in text and "bool()" not in text


@pytest.mark.timeout(300)
def test_progress_display_on_a_terminal_that_reports_no_size(tmp_path):
    """A fresh pty reports 0x0 (so do `script` sessions without a terminal on stdin): still one line."""
    make_docs(tmp_path / "in", 40)
    code, text = run_in_pty([*CLI, "clean", "in", "-o", "c.jsonl", "-j", "1"], cwd=tmp_path, size=None)
    assert code == 0, text
    assert "cleaning: 40 docs" in text and "docs/s" in text, text


@pytest.mark.timeout(300)
def test_no_progress_display_off_a_terminal_or_when_quiet(tmp_path):
    make_docs(tmp_path / "in", 40)
    p = subprocess.run([*CLI, "clean", "in", "-o", "a.jsonl", "-j", "1"], cwd=tmp_path, env=env(),
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "docs/s" not in p.stderr and "cleaning:" not in p.stderr and "\r" not in p.stderr
    assert "cleaner: 40 documents in" in p.stderr

    code, text = run_in_pty([*CLI, "clean", "in", "-o", "b.jsonl", "-j", "1", "--quiet"], cwd=tmp_path)
    assert code == 0, text
    assert text.strip() == "", text
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


# -- 2. nothing a user had is lost -----------------------------------------------------------------

@pytest.mark.parametrize("output", ["keep.jsonl", "shards/", "keep.parquet"])
@pytest.mark.parametrize("bad", ["typo", "empty"])
def test_a_run_that_processes_nothing_leaves_every_output(tmp_path, run_cli, output, bad):
    if output.endswith(".parquet"):
        pytest.importorskip("pyarrow")
    make_docs(tmp_path / "in", 5)
    (tmp_path / "in" / "repost.txt").write_bytes((tmp_path / "in" / "d00001.txt").read_bytes())  # a reject
    out = f"{tmp_path / 'out' / output}" + ("/" if output.endswith("/") else "")
    stats, rejects = tmp_path / "out" / "s.json", tmp_path / "out" / "r.jsonl"
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "--stats", stats, "--rejects", rejects, "-j", "1")
    assert code == 0, err
    before = snapshot(tmp_path / "out")
    assert len(before) >= 3 and rejects.stat().st_size > 0

    if bad == "typo":
        inputs = tmp_path / "nonexistent" / "typo"
    else:
        inputs = tmp_path / "nothing-here"
        inputs.mkdir()
    code, _, err = run_cli("clean", inputs, "-o", out, "--stats", stats, "--rejects", rejects, "-j", "1")
    assert code == 1, err
    assert f"{out} left as it was" in err, err
    assert snapshot(tmp_path / "out") == before, "a run that processed nothing changed an output"


def test_a_failed_run_writes_nothing_where_there_was_nothing(tmp_path, run_cli):
    code, _, err = run_cli("clean", tmp_path / "typo", "-o", tmp_path / "new.jsonl")
    assert code == 1
    assert "nothing written to" in err
    assert sorted(os.listdir(tmp_path)) == []


def test_corpus_with_a_mistyped_seed_folder_keeps_the_corpus(tmp_path, run_cli, monkeypatch):
    make_docs(tmp_path / "seeds", 4)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("corpus", "seeds/")
    assert code == 1 and "out of date" in err            # first build: the corpus changed
    before = snapshot(tmp_path / "out")
    assert (tmp_path / "out/corpus.jsonl").stat().st_size > 0
    code, _, err = run_cli("corpus", "seedz")
    assert code == 1
    assert "seedz" in err and "out/corpus.jsonl left as it was" in err, err
    assert snapshot(tmp_path / "out") == before


# -- 3. Ctrl-C and SIGTERM -------------------------------------------------------------------------

N_INTERRUPT = 2000


@pytest.fixture(scope="module")
def interrupt_inputs(tmp_path_factory):
    """A few thousand small documents and the corpus an uninterrupted run makes of them."""
    base = tmp_path_factory.mktemp("interrupt")
    make_docs(base / "in", N_INTERRUPT)
    p = subprocess.run([*CLI, "clean", str(base / "in"), "-o", str(base / "full.jsonl"), "-j", "2", "--quiet"],
                       env=env(), capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    return base / "in", (base / "full.jsonl").read_bytes()


def start_and_signal(args: list[str], out: Path, sig: int, at: int = 40) -> tuple[int, float, str]:
    """Start `cleaner ARGS`, send `sig` once its checkpoint holds `at` documents; (status, seconds
    from the signal to the exit, stderr)."""
    p = subprocess.Popen([*CLI, *args], env=env(CLEANER_CHECKPOINT_SECONDS="0"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    state = Path(f"{out}.ckpt") / "state.json"
    deadline = time.monotonic() + 300
    while checkpoint_count(state) < at and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert p.poll() is None, "the run ended before it could be interrupted: " + p.stderr.read()
    sent = time.monotonic()
    p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail("the run did not end within 60 s of the signal")
    return p.returncode, time.monotonic() - sent, err


@pytest.mark.timeout(900)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_the_corpus_and_resume_finishes_it(tmp_path, interrupt_inputs, jobs):
    inputs, full = interrupt_inputs
    out = tmp_path / "corpus.jsonl"
    out.write_bytes(b'{"id": "a previous corpus"}\n')
    previous = snapshot(tmp_path)

    code, took, err = start_and_signal(["clean", str(inputs), "-o", str(out), "-j", jobs], out, signal.SIGINT)
    assert code == 130, err
    assert took < 10, f"Ctrl-C took {took:.1f} s"
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "--resume" in lines[0] and f"{out} left as it was" in lines[0], err
    assert out.read_bytes() == previous[str(out)], "the previous corpus changed"
    ckpt = Path(f"{out}.ckpt")
    assert ckpt.is_dir() and checkpoint_count(ckpt / "state.json") > 0
    done = checkpoint_count(ckpt / "state.json")
    assert f"after {done:,} documents" in lines[0]

    p = subprocess.run([*CLI, "clean", str(inputs), "-o", str(out), "-j", jobs, "--resume"], env=env(),
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert p.stderr.splitlines()[0] == f"cleaner: resuming from checkpoint: {done:,} documents already done"
    assert out.read_bytes() == full
    assert not ckpt.exists()


@pytest.mark.timeout(600)
def test_sigterm_is_handled_like_ctrl_c(tmp_path, interrupt_inputs):
    inputs, _ = interrupt_inputs
    out = tmp_path / "corpus.jsonl"
    out.write_bytes(b'{"id": "a previous corpus"}\n')
    code, took, err = start_and_signal(["clean", str(inputs), "-o", str(out), "-j", "2"], out, signal.SIGTERM)
    assert code == 143, err
    assert took < 10
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "terminated after" in err, err
    assert out.read_bytes() == b'{"id": "a previous corpus"}\n'
    assert Path(f"{out}.ckpt/state.json").exists()


@pytest.mark.timeout(600)
def test_ctrl_c_keeps_a_shard_set_its_stats_and_rejects(tmp_path, interrupt_inputs):
    inputs, _ = interrupt_inputs
    small = tmp_path / "small"
    make_docs(small, 20)
    (small / "repost.txt").write_bytes((small / "d00003.txt").read_bytes())   # a duplicate: one reject
    shards, stats, rejects = tmp_path / "shards", tmp_path / "stats.json", tmp_path / "rejects.jsonl"
    common = ["-o", f"{shards}/", "--stats", str(stats), "--rejects", str(rejects), "-j", "2"]
    p = subprocess.run([*CLI, "clean", str(small), *common, "-q"], env=env(), capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    before = snapshot(tmp_path / "shards", stats, rejects)
    assert (shards / "manifest.json").exists() and rejects.stat().st_size > 0

    code, took, err = start_and_signal(["clean", str(inputs), *common], shards / ".manifest", signal.SIGINT)
    assert code == 130 and took < 10, err
    assert "Traceback" not in err and "--resume" in err and len(err.strip().splitlines()) == 1, err
    after = snapshot(tmp_path / "shards", stats, rejects)
    assert {k: v for k, v in after.items() if "/.manifest.ckpt/" not in k} == before


@pytest.mark.timeout(600)
def test_ctrl_c_typed_on_the_terminal(tmp_path, interrupt_inputs):
    """What a user's Ctrl-C is: ^C on the terminal, SIGINT to the whole foreground group (workers too)."""
    inputs, _ = interrupt_inputs
    out = tmp_path / "out" / "corpus.jsonl"
    out.parent.mkdir()
    out.write_bytes(b'{"id": "a previous corpus"}\n')
    state = Path(f"{out}.ckpt") / "state.json"
    typed: list[float] = []

    def ctrl_c(fd: int, text: str) -> None:
        if not typed and "docs/s" in text and checkpoint_count(state) >= 40:
            os.write(fd, b"\x03")
            typed.append(time.monotonic())

    code, text = run_in_pty([*CLI, "clean", str(inputs), "-o", str(out), "-j", "2"], cwd=tmp_path,
                            on_output=ctrl_c, environ=env(CLEANER_CHECKPOINT_SECONDS="0"))
    assert typed, "the run ended before Ctrl-C: " + text
    assert code == 130, text
    assert time.monotonic() - typed[0] < 10
    assert "Traceback" not in text
    assert len([l for l in text.splitlines() if "--resume" in l]) == 1, text
    assert out.read_bytes() == b'{"id": "a previous corpus"}\n'
    assert state.exists()


# -- 4. what --resume says -------------------------------------------------------------------------

def test_resume_says_when_there_is_no_checkpoint_or_it_does_not_match(tmp_path, run_cli):
    make_docs(tmp_path / "in", 3)
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "--resume", "-q")
    assert code == 0
    assert err.splitlines() == ["cleaner: no checkpoint to resume: starting from the beginning"]

    ckpt = Path(f"{out}.ckpt")
    ckpt.mkdir()
    (ckpt / "state.json").write_text(json.dumps({"fingerprint": "other inputs", "count": 2, "size": 10}))
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "--resume", "-q")
    assert code == 0
    assert err.splitlines() == ["cleaner: checkpoint does not match these inputs/options: starting over"]
    assert len(out.read_text().splitlines()) == 3


# -- 5. one lock per output ------------------------------------------------------------------------

@pytest.mark.timeout(600)
def test_a_second_run_on_the_same_output_fails_fast(tmp_path, interrupt_inputs):
    inputs, full = interrupt_inputs
    out = tmp_path / "c.jsonl"
    first = subprocess.Popen([*CLI, "clean", str(inputs), "-o", str(out), "-j", "1", "--quiet"],
                             env=env(CLEANER_CHECKPOINT_SECONDS="0"), stderr=subprocess.PIPE, text=True)
    state = Path(f"{out}.ckpt/state.json")
    deadline = time.monotonic() + 300
    while checkpoint_count(state) < 10 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert first.poll() is None
    second = subprocess.run([*CLI, "clean", str(inputs), "-o", str(out), "-j", "1"], env=env(),
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 2, second.stderr
    assert second.stderr.strip() == f"cleaner: {out}: another run of cleaner is writing this output (pid {first.pid})"
    assert state.exists(), "the second run removed the first one's checkpoint"
    assert first.wait(timeout=600) == 0, first.stderr.read()
    assert out.read_bytes() == full
    assert not list(tmp_path.glob(".c.jsonl*")), "the lock and temp files are gone after the run"


def test_a_shard_set_is_locked_too(tmp_path, run_cli):
    make_docs(tmp_path / "in", 3)
    code, _, err = run_cli("clean", tmp_path / "in", "-o", f"{tmp_path / 'shards'}/", "-q")
    assert code == 0, err
    lock = tmp_path / "shards" / ".manifest.json.lock"
    holder = subprocess.Popen([sys.executable, "-c",
                               "import fcntl, os, sys, time\n"
                               f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
                               "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'%d' % os.getpid())\n"
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(tmp_path / "shards")
        code, _, err = run_cli("clean", tmp_path / "in", "-o", f"{tmp_path / 'shards'}/", "-q")
        assert code == 2
        assert f"another run of cleaner is writing this output (pid {holder.pid})" in err
        assert snapshot(tmp_path / "shards") == before
    finally:
        holder.kill()
        holder.wait()


# -- 6. a full disk names the path -----------------------------------------------------------------

_REAL_FSYNC = os.fsync
FAILING = {   # where the disk fills: (the file whose fsync fails, the path the message must name)
    "corpus": (r"/\.c\.jsonl\.[^./]+\.part$", "c.jsonl"),
    "checkpoint": (r"/phase-a\.bin$", "c.jsonl.ckpt/phase-a.bin"),
    "stats": (r"/\.c\.jsonl\.stats\.json\.[^./]+\.part$", "c.jsonl.stats.json"),
}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to tell files apart")
@pytest.mark.parametrize("where", sorted(FAILING))
def test_a_full_disk_names_the_path(tmp_path, run_cli, monkeypatch, where):
    make_docs(tmp_path / "in", 4)
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "-q")
    assert code == 0
    before = snapshot(tmp_path)
    pattern, named = FAILING[where]

    def fsync(fd: int) -> None:
        if re.search(pattern, os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        _REAL_FSYNC(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "-q")
    assert code == 1
    assert err.strip() == f"cleaner: {tmp_path / named}: cannot write: No space left on device", err
    after = snapshot(tmp_path)
    assert after[str(out)] == before[str(out)] and after[f"{out}.stats.json"] == before[f"{out}.stats.json"]
    assert not [f for f in after if f.endswith(".part")]


# -- 7. the README's first command on a fresh clone ------------------------------------------------

@pytest.mark.timeout(300)
def test_readme_first_command_on_a_fresh_clone(tmp_path):
    """`cleaner clean seeds/ -o out/corpus.jsonl` in a terminal, in a copy of what is committed."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        archive = subprocess.run(["git", "archive", "HEAD"], cwd=top, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs git and a git checkout")
    clone = tmp_path / "clone"
    clone.mkdir()
    subprocess.run(["tar", "-x"], input=archive, cwd=clone, check=True)
    committed = [json.loads(l)["text"] for l in (clone / "out/corpus.jsonl").read_text().splitlines()]
    environ = dict(os.environ, PYTHONPATH=str(clone))
    environ.pop("COLUMNS", None)
    from shutil import which

    command = [which("cleaner") or "cleaner", "clean", "seeds/", "-o", "out/corpus.jsonl"]
    if which("cleaner") is None:
        command = [*CLI, *command[1:]]
    code, text = run_in_pty(command, cwd=clone, size=None, environ=environ)
    assert code == 0, text
    texts = [json.loads(l)["text"] for l in (clone / "out/corpus.jsonl").read_text().splitlines()]
    assert len(texts) == 5 and texts == committed
    assert "cleaning: 5 docs" in text and "docs/s" in text, text
    assert "cleaner: 5 documents in, 5 out -> out/corpus.jsonl" in text


def test_a_full_disk_while_writing_parquet_names_the_path(tmp_path, run_cli, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    make_docs(tmp_path / "in", 4)
    out = tmp_path / "c.parquet"
    code, _, _ = run_cli("clean", tmp_path / "in", "-o", out, "-q")
    assert code == 0
    before = snapshot(tmp_path)

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    code, _, err = run_cli("clean", tmp_path / "in", "-o", out, "-q")
    assert code == 1
    assert err.strip() == f"cleaner: {out}: cannot write: No space left on device"
    assert snapshot(tmp_path) == before
