"""robots.txt for the scraper: what a host's robots.txt answer allows, and the crawl delay it asks.

The scraper (cleaner.sources.web) fetches robots.txt once per host; this module turns the answer
into rules, following RFC 9309: 401/403 and 5xx disallow the whole host (and say why), other 4xx
allow everything, a 200 is parsed. Kept apart from fetching because the rules and their edge cases
(fractional Crawl-delay, undecodable files) are a job of their own.
"""
from __future__ import annotations

from urllib.robotparser import RobotFileParser

from cleaner.sources import InputError
from cleaner.sources.decode import decode_bytes

ROBOTS_AGENT = "cleaner"
MAX_CRAWL_DELAY = 30.0
ROBOTS_MAX_BYTES = 512 * 1024


def apply_robots_answer(rp: RobotFileParser, status: int, body: bytes,
                        robots_url: str) -> tuple[str | None, float | None]:
    """Set `rp`'s rules from a robots.txt answer (`status`, `body` of `robots_url`). Returns why the
    whole host is refused (robots.txt 401/403/5xx) or None, and the Crawl-delay for ROBOTS_AGENT or None."""
    refusal = None
    text = ""
    if status in (401, 403):
        rp.disallow_all = True
        refusal = f"disallowed: robots.txt answered HTTP {status} (RFC 9309: the whole site)"
    elif 400 <= status < 500:
        rp.allow_all = True
    elif status == 200:
        try:
            text = decode_bytes(body, robots_url) if body.strip() else ""
        except InputError:
            text = ""
        rp.parse(text.splitlines())
    else:
        text = ""
        # 5xx: RFC 9309 says assume complete disallow for now
        rp.disallow_all = True
        refusal = f"disallowed: robots.txt answered HTTP {status} (RFC 9309: assume complete disallow)"
    delay = crawl_delay(text.splitlines(), ROBOTS_AGENT) if status == 200 else None
    return refusal, delay


def crawl_delay(lines: list[str], agent: str) -> float | None:
    """Crawl-delay for `agent` (its own group, else `*`), fractions allowed.

    urllib.robotparser only understands whole seconds, and "Crawl-delay: 0.5" is common.
    """
    groups: dict[str, float] = {}
    agents: list[str] = []
    in_rules = False
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (x.strip() for x in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if in_rules:
                agents, in_rules = [], False
            agents.append(value.lower())
        elif key in ("allow", "disallow", "crawl-delay", "request-rate"):
            in_rules = True
            if key == "crawl-delay":
                try:
                    delay = float(value)
                except ValueError:
                    continue
                if delay >= 0:
                    for a in agents:
                        groups.setdefault(a, delay)
    for name, delay in sorted(groups.items()):
        if name != "*" and name in agent.lower():
            return delay
    return groups.get("*")
