"""Issue 18, item 3: `check` and `fix` serve the seed folder and never damage ordinary files.

- check passes exactly when fix would leave the file byte-identical (one plan, reported or written);
- a Markdown file's headings, list items, code blocks and indentation survive fix; text keeps its
  indentation byte for byte; JSONL, JSON, Parquet and other non-text files are refused, untouched;
- explain, check, fix, clean_document and clean judge one file alike (a poem's stanzas included);
  in a corpus, what the corpus adds is named as such (`heuristic/repeated-across-corpus`).
"""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import SEEDS, read_jsonl

CHANGELOG = """\
# Changelog

All notable changes to this project are documented in this file.

## [Unreleased]

### Added
- Export
- Import
- Dark mode

### Fixed
- Login
- Home
- Crash on start

## [1.0.0] - 2024-03-01

### Added
- First release
"""

GUIDE = """\
# Using the client

Install it, then write a small script. Broken entities such as `&rddequo;` are shown as written.

    import client

    def main():
        with client.connect("db") as conn:
            for row in conn.rows():
                print(row)

Or with a fenced block:

```python
if __name__ == "__main__":
\tmain()
        # a deeply indented comment: Share this article
```

* Home
* About
* Contact us

Share this article
"""

DIRTY = """\
The harbour council met on Tuesday to approve the new ferry timetable for the summer.
    The caf\u00c3\u00a9 by the pier will stay open later on weekdays, the council said.
\tTabs, and  two  spaces, stay where the author put them &amp; so does this line.
A zero\u200bwidth space hides in this sentence about the new ferry timetable and its fares.

Share this article
Leave a Reply
Your email address will not be published.
"""

# Short-line stanzas around two sentences: the run-of-short-lines shape of a menu, but no menu.
LITANY = """\
Litany

For the rain
For the bread
For the lamp
For the door
For the road

We give thanks, though the year was hard and the harvest thin, and the children grew up far from here.

For the salt
For the sea
For the nets
For the boats
For the dead

We give thanks, and we remember every name the water took from us in the long winter storms.
"""

SONG = """\
Song of the Road

Morning Light
Open Fields
Silver River
Distant Hills

I walked all day beneath the open sky and never once looked back at the town I left behind me.

Evening Bells
Quiet Lanes
Lanterns Burning
Home Again

And when the night came down at last I slept beside the road with the stars for my only blanket.

Winter Coming
Summer Gone
"""

KEEPER = """\
The Lighthouse Keeper

He climbs the stair at dusk each night
to wake the lamp and trim the wick,
and when the fog rolls in from sea
he listens for the bell.

The gulls go quiet
the harbour sleeps
the boats ride low
on a black tide
and still he waits
beside the light.
"""

CLEAN = "A clean paragraph of prose about a harbour council and its ferries, written by a person.\n"


def _fixtures(tmp_path):
    """name -> bytes: text, Markdown, poems, line-end and encoding variants, and the five seeds."""
    files = {
        "CHANGELOG.md": CHANGELOG.encode(),
        "guide.md": GUIDE.encode(),
        "dirty.txt": DIRTY.encode(),
        "dirty-crlf.txt": DIRTY.replace("\n", "\r\n").encode(),
        "dirty-no-final-newline.txt": DIRTY.rstrip("\n").encode(),
        "dirty-bom.txt": b"\xef\xbb\xbf" + DIRTY.encode(),
        "legacy-cp1252.txt": "Le caf\u00e9 du port ouvre plus t\u00f4t cet \u00e9t\u00e9, a dit la mairie ce matin.\n".encode("cp1252"),
        "litany.txt": LITANY.encode(),
        "song.txt": SONG.encode(),
        "keeper.txt": KEEPER.encode(),
        "clean.txt": CLEAN.encode(),
        "double-blank.txt": (CLEAN + "\n\n\n" + CLEAN).encode(),
    }
    for seed in sorted(SEEDS.iterdir()):
        files[seed.name] = seed.read_bytes()
    return files


