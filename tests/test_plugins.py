"""Issue 4: a step from another package, registered under the `cleaner.steps` entry-point group,
is usable by name from the config and the CLI. The test builds and installs such a package."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import install_step_package, read_jsonl


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    return install_step_package(tmp_path_factory, "shout-step", "shout_step", '''
        class Shout:
            """Upper-cases the text; drops documents that mention 'forbidden'."""
            name = "shout"
            def __init__(self, suffix=""):
                self.suffix = suffix
            def __call__(self, doc):
                if "forbidden" in doc.text:
                    doc.drop_reason = "mentions the forbidden word"
                    return None
                doc.text = doc.text.strip().upper() + self.suffix
                return doc
    ''', "shout = shout_step:Shout")


def test_plugin_step_runs_by_name_from_config(plugin_path, tmp_path):
    (tmp_path / "a.txt").write_text("The harbour council approved a new ferry timetable on Tuesday evening.\n")
    (tmp_path / "b.txt").write_text("This report mentions the forbidden word in a full sentence of prose.\n")
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text('steps = ["repair", "normalize", "chrome", "shout", "langid", "filters"]\n[step.shout]\nsuffix = "!"\n')
    out = tmp_path / "c.jsonl"
    env = dict(os.environ, PYTHONPATH=str(plugin_path))
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                        "-o", str(out), "--config", str(cfg), "--quiet", "--rejects", str(tmp_path / "r.jsonl")],
                       env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    recs = read_jsonl(out)
    assert [r["text"] for r in recs] == ["THE HARBOUR COUNCIL APPROVED A NEW FERRY TIMETABLE ON TUESDAY EVENING.!"]
    assert read_jsonl(tmp_path / "r.jsonl")[0]["reason"] == "mentions the forbidden word"


def test_unknown_step_is_a_clear_error(tmp_path, run_cli):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text('steps = ["repair", "no-such-step"]\n')
    (tmp_path / "a.txt").write_text("Some text here.\n")
    code, _, err = run_cli("clean", tmp_path / "a.txt", "-o", tmp_path / "c.jsonl", "--config", cfg)
    assert code != 0 and "no-such-step" in err and "Traceback" not in err
