"""A dead host costs two timeouts, not minutes: the rest of its URLs fail at once, and the reason says
unreachable (never "disallowed by robots.txt", which is what a failed robots.txt fetch used to say)."""
from __future__ import annotations

import socket
import threading
import time

import pytest

from cleaner.sources import Failure
from cleaner.sources.web import fetch_all

TIMEOUT = 0.5


@pytest.fixture
def silent_host():
    """127.0.0.1:PORT accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    held, stop = [], threading.Event()

    def accept():
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()


@pytest.fixture
def refusing_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                       # nothing listens there now: connections are refused
    return port


def fetch(urls):
    t = time.monotonic()
    items = list(fetch_all(urls, delay=0, timeout=TIMEOUT, backoff=0.05))
    return items, time.monotonic() - t


def test_a_silent_host_costs_two_timeouts(silent_host):
    urls = [f"http://127.0.0.1:{silent_host}/page/{i}" for i in range(6)]
    items, took = fetch(urls)
    # robots.txt: one timeout, one retry; then the host is given up (before: 4 attempts, then
    # every URL "disallowed by robots.txt")
    assert took < 2 * TIMEOUT + 2, took
    assert [i.source for i in items] == urls
    assert all(isinstance(i, Failure) and i.reason == "host unreachable (skipped after 2 timeouts)" for i in items), \
        [i.reason for i in items]


def test_a_refusing_port_is_unreachable_not_disallowed(refusing_port):
    urls = [f"http://127.0.0.1:{refusing_port}/page/{i}" for i in range(6)]
    items, took = fetch(urls)
    assert took < 3, took
    for i in items:
        assert isinstance(i, Failure)
        assert i.reason.startswith("host unreachable (skipped after 2 failed connections: "), i.reason
        assert "robots" not in i.reason


def test_without_robots_a_silent_host_still_costs_two_timeouts(silent_host):
    urls = [f"http://127.0.0.1:{silent_host}/page/{i}" for i in range(6)]
    t = time.monotonic()
    items = list(fetch_all(urls, delay=0, timeout=TIMEOUT, backoff=0.05, respect_robots=False))
    assert time.monotonic() - t < 2 * TIMEOUT + 2
    assert items[0].reason == "timed out (ReadTimeout) after 2 attempts"      # retried once, no more
    assert all(i.reason == "host unreachable (skipped after 2 timeouts)" for i in items[1:])


def test_scrape_reports_each_url_of_a_dead_host_once(refusing_port, run_cli, tmp_path):
    urls = tmp_path / "dead.urls"
    urls.write_text("".join(f"http://127.0.0.1:{refusing_port}/p{i}\n" for i in range(6)), encoding="utf-8")
    t = time.monotonic()
    code, _, err = run_cli("scrape", "--urls", urls, "-o", tmp_path / "c.jsonl", "--delay", "0")
    assert time.monotonic() - t < 30
    lines = [l for l in err.splitlines() if l.startswith("cleaner: http://")]
    assert len(lines) == 6 and all("host unreachable" in l and "disallowed" not in l for l in lines), err
    assert code == 1                        # nothing was processed
