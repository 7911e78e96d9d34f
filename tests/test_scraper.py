"""The polite scraper against a local HTTP server: robots.txt, spacing, retries, redirects, faults."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cleaner.document import Document
from cleaner.sources import Failure
from cleaner.sources.web import fetch_all

DELAY = 0.2
CRAWL_DELAY = 0.3   # robots.txt asks for more than DELAY: the larger wins
PAGE = "<html><head><title>{0}</title></head><body><article><p>{1}</p></article></body></html>"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):   # the client gave up (timeout, size cap)
            pass

    def do_GET(self):  # noqa: N802
        srv = self.server
        with srv.lock:
            srv.log.append((time.monotonic(), self.path))
            srv.hits[self.path] = srv.hits.get(self.path, 0) + 1
            hits = srv.hits[self.path]
        p = self.path
        if p == "/robots.txt":
            body = f"User-agent: *\nDisallow: /private/\nCrawl-delay: {CRAWL_DELAY}\n".encode()
            return self._send(200, body, "text/plain")
        if p == "/ok":
            return self._send(200, PAGE.format("Fine", "A good page with plenty of words.").encode())
        if p == "/error500":
            return self._send(500, b"oops")
        if p == "/busy":   # 429 first, then fine
            if hits == 1:
                return self._send(429, b"slow down", headers=[("Retry-After", "0")])
            return self._send(200, PAGE.format("Busy", "Served on the second try.").encode())
        if p == "/r1":
            return self._send(302, headers=[("Location", "/r2")])
        if p == "/r2":
            return self._send(301, headers=[("Location", f"http://127.0.0.1:{srv.server_port}/final")])
        if p == "/final":
            return self._send(200, PAGE.format("Final", "Reached after two redirects.").encode())
        if p == "/hang":
            time.sleep(3)
            return self._send(200, b"too late")
        if p == "/big":
            return self._send(200, b"<html><body>" + b"x" * 300_000 + b"</body></html>")
        if p == "/cp1252":
            body = PAGE.format("Caf\u00e9", "Cr\u00e8me br\u00fbl\u00e9e \u2014 \u201cquoted\u201d \u20ac5").encode("cp1252")
            body = body.replace(b"<head>", b'<head><meta charset="windows-1252">')
            return self._send(200, body, "text/html")
        if p.startswith("/private/"):
            return self._send(200, PAGE.format("Secret", "Should never be fetched.").encode())
        return self._send(404, b"not found")


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    srv.lock, srv.log, srv.hits = threading.Lock(), [], {}
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def results(server):
    base = f"http://127.0.0.1:{server.server_port}"
    paths = ["/ok", "/private/secret", "/error500", "/busy", "/r1", "/hang", "/big", "/cp1252", "/missing"]
    urls = [base + p for p in paths]
    items = list(fetch_all(urls, delay=DELAY, timeout=0.5, retries=2, backoff=0.05,
                           max_bytes=100_000, max_time=5.0))
    return base, dict(zip(paths, items)), items, urls


def test_one_item_per_url_in_input_order(results):
    _base, _by_path, items, urls = results
    assert len(items) == len(urls)
    assert [i.source for i in items] == urls


def test_good_pages_are_documents_with_final_url_and_right_characters(results):
    base, by_path, _items, _urls = results
    ok = by_path["/ok"]
    assert isinstance(ok, Document) and ok.url == base + "/ok" and "plenty of words" in ok.html
    busy = by_path["/busy"]
    assert isinstance(busy, Document) and "second try" in busy.html
    red = by_path["/r1"]
    assert isinstance(red, Document) and red.url == base + "/final" and red.source == base + "/r1"
    cp = by_path["/cp1252"]
    assert isinstance(cp, Document)
    assert "Cr\u00e8me br\u00fbl\u00e9e \u2014 \u201cquoted\u201d \u20ac5" in cp.html


def test_faults_are_failures(results):
    _base, by_path, _items, _urls = results
    for path, expect in [("/private/secret", "robots.txt"), ("/error500", "HTTP 500"), ("/hang", "timed out"),
                         ("/big", "limit"), ("/missing", "HTTP 404")]:
        item = by_path[path]
        assert isinstance(item, Failure), path
        assert item.kind == "fetch" and expect in item.reason, (path, item.reason)


def test_disallowed_path_never_requested_and_retries_bounded(server, results):
    assert not any(p.startswith("/private/") for _t, p in server.log)
    assert server.hits["/robots.txt"] == 1
    assert server.hits["/error500"] == 3          # first try + 2 retries
    assert server.hits["/busy"] == 2


def test_requests_to_the_host_are_spaced_by_the_crawl_delay(server, results):
    starts = [t for t, _p in server.log]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # the server logs on arrival; allow a little clock slack between client and server threads
    assert min(gaps) >= CRAWL_DELAY - 0.05, gaps


def test_bad_urls_never_raise():
    items = list(fetch_all(["ftp://example.invalid/x", "not a url", "http://"], delay=0, retries=0, timeout=0.5))
    assert len(items) == 3 and all(isinstance(i, Failure) and i.kind == "fetch" for i in items)


def test_public_to_private_redirect_is_refused(monkeypatch):
    from cleaner.sources import web

    calls = []

    def fake_request(self, url, limit):
        calls.append(url)
        if "public.example" in url:
            return 302, web.httpx.Headers({"Location": "http://127.0.0.1:9/admin"}), b"", url
        return 200, web.httpx.Headers({"Content-Type": "text/html"}), b"<html><body>x</body></html>", url

    monkeypatch.setattr(web.Fetcher, "_request", fake_request)
    monkeypatch.setattr(web, "_is_private_host", lambda host: host == "127.0.0.1")
    [item] = list(fetch_all(["http://public.example/start"], delay=0, respect_robots=False))
    assert isinstance(item, Failure) and "private" in item.reason
    assert calls == ["http://public.example/start"]
    [allowed] = list(fetch_all(["http://public.example/start"], delay=0, respect_robots=False,
                               allow_private_redirects=True))
    assert isinstance(allowed, Document) and allowed.url == "http://127.0.0.1:9/admin"


def test_scrape_command_end_to_end(server, tmp_path, run_cli):
    """`cleaner scrape` with a .urls file: good pages in the corpus with their final URLs, faults on
    stderr one line each and counted, exit status 0."""
    base = f"http://127.0.0.1:{server.server_port}"
    url_file = tmp_path / "list.urls"
    url_file.write_text("\n".join(base + p for p in ["/ok", "/r1", "/cp1252", "/error500", "/missing", "/private/x"]) + "\n")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("scrape", "--urls", url_file, "-o", out, "--delay", str(DELAY), "-j", "1", "--quiet", "--dedup", "none")
    assert code == 0, err
    import json
    recs = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in recs] == [base + "/ok", base + "/final", base + "/cp1252"]
    assert "Crème brûlée — “quoted” €5" in recs[2]["text"]
    fails = [l for l in err.splitlines() if l.startswith("cleaner: ")]
    assert len(fails) == 3 and any("/private/x" in l and "robots" in l.lower() for l in fails), err
    stats = json.loads((tmp_path / "c.jsonl.stats.json").read_text())
    assert stats["failures_total"] == 3
