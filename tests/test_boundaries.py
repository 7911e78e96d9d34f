"""Inputs and outputs stay where the user put them, and every input file is accounted for (issue 18).

Through the CLI, as a user runs it: outputs only ever replace regular files and are refused (exit 2,
one line, before any work) when they name a device, a pipe, a socket, a folder, a link or an input;
an output under an input folder is never read back; symlinks do not lead out of the named folders;
every file in an input folder is read or skipped with its reason and counted; a truncated .warc.gz
and malformed JSON are one line each; `-o -` is standard output and `-o x.csv` is refused.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import read_jsonl

TEXTS = [
    "The river rose overnight after three days of heavy rain in the hills.\n"
    "Farmers moved their animals to higher ground before the water reached the lower fields.\n",
    "Meeting notes from Tuesday.\nWe agreed to move the release to next month because the translation "
    "work is not finished yet.\nAnna will write to the printers about the new date.\n",
    "Tomatoes need full sun and regular watering through the summer months.\n"
    "Mulch keeps the soil moist and stops weeds from taking over the bed.\n",
    "The library opens at nine on weekdays and at ten on Saturdays.\n"
    "Children under twelve must be with an adult when they visit the reading room.\n",
]
SECRET = "SECRET-TOKEN-4471 do not publish this line anywhere at all please"


def _inputs(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, t in enumerate(TEXTS[:2]):
        (folder / f"doc{i}.txt").write_text(t)
    return folder


def _stats(path: Path) -> dict:
    return json.loads(path.read_text())


def _lines(err: str) -> list[str]:
    return [l for l in err.splitlines() if l.strip()]


# -- 1. outputs only ever replace regular files --------------------------------------------------

def _device(path: Path) -> Path:
    """A character device to aim outputs at: a copy of /dev/null made here when root may (a guard that
    failed as root would otherwise replace the real /dev/null), else /dev/null itself (which a user
    who is not root cannot replace)."""
    if os.geteuid() != 0:
        return Path(os.devnull)
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except OSError as e:
        pytest.skip(f"cannot make a device node here: {e}")
    return path


def _node(kind: str, path: Path) -> Path:
    if kind == "device":
        return _device(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink":
        (path.parent / "target.json").write_text("keep me\n")
        path.symlink_to("target.json")
    return path


@pytest.mark.parametrize("flag", ["--stats", "--rejects"])
@pytest.mark.parametrize("kind", ["device", "fifo", "socket", "folder", "symlink"])
def test_stats_and_rejects_refuse_anything_but_a_regular_file(tmp_path, run_cli, flag, kind):
    src = _inputs(tmp_path / "in")
    out = tmp_path / "out" / "corpus.jsonl"
    node = _node(kind, tmp_path / "node.json")
    before = os.lstat(node)
    code, _, err = run_cli("clean", src, "-o", out, flag, node)
    assert code == 2
    assert len(_lines(err)) == 1 and err.startswith(f"cleaner: {flag} {node}: is ")
    assert "outputs only ever replace regular files" in err
    assert not out.exists() and not out.parent.exists()          # refused before any work
    after = os.lstat(node)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    if kind == "device":
        assert stat.S_ISCHR(os.lstat(node).st_mode)
    if kind == "symlink":
        assert (tmp_path / "target.json").read_text() == "keep me\n"


@pytest.mark.parametrize("kind", ["fifo", "socket", "symlink"])
def test_corpus_output_refuses_anything_but_a_regular_file(tmp_path, run_cli, kind):
    src = _inputs(tmp_path / "in")
    node = _node(kind, tmp_path / "corpus.jsonl")
    code, _, err = run_cli("clean", src, "-o", node)
    assert code == 2 and len(_lines(err)) == 1 and f"-o {node}: is a" in err
    assert not (tmp_path / "corpus.jsonl.stats.json").exists()


def test_devices_and_pipes_are_refused_by_report_and_corpus_too(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    dev = _device(tmp_path / "null.jsonl")
    code, _, err = run_cli("clean", src, "-o", dev)
    assert code == 2 and f"-o {dev}: is a character device" in err
    (tmp_path / "c.jsonl").write_text('{"id": "1", "text": "hello there"}\n')
    code, _, err = run_cli("report", tmp_path / "c.jsonl", "-o", dev)
    assert code == 2 and f"-o {dev}: is a character device" in err
    os.mkfifo(tmp_path / "fifo.jsonl")
    code, _, err = run_cli("corpus", src, "-o", tmp_path / "fifo.jsonl")
    assert code == 2 and "is a named pipe" in err                # reading it first would have blocked
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_file_where_a_folder_is_needed_is_refused(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    code, _, err = run_cli("clean", src, "-o", src / "doc0.txt" / "corpus.jsonl")
    assert code == 2 and err.strip().endswith(f"{src / 'doc0.txt'} is not a folder")


def test_outputs_must_be_different_files(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", src, "-o", out, "--rejects", out)
    assert code == 2 and "--rejects" in err and "is also the output of -o" in err and not out.exists()


# -- 2. an output naming an input is refused ----------------------------------------------------

def test_output_naming_an_input_is_refused(tmp_path, run_cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    dump = Path("dump.jsonl")
    data = "".join(json.dumps({"id": str(i), "text": t}) + "\n" for i, t in enumerate(TEXTS)).encode()
    dump.write_bytes(data)
    for args in (["dump.jsonl", "-o", "dump.jsonl"], ["dump.jsonl", "-o", "c.jsonl", "--stats", "dump.jsonl"],
                 ["dump.jsonl", "-o", "c.jsonl", "--rejects", "./dump.jsonl"], ["*.jsonl", "-o", "dump.jsonl"]):
        code, _, err = run_cli("clean", *args)
        assert code == 2, args
        assert len(_lines(err)) == 1 and "dump.jsonl" in err and ("one of the inputs" in err or "would be read" in err)
        assert dump.read_bytes() == data
        assert not Path("c.jsonl").exists()


def test_a_users_file_inside_an_input_folder_is_not_replaced(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    dump = src / "dump.jsonl"
    dump.write_text(json.dumps({"text": TEXTS[2]}) + "\n")
    code, _, err = run_cli("clean", src, "-o", dump)
    assert code == 2 and "would be read as input" in err and len(_lines(err)) == 1
    assert json.loads(dump.read_text())["text"] == TEXTS[2]


# -- 3. an output under an input folder is never read back --------------------------------------

@pytest.mark.parametrize("output", ["out/corpus.jsonl", "out/corpus.jsonl.gz", "shards/", "out/part-{shard}.jsonl"])
def test_outputs_inside_an_input_folder_are_never_read_back(tmp_path, run_cli, output):
    src = _inputs(tmp_path / "in")
    out = f"{src}/{output}"
    runs = []
    for _ in range(3):
        code, _, err = run_cli("clean", src, "-o", out, "--rejects", src / "out" / "rejects.jsonl",
                               "--stats", src / "run-stats.json")
        assert code == 0, err
        assert err.count("cleaner:") == 1                          # the summary: nothing skipped, nothing failed
        runs.append(_stats(src / "run-stats.json"))
    assert [r["documents_in"] for r in runs] == [2, 2, 2]
    assert all(r["failures_total"] == 0 for r in runs)


def test_a_killed_runs_checkpoint_and_temp_files_are_not_read(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    out = src / "corpus.jsonl"
    ckpt = src / "corpus.jsonl.ckpt"
    ckpt.mkdir()
    (ckpt / "state.json").write_text('{"fingerprint": "x", "count": 0, "size": 0}')
    (src / ".corpus.jsonl.abc123.part").write_text(json.dumps({"text": TEXTS[3]}) + "\n")
    code, _, err = run_cli("clean", src, "-o", out)
    assert code == 0, err
    s = _stats(src / "corpus.jsonl.stats.json")
    assert s["documents_in"] == 2 and s["failures_total"] == 0 and err.count("cleaner:") == 1


# -- 4. symlinks do not lead out of the named folders ------------------------------------------

def test_symlinks_out_of_the_input_folder_are_skipped_and_named_once(tmp_path, run_cli):
    outside = tmp_path / "private"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET + "\n" + TEXTS[3])
    src = _inputs(tmp_path / "in")
    (src / "passwd.txt").symlink_to(outside / "passwd.txt")
    (src / "etc").symlink_to(outside)
    (src / "loop").symlink_to(src)                        # a folder link back into the input: no loop
    (src / "sub").mkdir()
    (src / "sub" / "again.txt").symlink_to(src / "doc0.txt")     # a file link inside the input: read
    (src / "dangling.txt").symlink_to(src / "gone.txt")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", src, "-o", out, "--dedup", "none")
    assert code == 0, err
    assert SECRET not in out.read_text()
    assert err.count(f"cleaner: {src / 'passwd.txt'}: skipped: symlink points outside the input folder") == 1
    assert err.count(f"cleaner: {src / 'etc'}: skipped: symlink points outside the input folder") == 1
    assert err.count(f"{src / 'dangling.txt'}: skipped: broken symlink") == 1
    assert "loop" not in err
    s = _stats(tmp_path / "c.jsonl.stats.json")
    assert s["failures"]["symlink"] == 2 and s["documents_in"] == 3
    assert sorted(r["source"] for r in read_jsonl(out)) == sorted(str(p) for p in (src / "doc0.txt", src / "doc1.txt",
                                                                                    src / "sub" / "again.txt"))


def test_a_link_to_another_named_folder_is_followed(tmp_path, run_cli):
    a, b = _inputs(tmp_path / "a"), tmp_path / "b"
    b.mkdir()
    (b / "real.txt").write_text(TEXTS[2])
    (a / "link.txt").symlink_to(b / "real.txt")
    code, _, err = run_cli("clean", a, b, "-o", tmp_path / "c.jsonl", "--dedup", "none")
    assert code == 0 and "skipped" not in err
    assert _stats(tmp_path / "c.jsonl.stats.json")["documents_in"] == 4


# -- 5. every file in an input folder is read or counted --------------------------------------

def _mixed(folder: Path, outside: Path) -> None:
    folder.mkdir()
    (folder / "page.html").write_text("<!doctype html><html><head><title>Garden</title></head><body><nav>Home | About"
                                      "</nav><article><h1>Growing tomatoes</h1><p>" + TEXTS[2] + "</p></article>"
                                      "</body></html>")
    (folder / "notes.txt").write_text(TEXTS[1])
    (folder / "3f9a0c1b7e2d4a55").write_text(TEXTS[0])                         # a hash-named scrape
    (folder / "app.log").write_text("2024-01-01 12:00:00 INFO the server started on port 8080 after the upgrade\n"
                                    "2024-01-01 12:00:05 WARN a slow request took 2300 ms to answer the client\n")
    (folder / "data.json").write_text(json.dumps([{"id": "lib-1", "text": TEXTS[3]},
                                                  {"id": "lib-2", "text": "Bring your card to borrow up to six books "
                                                   "for three weeks at a time, and renew them online."}]))
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (folder / "blob").write_bytes(bytes(range(256)) * 8)                        # binary, no name to go by
    (folder / ".hidden").write_text("a hidden file\n")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]\n")
    outside.write_text(SECRET + "\n")
    (folder / "passwd").symlink_to(outside)


def test_every_file_in_a_folder_is_read_or_counted_with_its_reason(tmp_path, run_cli):
    src = tmp_path / "mix"
    _mixed(src, tmp_path / "passwd")
    out = tmp_path / "out" / "c.jsonl"
    code, _, err = run_cli("clean", src, "-o", out, "--dedup", "none")
    assert code == 0, err
    sources = {r["source"] for r in read_jsonl(out)}
    for name in ("page.html", "notes.txt", "3f9a0c1b7e2d4a55", "app.log", "data.json#1", "data.json#2"):
        assert f"{src}/{name}" in sources, (name, sources)
    assert {r["id"] for r in read_jsonl(out)} >= {"lib-1", "lib-2"}          # records, not the JSON text
    assert SECRET not in out.read_text()
    skipped = {l.split(": ", 2)[1]: l.split(": ", 2)[2] for l in _lines(err) if ": skipped: " in l}
    assert skipped == {
        str(src / ".git"): "skipped: hidden folder",
        str(src / ".hidden"): "skipped: hidden file",
        str(src / "blob"): "skipped: binary data, not text",
        str(src / "image.png"): "skipped: binary data, not text",
        str(src / "passwd"): "skipped: symlink points outside the input folder",
    }
    s = _stats(out.with_name("c.jsonl.stats.json"))
    assert s["documents_in"] == 6
    assert s["failures"] == {"binary": 2, "hidden": 2, "symlink": 1}
    assert "skipped: 5 (binary 2, hidden 2, symlink 1)" in err


def test_a_folder_of_only_skipped_files_processes_nothing(tmp_path, run_cli):
    src = tmp_path / "in"
    src.mkdir()
    (src / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    code, _, err = run_cli("clean", src, "-o", tmp_path / "c.jsonl")
    assert code == 1 and "image.png: skipped: binary" in err


def test_a_named_pipe_in_a_folder_is_skipped_not_waited_on(tmp_path):
    src = _inputs(tmp_path / "in")
    os.mkfifo(src / "pipe.txt")
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(tmp_path / "c.jsonl")],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert f"{src / 'pipe.txt'}: skipped: a named pipe, not a regular file" in p.stderr


def test_an_unreadable_subfolder_is_one_line_and_counted(tmp_path, run_cli, monkeypatch):
    src = _inputs(tmp_path / "in")
    locked = src / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(TEXTS[3])
    real = os.scandir

    def scandir(path="."):                 # what chmod 000 does for a user who is not root
        if isinstance(path, (str, os.PathLike)) and os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, _, err = run_cli("clean", src, "-o", tmp_path / "c.jsonl")
    assert code == 0, err
    assert f"cleaner: {locked}: skipped: cannot read folder: Permission denied" in err
    assert _stats(tmp_path / "c.jsonl.stats.json")["failures"] == {"unreadable": 1}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 folder anyway")
def test_a_chmod_000_subfolder_is_one_line_and_counted(tmp_path, run_cli):
    src = _inputs(tmp_path / "in")
    locked = src / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(TEXTS[3])
    locked.chmod(0)
    try:
        code, _, err = run_cli("clean", src, "-o", tmp_path / "c.jsonl")
    finally:
        locked.chmod(0o755)
    assert code == 0 and f"{locked}: skipped: cannot read folder" in err


# -- 6. a truncated .warc.gz says so ------------------------------------------------------------

def _warc_gz(path: Path, pages: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for i in range(pages):
        body = f"<html><body><p>{TEXTS[i % 4]} Page {i} of the archive.</p></body></html>".encode()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"http://example.org/{i}", "response", payload=io.BytesIO(body),
                                            http_headers=http))
    return buf.getvalue()


def test_a_small_truncated_warc_gz_is_reported_and_processes_nothing(tmp_path, run_cli):
    data = _warc_gz(tmp_path / "x", 1)
    cut = tmp_path / "crawl.warc.gz"
    cut.write_bytes(data[:40])
    code, _, err = run_cli("clean", cut, "-o", tmp_path / "c.jsonl")
    assert code == 1
    line = next(l for l in _lines(err) if l.startswith(f"cleaner: {cut}"))
    assert "truncated or corrupt" in line
    assert "nothing processed (1 input failed)" in err
    assert not (tmp_path / "c.jsonl.stats.json").exists()   # a run that processed nothing writes no stats


def test_a_warc_gz_cut_in_the_middle_keeps_what_was_read_and_says_so(tmp_path, run_cli):
    data = _warc_gz(tmp_path / "x", 400)
    cut = tmp_path / "crawl.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    code, _, err = run_cli("clean", cut, "-o", tmp_path / "c.jsonl", "--dedup", "none")
    assert code == 0
    s = _stats(tmp_path / "c.jsonl.stats.json")
    assert 100 < s["documents_in"] < 400 and s["failures_total"] >= 1
    assert any(str(cut) in l and ("truncated" in l or "EOFError" in l) for l in _lines(err))


# -- 7. .json files are records ----------------------------------------------------------------

def test_json_files_are_records_and_bad_ones_are_one_line(tmp_path, run_cli):
    src = tmp_path / "in"
    src.mkdir()
    (src / "array.json").write_text(json.dumps([{"id": "a", "text": TEXTS[0], "url": "http://x.org/a", "topic": "rain"},
                                                {"id": "b", "html": f"<html><body><p>{TEXTS[1]}</p></body></html>"}]))
    (src / "one.json").write_text(json.dumps({"id": "c", "text": TEXTS[2]}, indent=2))
    (src / "broken.json").write_text('[{"id": "d", "text": "cut sho')
    (src / "number.json").write_text("42")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", src, "-o", out, "--dedup", "none")
    assert code == 0, err
    recs = {r["id"]: r for r in read_jsonl(out)}
    assert set(recs) == {"a", "b", "c"}
    assert recs["a"]["url"] == "http://x.org/a" and recs["a"]["meta"] == {"topic": "rain"}
    assert recs["a"]["source"] == f"{src}/array.json#1" and recs["c"]["source"] == f"{src}/one.json"
    assert "<p>" not in recs["b"]["text"] and "[{" not in recs["a"]["text"]
    assert sum(f"{src / 'broken.json'}: malformed JSON" in l for l in _lines(err)) == 1
    assert sum(f"{src / 'number.json'}: JSON holds a int" in l for l in _lines(err)) == 1
    assert _stats(tmp_path / "c.jsonl.stats.json")["failures"] == {"bad-input": 2}


def test_a_json_file_over_max_bytes_is_refused(tmp_path, run_cli):
    big = tmp_path / "big.json"
    big.write_text(json.dumps([{"text": TEXTS[i % 4]} for i in range(200)]))
    code, _, err = run_cli("clean", big, "-o", tmp_path / "c.jsonl", "--max-bytes", "4096")
    assert code == 1 and f"{big}: decompressed size exceeds the limit" in err


def test_a_pretty_printed_json_file_with_no_extension_is_sniffed(tmp_path, run_cli):
    src = tmp_path / "in"
    src.mkdir()
    (src / "9d1e2f").write_text(json.dumps([{"id": "x", "text": TEXTS[3]}], indent=2))
    code, _, err = run_cli("clean", src, "-o", tmp_path / "c.jsonl")
    assert code == 0 and [r["id"] for r in read_jsonl(tmp_path / "c.jsonl")] == ["x"]


# -- 8. -o - and unsupported names -------------------------------------------------------------

def test_dash_writes_the_corpus_to_standard_output(tmp_path):
    src = _inputs(tmp_path / "in")
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", "-"], capture_output=True,
                       text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    recs = [json.loads(l) for l in p.stdout.splitlines()]
    assert len(recs) == 2 and all(r["text"] for r in recs)
    assert "-> standard output" in p.stderr and "{" not in p.stderr
    assert sorted(os.listdir(tmp_path)) == ["in"]                   # no file '-', no stats, no checkpoint
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", "-", "--stats", "s.json", "-q"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0 and p.stderr == "" and _stats(tmp_path / "s.json")["documents_out"] == 2


def test_a_closed_pipe_ends_the_run_quietly(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(40):
        (src / f"{i:03d}.txt").write_text(f"Document number {i}. " + TEXTS[i % 4])
    p = subprocess.run(f"{sys.executable} -m cleaner clean {src} -o - --dedup none -q | head -n 1",
                       shell=True, capture_output=True, text=True, timeout=120)
    assert len(p.stdout.splitlines()) == 1 and "Traceback" not in p.stderr and "Broken pipe" not in p.stderr


@pytest.mark.parametrize("name", ["x.csv", "x.txt", "x.json", "corpus", "x.jsonl.bz2"])
def test_unsupported_output_names_are_refused_with_the_supported_forms(tmp_path, run_cli, name):
    src = _inputs(tmp_path / "in")
    code, _, err = run_cli("clean", src, "-o", tmp_path / name)
    assert code == 2 and len(_lines(err)) == 1
    assert "not a form cleaner writes" in err
    for form in (".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet", "DIR/", "{shard}", "- (standard output)"):
        assert form in err
    assert sorted(os.listdir(tmp_path)) == ["in"]


def test_both_engines_see_the_same_skips(tmp_path):
    """The Ray engine plans segments where the local engine reads items: the skips are the same items."""
    from cleaner.sinks.guard import guard_run
    from cleaner.sinks.target import parse_output
    from cleaner.sources.plan import plan_segments, read_segment
    from cleaner.sources.read import iter_items

    src = tmp_path / "mix"
    _mixed(src, tmp_path / "passwd")
    inputs = guard_run([str(src)], parse_output(str(src / "out" / "c.jsonl")))
    planned = [i for seg in plan_segments(inputs) for i in read_segment(seg)]
    read = list(iter_items(inputs))
    assert [repr(i) for i in planned] == [repr(i) for i in read]
    assert sum(type(i).__name__ == "Failure" for i in read) == 5
