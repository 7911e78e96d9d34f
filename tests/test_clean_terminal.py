"""`cleaner clean` as a user runs it in a terminal: stderr is a TTY, so the progress bar is on."""
from __future__ import annotations

from conftest import CLI, run_in_pty


def test_clean_in_a_terminal_shows_the_summary(tmp_path):
    """The progress bar (a tqdm without a total) must not break the run: exit 0, the summary line."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"p{i}.txt").write_text(f"Story {i}. " + "The river council met on a winter evening to talk "
                                       "about the bridge, the school and the harbour budget. " * 4 + "\n",
                                       encoding="utf-8")
    code, text = run_in_pty([*CLI, "clean", str(src), "-o", str(tmp_path / "out.jsonl")], cwd=tmp_path,
                            size=None, timeout=120)
    assert code == 0, text
    assert "bool() undefined" not in text and "3 documents in" in text, text
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") >= 1