def _nonblank(text: str) -> list[str]:
    return [l for l in text.replace("\r\n", "\n").split("\n") if l.strip()]


def test_check_passes_exactly_when_fix_changes_nothing(tmp_path, run_cli):
    """Property over every fixture: check exits 0 iff fix leaves the bytes alone; check names every
    line fix removes or rewrites, and fix touches no other line."""
    seen = {"changed": 0, "unchanged": 0}
    for name, data in _fixtures(tmp_path).items():
        d = tmp_path / name.replace(".", "_")
        d.mkdir()
        f = d / name
        f.write_bytes(data)
        code, out, err = run_cli("check", f)
        assert code in (0, 1), (name, err)
        fcode, _, ferr = run_cli("fix", f)
        changed = f.read_bytes() != data
        seen["changed" if changed else "unchanged"] += 1
        assert (code == 0) == (not changed), (name, out, ferr)
        assert fcode == (1 if changed else 0), (name, ferr)
        if not changed:
            continue
        findings = [re.match(rf"{re.escape(str(f))}:(\d+): ([\w-]+/[\w-]+): ", l) for l in out.splitlines()]
        assert all(findings), out
        named = {int(m.group(1)) for m in findings}
        removed = {int(m.group(1)) for m in findings
                   if not m.group(2).startswith(("encoding/", "normalize/"))}
        before = data.decode("cp1252" if name.startswith("legacy") else "utf-8-sig").replace("\r\n", "\n").split("\n")
        after = f.read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")
        # every line no finding names is in the result, unchanged and in order
        untouched = [l for no, l in enumerate(before, 1) if no not in named and l.strip()]
        it = iter(_nonblank("\n".join(after)))
        assert all(any(l == a for a in it) for l in untouched), name
        assert len(_nonblank("\n".join(after))) == len(_nonblank("\n".join(before))) - len(removed), name
        # and fixing the fixed file changes nothing more
        assert run_cli("check", f)[0] == 0, (name, run_cli("check", f)[1])
    assert seen["changed"] >= 8 and seen["unchanged"] >= 3, seen


def test_fix_keeps_markdown_structure_and_code(tmp_path, run_cli):
    log, guide = tmp_path / "CHANGELOG.md", tmp_path / "guide.md"
    log.write_text(CHANGELOG)
    guide.write_text(GUIDE)
    code, out, err = run_cli("check", log)
    assert code == 0 and out == "", out          # headings and list items are structure, not chrome
    assert run_cli("fix", log)[0] == 0 and log.read_text() == CHANGELOG
    code, out, _ = run_cli("fix", guide)
    assert code == 1
    text = guide.read_text()
    # only the trailing paragraph goes; code blocks, their indentation, the list and inline code stay
    assert text == GUIDE.replace("\nShare this article\n", "")
    assert "`&rddequo;`" in text and "\tmain()" in text and "        # a deeply indented comment" in text


def test_text_keeps_its_indentation_and_spacing(tmp_path, run_cli):
    f = tmp_path / "dirty.txt"
    f.write_text(DIRTY)
    run_cli("fix", f)
    lines = f.read_text().split("\n")
    assert "    The caf\u00e9 by the pier will stay open later on weekdays, the council said." in lines
    assert "\tTabs, and  two  spaces, stay where the author put them & so does this line." in lines
    assert "A zerowidth space hides in this sentence about the new ferry timetable and its fares." in lines
    assert "Share this article" not in lines and lines[-1] == ""


def test_check_names_repairs_and_removals(tmp_path, run_cli):
    f = tmp_path / "dirty.txt"
    f.write_text(DIRTY)
    code, out, _ = run_cli("check", f)
    assert code == 1
    rules = {int(l.split(":")[1]): l.split(": ")[1] for l in out.splitlines()}
    assert rules[2] == "encoding/mojibake" and rules[3] == "encoding/entity" and rules[4] == "normalize/invisible"
    assert {6, 7, 8} <= set(rules) and 1 not in rules


