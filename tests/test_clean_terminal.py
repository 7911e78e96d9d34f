"""`cleaner clean` as a user runs it in a terminal: stderr is a TTY, so the progress bar is on."""
from __future__ import annotations

import os
import subprocess
import sys


def test_clean_in_a_terminal_shows_the_summary(tmp_path):
    """The progress bar (a tqdm without a total) must not break the run: exit 0, the summary line."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"p{i}.txt").write_text(f"Story {i}. " + "The river council met on a winter evening to talk "
                                       "about the bridge, the school and the harbour budget. " * 4 + "\n",
                                       encoding="utf-8")
    main, child = os.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "cleaner.cli", "clean", str(src), "-o", str(tmp_path / "out.jsonl")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=child, timeout=120)
        os.close(child)
        child = -1
        seen = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:          # the terminal closed (Linux: EIO)
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if child >= 0:
            os.close(child)
        os.close(main)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 0, text
    assert "bool() undefined" not in text and "3 documents in" in text, text
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") >= 1
