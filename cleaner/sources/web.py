"""The polite scraper: URLs in, HTML Documents (or Failures) out, in the order the URLs were given.

Politeness and safety, all on by default:
- robots.txt of every host is read once and honoured (Disallow for our User-Agent, Crawl-delay,
  which raises the per-host delay, capped at MAX_CRAWL_DELAY);
- one request at a time per host, requests to a host spaced by `delay` seconds (default 1 s),
  while different hosts are fetched concurrently (one thread per host at a time, `workers` threads);
- connect and read timeouts, and a total time limit per response (a server trickling bytes);
- bounded retries with exponential backoff on 429, 5xx and network errors, honouring Retry-After
  up to `max_retry_after` seconds; a timeout is retried at most once (`timeout_retries`);
- a per-host budget: after HOST_FAILURES_NEW failed attempts in a row (timeouts, failed connections)
  on a host that never answered, HOST_FAILURES_SEEN on one that did, its other URLs fail at once with
  "host unreachable (skipped after N timeouts)": a dead host costs two timeouts, not minutes;
- a robots.txt that cannot be fetched (the host is unreachable) is reported as that, never as a
  disallow; one answered with 401/403 or 5xx disallows the host (RFC 9309), and says so;
- the body is streamed and the fetch aborted beyond `max_bytes`;
- http and https only; redirects followed up to `max_redirects` with the final URL recorded, and a
  redirect from a public address to a private, loopback or link-local one is refused unless
  `allow_private_redirects` (a URL the user gives that is itself local is fetched: they asked).
A URL that cannot be fetched is a Failure(kind="fetch"); `fetch_all` never raises for a bad URL.
What a robots.txt answer allows is worked out in cleaner.sources.robots.
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Iterable, Iterator
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from cleaner.config import Options
from cleaner.document import Document
from cleaner.sources import Failure, InputError, Item, stable_id
from cleaner.sources.decode import decode_bytes
from cleaner.sources.html import decode_html
from cleaner.sources.robots import MAX_CRAWL_DELAY, ROBOTS_AGENT, ROBOTS_MAX_BYTES, apply_robots_answer

try:
    from importlib.metadata import version as _version

    VERSION = _version("cleaner")
except Exception:  # noqa: BLE001  (running from a source tree)
    from cleaner.version import __version__ as VERSION

USER_AGENT = f"cleaner/{VERSION} (corpus cleaner; contact: see project README)"
RETRY_STATUSES = {429, 500, 502, 503, 504}
HOST_FAILURES_NEW = 2      # failed attempts in a row that give up a host that never answered
HOST_FAILURES_SEEN = 4     # ... and a host that answered earlier in the run
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class FetchOptions:
    delay: float = Options.delay         # the run's defaults (cleaner.config) for the two it shares
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_time: float = 120.0              # whole response, headers to last byte
    max_bytes: int = 10 * 1024 * 1024
    retries: int = 3                     # for 429, 5xx and network errors
    timeout_retries: int = 1             # a timed-out request is tried once more, no more
    backoff: float = 1.0                 # first retry waits this, then doubles
    max_retry_after: float = 60.0
    max_redirects: int = 10
    allow_private_redirects: bool = Options.allow_private_redirects
    respect_robots: bool = True
    user_agent: str = USER_AGENT
    workers: int = 8


class FetchError(Exception):
    """One URL failed; `reason` is one line for the user."""


@dataclass
class _Host:
    """Per-host state: the politeness gate and the robots.txt rules."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    next_time: float = 0.0
    delay: float = Options.delay
    robots: RobotFileParser | None = None
    robots_loaded: bool = False
    robots_refusal: str | None = None    # why the whole host is refused (robots.txt 401/403/5xx)
    answered: bool = False               # an HTTP response came from this host in this run
    failures: int = 0                    # failed attempts in a row (timeouts, connection failures)
    timeouts: int = 0                    # of which timeouts
    unreachable: str | None = None       # set once the budget is spent: the reason for its other URLs

    def failed(self, error: Exception) -> None:
        self.failures += 1
        self.timeouts += isinstance(error, httpx.TimeoutException)
        if self.failures >= (HOST_FAILURES_SEEN if self.answered else HOST_FAILURES_NEW):
            what = "timeouts" if self.timeouts == self.failures else f"failed connections: {str(error)[:120] or type(error).__name__}"
            self.unreachable = f"host unreachable (skipped after {self.failures} {what})"

    def responded(self) -> None:
        self.answered, self.failures, self.timeouts = True, 0, 0


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _is_private_host(hostname: str) -> bool:
    """True when the host is, or resolves to, a private, loopback, link-local or reserved address."""
    try:
        addrs = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except (socket.gaierror, UnicodeError):
        return False    # unresolvable: the request itself will fail
    for a in addrs:
        ip = ipaddress.ip_address(a.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified:
            return True
    return False


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class Fetcher:
    """Holds the client and per-host state for one run of fetches."""

    def __init__(self, options: FetchOptions):
        self.o = options
        self.client = httpx.Client(
            headers={"User-Agent": options.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(options.read_timeout, connect=options.connect_timeout),
            follow_redirects=False,
        )
        self.hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def host(self, url: str) -> _Host:
        key = _host_key(url)
        with self._hosts_lock:
            h = self.hosts.get(key)
            if h is None:
                h = self.hosts[key] = _Host(delay=self.o.delay)
            return h

    # -- one HTTP exchange, through the host's gate -------------------------------------------
    def _request(self, url: str, limit: int) -> tuple[int, httpx.Headers, bytes, str]:
        """GET `url` once (no redirects), spaced from the previous request to its host."""
        h = self.host(url)
        with h.lock:
            if h.unreachable:
                raise FetchError(h.unreachable)
            wait = h.next_time - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                result = self._get(url, limit)
            except httpx.TransportError as e:
                h.failed(e)
                raise
            finally:
                h.next_time = time.monotonic() + h.delay
            h.responded()
            return result

    def _get(self, url: str, limit: int) -> tuple[int, httpx.Headers, bytes, str]:
        start = time.monotonic()
        with self.client.stream("GET", url) as r:
            if r.status_code in (301, 302, 303, 307, 308) or r.status_code >= 400:
                return r.status_code, r.headers, b"", str(r.url)
            declared = r.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise FetchError(f"body of {declared} bytes exceeds the limit of {limit} bytes, not fetched")
            chunks, size = [], 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise FetchError(f"body exceeds the limit of {limit} bytes, download aborted")
                if time.monotonic() - start > self.o.max_time:
                    raise FetchError(f"response took longer than {self.o.max_time:g} s, download aborted")
                chunks.append(chunk)
            return r.status_code, r.headers, b"".join(chunks), str(r.url)

    def _request_with_retries(self, url: str, limit: int) -> tuple[int, httpx.Headers, bytes, str]:
        attempt = timeouts = 0
        while True:
            try:
                status, headers, body, final = self._request(url, limit)
            except httpx.TimeoutException as e:
                problem, wait = f"timed out ({type(e).__name__})", None
                timeouts += 1
            except httpx.TransportError as e:
                problem, wait = f"network error ({type(e).__name__}: {e})", None
            else:
                if status not in RETRY_STATUSES:
                    return status, headers, body, final
                problem, wait = f"HTTP {status}", _retry_after(headers.get("Retry-After"))
            if attempt >= self.o.retries or timeouts > self.o.timeout_retries:
                raise FetchError(f"{problem} after {attempt + 1} attempt{'s' if attempt else ''}")
            backoff = self.o.backoff * (2 ** attempt)
            time.sleep(min(self.o.max_retry_after, max(backoff, wait or 0.0)))
            attempt += 1

    # -- robots.txt ---------------------------------------------------------------------------
    def refusal(self, url: str) -> str | None:
        """Why `url` is not fetched (robots.txt, or its host unreachable), or None to fetch it."""
        h = self.host(url)
        if h.unreachable:
            return h.unreachable
        if not self.o.respect_robots:
            return None
        if not h.robots_loaded:
            with self._hosts_lock:
                first = not h.robots_loaded
                h.robots_loaded = True   # claimed here; loaded below by the one thread that claimed it
            if first:
                self._load_robots(url, h)
        if h.robots_refusal:
            return h.robots_refusal
        rp = h.robots
        if rp is not None and not rp.can_fetch(ROBOTS_AGENT, url):
            return f"disallowed by robots.txt: {url[:200]}"
        return None

    def _load_robots(self, url: str, h: _Host) -> None:
        robots_url = urljoin(_host_key(url) + "/", "/robots.txt")
        rp = RobotFileParser(robots_url)
        try:
            status, _headers, body, _final = self._request_with_retries(robots_url, ROBOTS_MAX_BYTES)
            hops = 0
            while status in (301, 302, 303, 307, 308) and hops < 5:
                loc = _headers.get("Location")
                if not loc:
                    break
                robots_url = urljoin(robots_url, loc)
                status, _headers, body, _final = self._request_with_retries(robots_url, ROBOTS_MAX_BYTES)
                hops += 1
        except (FetchError, httpx.HTTPError) as e:
            # no answer: the host is unreachable (RFC 9309 then assumes a complete disallow, so none
            # of its URLs is fetched), and its URLs say so rather than "disallowed"
            h.robots_refusal = h.unreachable or f"host unreachable: robots.txt {e}"
            return
        refusal, crawl_delay = apply_robots_answer(rp, status, body, robots_url)
        if refusal:
            h.robots_refusal = refusal
        h.robots = rp
        if crawl_delay:
            h.delay = max(h.delay, min(float(crawl_delay), MAX_CRAWL_DELAY))
            with h.lock:   # the robots.txt request itself was spaced with the old delay
                h.next_time = max(h.next_time, time.monotonic() + h.delay)

    # -- one URL --------------------------------------------------------------------------------
    def fetch(self, url: str) -> Item:
        try:
            return self._fetch(url)
        except FetchError as e:
            return Failure(url, str(e), "fetch")
        except Exception as e:  # noqa: BLE001  (never let one URL end the run)
            return Failure(url, f"fetch failed ({type(e).__name__}: {e})", "fetch")

    def _fetch(self, url: str) -> Item:
        current, previous_private = url, None
        for hop in range(self.o.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                raise FetchError(f"only http and https URLs are fetched: {current[:200]}")
            private = _is_private_host(parts.hostname)
            if hop and private and previous_private is False and not self.o.allow_private_redirects:
                raise FetchError(f"refused redirect from a public address to a private one: {current[:200]}")
            previous_private = private
            refused = self.refusal(current)
            if refused:
                raise FetchError(refused)
            status, headers, body, _final = self._request_with_retries(current, self.o.max_bytes)
            if status in (301, 302, 303, 307, 308):
                loc = headers.get("Location")
                if not loc:
                    raise FetchError(f"HTTP {status} redirect without a Location")
                current = urljoin(current, loc.strip())
                continue
            if status != 200:
                raise FetchError(f"HTTP {status}")
            ctype = headers.get("Content-Type", "")
            mime = ctype.split(";")[0].strip().lower()
            try:
                if mime in HTML_TYPES or not mime:
                    html = decode_html(body, url, ctype)
                    return Document(id=stable_id(url), source=url, html=html, url=current)
                if mime == "text/plain":
                    text = decode_bytes(body, url, None)
                    return Document(id=stable_id(url), source=url, text=text, url=current)
            except InputError as e:
                raise FetchError(e.reason) from None
            raise FetchError(f"not an HTML page (Content-Type {mime})")
        raise FetchError(f"more than {self.o.max_redirects} redirects")


def fetch_all(urls: Iterable[str], **options) -> Iterator[Item]:
    """Fetch every URL politely; yield a Document or a Failure per URL, in input order.

    Hosts are fetched concurrently (each host's URLs one after another, spaced by the delay);
    results wait in memory until every earlier URL has been yielded. Options: see FetchOptions
    (`timeout` sets both connect and read timeouts).
    """
    timeout = options.pop("timeout", None)
    opts = FetchOptions(**options)
    if timeout is not None:
        opts.connect_timeout = opts.read_timeout = float(timeout)
    urls = [u.strip() for u in urls]
    if not urls:
        return
    fetcher = Fetcher(opts)
    results: list[Item | None] = [None] * len(urls)
    ready = [threading.Event() for _ in urls]
    by_host: dict[str, list[int]] = {}
    for i, u in enumerate(urls):
        by_host.setdefault(_host_key(u), []).append(i)

    def work(indices: list[int]) -> None:
        for i in indices:
            try:
                results[i] = fetcher.fetch(urls[i])
            finally:
                ready[i].set()

    pool = ThreadPoolExecutor(max_workers=max(1, opts.workers), thread_name_prefix="cleaner-fetch")
    try:
        for indices in by_host.values():
            pool.submit(work, indices)
        for i in range(len(urls)):
            ready[i].wait()
            item, results[i] = results[i], None
            yield item if item is not None else Failure(urls[i], "fetch failed", "fetch")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        fetcher.close()
