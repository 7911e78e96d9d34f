"""The report in a real browser: headless Chromium (Debian `chromium` + `chromium-driver`) via selenium.

Builds the report from the hand-made fixture corpus, or from a real one:
    CLEANER_REPORT_CORPUS=out/corpus.jsonl pytest tests/test_report_browser.py
(its stats file is the one next to it, or CLEANER_REPORT_STATS). When the `cleaner clean` CLI is
importable, a second case also cleans `seeds/` with --explain and checks the issue's acceptance.
Screenshots go to $CLEANER_ARTIFACTS_DIR (default: $TMPDIR/cleaner-artifacts); paths are printed.
Skips with a message when chromium, chromedriver or selenium are missing.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "browser"))
import chrome  # noqa: E402

from cleaner.report import build_report, default_stats_path, family_of, read_records  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "browser" / "fixture" / "corpus.jsonl"

pytestmark = pytest.mark.skipif(chrome.missing() is not None, reason=f"browser test needs it: {chrome.missing()}")


def artifacts_dir() -> Path:
    d = Path(os.environ.get("CLEANER_ARTIFACTS_DIR") or Path(tempfile.gettempdir()) / "cleaner-artifacts")
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def driver():
    d = chrome.start(1280, 1400)
    yield d
    chrome.quit(d)


def expected_family_totals(corpus: Path, stats_path: Path | None) -> dict[str, int]:
    if stats_path:
        return json.loads(stats_path.read_text(encoding="utf-8"))["lines_removed_by_family"]
    out: dict[str, int] = {}
    for rec in read_records(corpus):
        for r in rec.get("removed") or []:
            out[family_of(r["rule"])] = out.get(family_of(r["rule"]), 0) + 1
    return out


def seeds_corpus(tmp: Path) -> tuple[Path, Path]:
    """Clean seeds/ with the real CLI (skips until the CLI exists)."""
    try:
        import cleaner.cli  # noqa: F401
    except ImportError as e:
        pytest.skip(f"cleaner.cli not available yet ({e})")
    corpus, stats = tmp / "corpus.jsonl", tmp / "corpus.stats.json"
    cmd = [sys.executable, "-c", "import sys; from cleaner.cli import main; sys.exit(main())",
           "clean", str(ROOT / "seeds"), "-o", str(corpus), "--explain", "--stats", str(stats), "--quiet"]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode == 0, run.stderr
    return corpus, stats


def visible_lines(driver) -> list[tuple[str, str, str]]:
    """(class, text, rule label) of every line row rendered in the document list."""
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#docs .ln')).map(function (r) {
          var why = r.querySelector('.why');
          var txt = r.querySelector('.txt');
          return [r.className, txt ? txt.textContent : r.textContent, why ? why.textContent : ''];
        });""")


def shown_family_totals(driver) -> dict[str, int]:
    return driver.execute_script("""
        var out = {};
        document.querySelectorAll('#family-totals tr[data-filter]').forEach(function (tr) {
          out[tr.getAttribute('data-filter')] = parseInt(tr.querySelector('td[data-col="0"]').textContent.replace(/,/g, ''), 10);
        });
        return out;""")


def load(driver, report: Path) -> None:
    driver.get(report.resolve().as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.getAttribute('data-ready') === '1'"))


def check_report(driver, corpus: Path, stats_path: Path | None, tmp: Path, name: str) -> None:
    report = tmp / "report.html"
    build_report(corpus, report, stats_path)
    load(driver, report)
    title = driver.title

    # Per-family totals shown = the stats file (or the records when there is none).
    assert shown_family_totals(driver) == expected_family_totals(corpus, stats_path)

    # All documents are there (first page holds up to 50).
    n_records = sum(1 for _ in read_records(corpus))
    assert len(driver.find_elements("css selector", "#docs article.doc")) == min(n_records, 50)

    # "Leave a Reply" and "Source link" are struck through, labelled with their rule names.
    lines = visible_lines(driver)
    removed = [(t.strip().lower(), why) for cls, t, why in lines if "removed" in cls.split()]
    assert removed and all("/" in why for _, why in removed)
    for phrase in ("leave a reply", "source link"):
        in_records = any(phrase == str(r.get("text", "")).strip().lower()
                         for rec in read_records(corpus) for r in rec.get("removed") or [])
        assert in_records, f"the corpus itself does not mark {phrase!r} as removed (a pipeline gap, not the report's)"
        assert any(t == phrase for t, _ in removed), f"{phrase!r} not struck through: {removed}"
    struck = driver.execute_script("return Array.from(document.querySelectorAll('#docs .ln.removed del')).map(e => getComputedStyle(e).textDecorationLine)")
    assert struck and all("line-through" in s for s in struck)

    # Clicking a reason filter changes the lines shown to that reason only.
    family = next(f for t, why in removed if t == "source link" for f in [family_of(why)])
    before = lines
    driver.find_element("css selector", f'#family-totals tr[data-filter="{family}"]').click()
    after = visible_lines(driver)
    assert after != before
    after_removed = [why for cls, _, why in after if "removed" in cls.split()]
    assert after_removed and all(family_of(w) == family for w in after_removed)
    assert len(driver.find_elements("css selector", "#docs article.doc")) <= min(n_records, 50)
    shot = artifacts_dir() / f"report-{name}-filtered.png"
    chrome.full_page_screenshot(driver, str(shot))
    print(f"screenshot: {shot}")

    # Clicking it again clears the filter; the search box narrows the documents.
    driver.find_element("css selector", f'#family-totals tr[data-filter="{family}"]').click()
    assert visible_lines(driver) == before
    box = driver.find_element("css selector", "#search")
    box.send_keys("leave a reply")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements("css selector", "#docs mark")) > 0)
    hits = [rec for rec in read_records(corpus)
            if "leave a reply" in json.dumps([rec.get("text"), rec.get("removed"), rec.get("title")], ensure_ascii=False).lower()]
    assert len(driver.find_elements("css selector", "#docs article.doc")) == min(len(hits), 50)
    assert driver.title == title                       # no document text ran as script
    shot = artifacts_dir() / f"report-{name}.png"
    box.clear()
    load(driver, report)
    chrome.full_page_screenshot(driver, str(shot))
    print(f"screenshot: {shot}")


def test_report_in_browser(driver, tmp_path):
    env = os.environ.get("CLEANER_REPORT_CORPUS")
    corpus = Path(env) if env else FIXTURE
    stats = Path(os.environ["CLEANER_REPORT_STATS"]) if os.environ.get("CLEANER_REPORT_STATS") else default_stats_path(corpus)
    check_report(driver, corpus, stats, tmp_path, "given" if env else "fixture")
    if not env:   # the fixture's hostile line is shown as text, not run
        body = driver.find_element("css selector", "#docs").text
        assert "</script><script>document.title='pwned'</script>" in body


def test_report_from_seeds_in_browser(driver, tmp_path):
    corpus, stats = seeds_corpus(tmp_path)
    assert sum(1 for _ in read_records(corpus)) == 5
    check_report(driver, corpus, stats, tmp_path, "seeds")
