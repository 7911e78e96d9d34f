"""Issue 14, point 1: a URL list is a URL list whatever its name (`--urls urls.txt`, `--urls -`, and
any non-URL argument of `cleaner scrape`), a URL on `cleaner clean`'s command line is fetched, and a
list with no URL is one clear stderr line. Everything is served on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import ROOT, read_jsonl

N_PAGES = 20
TOPICS = ("harbour", "orchard", "library", "ferry", "museum", "bridge", "festival", "factory", "theatre", "valley",
          "station", "garden", "school", "market", "council", "river", "winter", "signal", "village", "engineer")
DELAY = "0.02"


VOCAB = ("the council harbour engineers river market library winter orchard signal station ferry museum "
         "village bridge garden factory theatre school valley plans residents costs spring debate vote critics "
         "traffic noise district survey budget tunnel railway housing hospital farmers teachers students bakery "
         "weather storm flood repairs concert painters archive election mayor port fishing boats tourists").split()


def article(i: int) -> bytes:
    """A page with site chrome around a distinct article (seeded words: no two pages are near copies)."""
    import random

    rng = random.Random(i)
    t = TOPICS[i]
    paras = [f"Report {i} on the {t}: " + " ".join(rng.choice(VOCAB) for _ in range(45)) + "." for _ in range(3)]
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!doctype html><html><head><title>Plans for the {t} (report {i})</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article><h1>Plans for the {t}</h1>{body}"
            f"</article><footer>Copyright 2025 Example News</footer></body></html>").encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        with self.server.lock:
            self.server.paths.append(self.path)
        if self.path == "/robots.txt":
            body, ctype, status = b"User-agent: *\nDisallow: /private/\n", "text/plain", 200
        elif self.path.startswith("/news/"):
            i = int(self.path.rsplit("/", 1)[1])
            body, ctype, status = article(i), "text/html; charset=utf-8", 200
        elif self.path.startswith("/private/"):
            body, ctype, status = article(0), "text/html; charset=utf-8", 200
        else:
            body, ctype, status = b"not found", "text/plain", 404
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.lock, srv.paths = threading.Lock(), []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


def _stderr_lines(err: str) -> list[str]:
    return [l for l in err.splitlines() if l.startswith("cleaner: ") and " documents in, " not in l]


@pytest.mark.timeout(120)
def test_scrape_urls_txt_gives_twenty_records_and_honours_robots(server, tmp_path, run_cli):
    srv, base = server
    urls = [f"{base}/news/{i}" for i in range(N_PAGES)]
    listed = urls[:10] + [f"{base}/private/secret"] + urls[10:] + [f"{base}/private/other"]
    (tmp_path / "urls.txt").write_text("# my reading list\n\n" + "\n".join(listed) + "\n")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli("scrape", "--urls", tmp_path / "urls.txt", "-o", out, "--delay", DELAY, "-j", "1")
    assert code == 0, err
    recs = read_jsonl(out)
    assert len(recs) == N_PAGES
    assert [r["url"] for r in recs] == urls and [r["source"] for r in recs] == urls
    assert all(r["lang"] == "en" and f"report {i}" in r["text"].lower() for i, r in enumerate(recs))
    assert len({r["id"] for r in recs}) == N_PAGES
    # robots.txt: read once, and the disallowed pages were never requested
    assert srv.paths.count("/robots.txt") == 1
    assert not any(p.startswith("/private/") for p in srv.paths)
    fails = _stderr_lines(err)
    assert len(fails) == 2 and all("disallowed by robots.txt" in l for l in fails), err
    stats = json.loads((tmp_path / "out.jsonl.stats.json").read_text())
    assert stats["documents_out"] == N_PAGES and stats["failures"] == {"fetch": 2}


def test_scrape_positional_list_file_and_stdin(server, tmp_path):
    """`cleaner scrape list.txt` and `cleaner scrape --urls -` (a real process reading its stdin)."""
    _srv, base = server
    (tmp_path / "list.txt").write_text(f"{base}/news/1\n{base}/news/2\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", "cleaner", *map(str, a)], env=env,  # noqa: E731
                                          capture_output=True, timeout=120, **kw)
    p = run("scrape", tmp_path / "list.txt", "-o", tmp_path / "a.jsonl", "--delay", DELAY, "-j", "1", "-q")
    assert p.returncode == 0, p.stderr.decode()
    assert [r["url"] for r in read_jsonl(tmp_path / "a.jsonl")] == [f"{base}/news/1", f"{base}/news/2"]
    p = run("scrape", "--urls", "-", "-o", tmp_path / "b.jsonl", "--delay", DELAY, "-j", "1", "-q",
            input=f"{base}/news/3\n{base}/news/4\n".encode())
    assert p.returncode == 0, p.stderr.decode()
    assert [r["url"] for r in read_jsonl(tmp_path / "b.jsonl")] == [f"{base}/news/3", f"{base}/news/4"]


def test_clean_fetches_urls_on_its_command_line_and_with_urls(server, tmp_path, run_cli):
    _srv, base = server
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "note.txt").write_text("A short local note about the harbour and the plans that were discussed today.\n")
    (tmp_path / "more.list").write_text(f"{base}/news/6\n")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", f"{base}/news/5", folder, "--urls", tmp_path / "more.list", "-o", out,
                           "--delay", DELAY, "-j", "1", "-q")
    assert code == 0, err
    recs = read_jsonl(out)
    assert [r["source"] for r in recs] == [f"{base}/news/5", str(folder / "note.txt"), f"{base}/news/6"]


def test_a_list_without_urls_is_one_clear_line(tmp_path, run_cli):
    notes = tmp_path / "urls.txt"
    notes.write_text("This is not a list of links at all.\nJust some words\non a few lines.\n")
    code, _, err = run_cli("scrape", "--urls", notes, "-o", tmp_path / "o.jsonl", "-q")
    assert code == 1                                   # nothing could be processed
    # one line for the list, then the run's outcome (printed even with -q: it is why nothing was written)
    assert _stderr_lines(err) == [f"cleaner: {notes}: holds no URL (a URL list has one http:// or https:// URL a line)",
                                  f"cleaner: nothing processed (1 input failed); nothing written to {tmp_path / 'o.jsonl'}"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.txt"
    seed = tmp_path / "doc.txt"
    seed.write_text("The bridge reopened on Sunday after two years of repairs, the city said in a statement.\n")
    code, _, err = run_cli("clean", seed, "--urls", empty, "--urls", missing, "-o", tmp_path / "p.jsonl", "-q")
    assert code == 0, err                              # the run went on; both lists are counted
    lines = _stderr_lines(err)
    assert lines[0] == f"cleaner: {empty}: holds no URL (a URL list has one http:// or https:// URL a line)"
    assert lines[1].startswith(f"cleaner: {missing}: ") and "no such file" in lines[1] and len(lines) == 2
    stats = json.loads((tmp_path / "p.jsonl.stats.json").read_text())
    assert stats["documents_out"] == 1 and stats["failures_total"] == 2


def test_scrape_argument_that_is_neither_url_nor_file_is_a_usage_error(tmp_path, run_cli):
    code, _, err = run_cli("scrape", "example.com", "-o", tmp_path / "o.jsonl", "-q")
    assert code == 2 and err.strip() == "cleaner scrape: example.com: neither an http(s) URL nor a URL list file"