@pytest.mark.parametrize("name,data", [
    ("records.jsonl", b'{"text": "Home"}\n{"text": "A record about the harbour council and its ferry timetable."}\n'),
    ("records.json", b'[{"text": "Home"}, {"text": "Share this article"}]\n'),
    ("table.csv", b"text\nHome\nShare this article\n"),
    ("notes.txt.gz", None),
    ("corpus.parquet", None),
    ("page", b'{"text": "Home"}\n'),          # no extension: sniffed as JSONL
])
def test_non_text_files_are_refused_untouched(tmp_path, run_cli, name, data):
    f = tmp_path / name
    if name.endswith(".gz"):
        import gzip
        data = gzip.compress(b"Home\nShare this article\n")
    elif name.endswith(".parquet"):
        import pyarrow as pa
        import pyarrow.parquet as pq
        pq.write_table(pa.table({"text": ["Home", "Share this article"]}), f)
        data = f.read_bytes()
    f.write_bytes(data)
    for cmd in ("check", "fix"):
        code, out, err = run_cli(cmd, f)
        assert code == 0 and out == "", (cmd, out, err)
        assert err.count("\n") == 1 and f"cleaner: {f}: not a text document" in err, err
    assert f.read_bytes() == data
    code, _, err = run_cli("explain", f)
    assert code == 2 and "not a text document" in err


def test_unreadable_file_exits_2_and_others_are_still_fixed(tmp_path, run_cli):
    f = tmp_path / "dirty.txt"
    f.write_text(DIRTY)
    code, _, err = run_cli("fix", tmp_path / "typo.txt", f)
    assert code == 2 and f"cleaner: {tmp_path / 'typo.txt'}: cannot read" in err
    assert "Share this article" not in f.read_text()
    assert run_cli("check", tmp_path / "typo.txt")[0] == 2


def test_fix_keeps_line_ends_final_newline_bom_and_mode(tmp_path, run_cli):
    cases = {
        "crlf.txt": DIRTY.replace("\n", "\r\n").encode(),
        "mixed.txt": DIRTY.replace("\n", "\r\n", 2).encode(),
        "no-final.txt": DIRTY.rstrip("\n").encode(),
        "bom.txt": b"\xef\xbb\xbf" + DIRTY.encode(),
    }
    for name, data in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        f.chmod(0o640)
        assert run_cli("fix", f)[0] == 1
        new = f.read_bytes()
        assert (f.stat().st_mode & 0o777) == 0o640
        assert new.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
        assert new.endswith(b"\n") == data.endswith(b"\n")
        # each kept line keeps its own line end
        kept = [l for l in data.removeprefix(b"\xef\xbb\xbf").split(b"\n") if l.startswith(b"The harbour")]
        assert kept[0] + b"\n" in new
    crlf = (tmp_path / "crlf.txt").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(cases)    # no temp file left


def _removed_by_explain(run_cli, f) -> set[tuple[int, str]]:
    code, out, _ = run_cli("explain", "--color", "never", f)
    assert code == 0
    return {(int(m.group(1)), m.group(2)) for m in re.finditer(r"^\s*(\d+) - .*  \[([^\]]+)\]$", out, re.M)}


def _removed_by_check(run_cli, f) -> set[tuple[int, str]]:
    _, out, _ = run_cli("check", f)
    return {(int(no), rule) for no, rule in re.findall(rf"^{re.escape(str(f))}:(\d+): ([^:]+): ", out, re.M)}


def _removed_by_clean(run_cli, tmp_path, *inputs) -> dict[str, set[tuple[int, str]]]:
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.jsonl"
    code, _, err = run_cli("clean", *inputs, "-o", out, "--explain", "-j", "1", "--quiet", "--dedup", "none")
    assert code == 0, err
    return {r["source"]: {(x["line"], x["rule"]) for x in r["removed"]} for r in read_jsonl(out)}


