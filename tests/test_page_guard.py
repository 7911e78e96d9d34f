"""One hostile page must not stall a run, and `--timeout` must stop per-page work even inside C code.

The hostile pages are built here: one element with 50,000 attributes (540 KB: libxml2's attribute
check is quadratic, 52 s before the guard), one with 500,000 (5.9 MB, minutes inside lxml's parser),
and one with 50,000 attributes whose quoted values hold `<`, which the markup pre-scan does not see
and which keeps lxml's parser busy for ~10 s: only killing the process running it stops it.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, read_jsonl

WORDS = ("harbour ferry council timetable summer winter crossing island village library reading room "
         "volunteers shelves weekend spring opening hours weekdays saturday market bakery bread river "
         "bridge mountain valley museum garden orchard school teacher student lesson").split()


def normal_page(i: int) -> str:
    """A plain article page with its own text (no two alike, so dedup keeps them all)."""
    rng = random.Random(i)
    paras = [f"<p>Report {i}.{p}: " + " ".join(rng.choices(WORDS, k=40)).capitalize() + ".</p>" for p in range(4)]
    return (f"<html><head><title>Local news {i}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Local news {i}</h1>{''.join(paras)}</article></body></html>")


def many_attributes(n: int, value: str = "1") -> str:
    attrs = " ".join(f'a{i}="{value}"' for i in range(n))
    return (f"<html><head><title>hostile</title></head><body><div {attrs}>"
            f"<p>hello world paragraph text.</p></div></body></html>")


def test_the_prescan_counts_attributes_and_tags():
    from cleaner.extraction.guard import MAX_ATTRIBUTES, markup_problem

    assert markup_problem(normal_page(1)) is None
    # 136 attributes on one element is the most seen on real pages: far from the limit
    assert markup_problem(many_attributes(136)) is None
    assert markup_problem(many_attributes(MAX_ATTRIBUTES)) is None
    assert markup_problem(many_attributes(MAX_ATTRIBUTES + 1)) == f"{MAX_ATTRIBUTES + 1:,} attributes on one element"
    # values with spaces and `=` are one attribute each; bare names count too
    assert markup_problem(many_attributes(1500, "a b = c")) == "1,500 attributes on one element"
    assert markup_problem("<div " + " ".join(f"x{i}" for i in range(2000)) + ">") == "2,000 attributes on one element"
    # a long attribute value is not many attributes
    assert markup_problem('<div data-json="' + "word " * 50_000 + '">x</div>') is None
    assert "tags" in markup_problem("<b>x</b>" * 1_000_001)


def test_the_prescan_is_linear_on_inputs_built_against_it():
    from cleaner.extraction.guard import markup_problem

    for hostile in ("<a" * 1_000_000, '<a "' * 500_000, ("<a" + "b" * 1999 + ">") * 2000):
        t = time.monotonic()
        markup_problem(hostile)
        assert time.monotonic() - t < 5


@pytest.mark.timeout(180)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_pages_do_not_stall_a_run(tmp_path, jobs):
    src = tmp_path / "pages"
    src.mkdir()
    for i in range(20):                     # more than one chunk: -j 2 really uses worker processes
        (src / f"news-{i:02d}.html").write_text(normal_page(i), encoding="utf-8")
    (src / "attrs-50k.html").write_text(many_attributes(50_000), encoding="utf-8")
    (src / "attrs-500k.html").write_text(many_attributes(500_000), encoding="utf-8")
    (src / "evasive.html").write_text(many_attributes(50_000, "<"), encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(out), "--timeout", "3",
                          "-j", jobs], capture_output=True, text=True, cwd=tmp_path, env=env,
                         timeout=170)
    took = time.monotonic() - t
    assert run.returncode == 0, run.stderr
    assert took < 45, f"the run took {took:.0f} s"
    lines = run.stderr.splitlines()
    assert f"cleaner: {src / 'attrs-50k.html'}: skipped: pathological markup (50,000 attributes on one element)" in lines
    assert f"cleaner: {src / 'attrs-500k.html'}: skipped: pathological markup (500,000 attributes on one element)" in lines
    assert f"cleaner: {src / 'evasive.html'}: skipped: extraction took longer than 3 s (--timeout), stopped" in lines
    assert sum("evasive.html" in l for l in lines) == 1
    assert "Traceback" not in run.stderr
    assert "failures: 3 (pathological 2, timeout 1)" in run.stderr
    sources = {Path(r["source"]).name for r in read_jsonl(out)}
    assert sources == {f"news-{i:02d}.html" for i in range(20)}


def test_the_helper_process_changes_no_byte_of_the_corpus(tmp_path):
    """The same pages cleaned in the helper process (--timeout) and in this process (--timeout 0)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outs = []
    for timeout in ("30", "0"):
        out = tmp_path / f"t{timeout}.jsonl"
        run = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(FIXTURES / "pages"), "-o", str(out),
                              "--timeout", timeout, "-j", "1"], capture_output=True, text=True, cwd=tmp_path, env=env,
                             timeout=170)
        assert run.returncode == 0, run.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0]


def test_a_helper_killed_from_outside_fails_its_page_and_the_next_page_works(monkeypatch):
    import signal

    from cleaner.document import Document
    from cleaner.pipeline import apply_steps
    from cleaner.steps.extract import Extract

    step = Extract(selectors=[], timeout=20)
    page = normal_page(3)
    first = apply_steps([step], Document(id="a", source="a.html", html=page))
    assert first.failure is None and "Report 3.0" in first.doc.text
    monkeypatch.setattr(step, "_extract", lambda doc: os.kill(os.getpid(), signal.SIGKILL))
    step._watchdog.close()                  # the next helper forks with the patched method
    dead = apply_steps([step], Document(id="b", source="b.html", html=page))
    assert dead.failure is not None and dead.failure.source == "b.html"
    assert dead.failure.reason == "skipped: the extraction process ended unexpectedly (signal SIGKILL)"
    monkeypatch.undo()
    step._watchdog.close()
    again = apply_steps([step], Document(id="c", source="c.html", html=page))
    assert again.failure is None and again.doc.text == first.doc.text


def test_without_a_helper_the_signal_budget_is_not_swallowed_by_broad_excepts():
    """The fallback (no fork): SIGALRM stops Python code even when a library catches Exception."""
    from cleaner.engines.watchdog import CallTimeout, Watchdog

    def stubborn(_arg):
        for _ in range(3):
            try:
                time.sleep(2)
            except Exception:  # noqa: BLE001 - what trafilatura and htmldate do
                pass
        return "finished"

    dog = Watchdog(stubborn)
    dog.available = False
    t = time.monotonic()
    with pytest.raises(CallTimeout):
        dog.call(None, 0.3)
    assert time.monotonic() - t < 1.5


def test_a_crash_in_c_code_fails_the_call_not_the_caller():
    """A segfault in the parser (libxml2 has had them) ends the helper, not the worker that waits on it
    (a dead pool worker would hang the run)."""
    import ctypes

    from cleaner.engines.watchdog import HelperDied, Watchdog

    def crashes_on(arg):
        if arg == "crash":
            ctypes.string_at(0)
        return arg.upper()

    dog = Watchdog(crashes_on)
    assert dog.call("before", 5) == "BEFORE"
    with pytest.raises(HelperDied, match=r"\(signal SIGSEGV\)$"):
        dog.call("crash", 5)
    assert dog.call("after", 5) == "AFTER"
    dog.close()