@pytest.mark.parametrize("poem", [LITANY, SONG, KEEPER])
def test_a_poem_is_judged_alike_by_every_command_and_keeps_its_stanzas(tmp_path, run_cli, poem):
    from cleaner import clean_document

    d = tmp_path / "poems"
    d.mkdir()
    f = d / "poem.txt"
    f.write_text(poem)
    api = {(r.line, r.rule) for r in clean_document(poem, source=str(f)).removed}
    explained = _removed_by_explain(run_cli, f)
    checked = _removed_by_check(run_cli, f)
    alone = _removed_by_clean(run_cli, tmp_path, f)[str(f)]
    # among other documents (the seeds): nothing in the poem recurs there, so nothing changes
    for seed in SEEDS.iterdir():
        shutil.copy(seed, d / seed.name)
    in_corpus = _removed_by_clean(run_cli, tmp_path, d)[str(f)]
    assert api == explained == checked == alone == in_corpus
    assert api == set(), api          # no stanza, no title is chrome
    assert run_cli("fix", f)[0] == 0 and f.read_text() == poem


# One site's template around six different stories: none of its lines is named by a rule.
PAGE = """\
Valley Voice
Rivers and Roads
Town Hall Watch
{title}
Filed under local affairs by the valley desk
The river authority said on Tuesday that the new weir would be finished before the spring floods arrive ({c}).
Engineers have worked through the winter to pour the concrete, and the last gates were lifted into place last week ({c}).
Residents of the lower valley, who were flooded twice in the past decade, welcomed the news but asked for more ({c}).
The authority will publish the water levels online every hour once the gates are working, its director said ({c}).
Farmers upstream are less pleased, because the new reservoir will cover some of the meadows they use for hay ({c}).
Valley Voice Media Group
Riverside House, Mill Lane
Independent local reporting since 1998
"""


def test_corpus_context_only_adds_recurring_lines_and_says_so(tmp_path, run_cli):
    d = tmp_path / "site"
    d.mkdir()
    for c in "ABCDEF":
        (d / f"page-{c}.txt").write_text(PAGE.format(title=f"Story {c} will hold back the spring floods", c=c))
    corpus = _removed_by_clean(run_cli, tmp_path, d)
    for c in "ABCDEF":
        f = d / f"page-{c}.txt"
        alone = _removed_by_explain(run_cli, f)
        assert alone == _removed_by_check(run_cli, f) == _removed_by_clean(run_cli, tmp_path, f)[str(f)]
        in_corpus = corpus[str(f)]
        assert alone <= in_corpus                         # the corpus never takes a decision back
        added = in_corpus - alone
        assert added and {rule for _, rule in added} == {"heuristic/repeated-across-corpus"}
        assert (13, "heuristic/repeated-across-corpus") in added    # the footer line, on every page
        assert not {no for no, _ in added} & set(range(6, 11))    # no story line


def _in_pty(tmp_path, *args: str, extra: dict | None = None) -> tuple[int, str]:
    """Run `python -m cleaner ARGS` with a pseudo-terminal as stdin, stdout and stderr (colour not
    turned off by the caller's NO_COLOR unless `extra` sets it)."""
    from conftest import CLI, env, run_in_pty

    environ = env(**(extra or {}))
    if not extra or "NO_COLOR" not in extra:
        environ.pop("NO_COLOR", None)
    return run_in_pty([*CLI, *args], cwd=tmp_path, size=None, timeout=60, environ=environ)


def test_explain_on_a_terminal_marks_what_fix_would_do(tmp_path):
    f = tmp_path / "guide.md"
    f.write_text(GUIDE)
    code, out = _in_pty(tmp_path, "explain", str(f))
    assert code == 0 and "Traceback" not in out
    assert "\033[9mShare this article\033[0m" in out and "[share/share-labels-en]" in out   # struck through
    assert "        with client.connect(\"db\") as conn:" in out       # code shown with its indentation
    assert "1 line removed, 0 repaired" in out
    code, out = _in_pty(tmp_path, "explain", str(f), extra={"NO_COLOR": "1"})
    assert code == 0 and "\033[" not in out and "- Share this article  [share/share-labels-en]" in out
