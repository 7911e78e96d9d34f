"""Issue 21: one step contract (cleaner.Step) for built-in steps and plugins, and per-step stats.

A plugin package, installed like a user's and registered under the `cleaner.steps` entry points,
declares what it needs through the contract only: the text documents (`applies_to`), the corpus line
counts (`needs_counts`, `bind`), data loaded before the workers fork (`warm_up`), and events it
counts (`count`). The runs go through the CLI; the stats file shows every step's time and work."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import install_step_package, without_times

PAGE = """<html><head><title>Harbour news</title></head><body><nav>Home | News | Sport</nav><article>
<h1>Ferry timetable approved</h1>
<p>The harbour council approved a new ferry timetable on Tuesday evening after a long debate.</p>
<p>Residents of the island villages had asked for an earlier morning crossing for two years.</p>
<p>The first boat will now leave at six o'clock, and a late crossing is added on Fridays.</p>
</article><footer>Subscribe to our newsletter</footer></body></html>"""


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    return install_step_package(tmp_path_factory, "tally-step", "tally_step", '''
        from cleaner import Step

        class Tally(Step):
            """Counts the text documents it sees, with the corpus size its bound counts report."""
            name = "tally"
            applies_to = ("text",)
            needs_counts = True

            def __init__(self):
                self.counts = None
                self.warm = False

            def warm_up(self):
                self.warm = True

            def bind(self, counts):
                self.counts = counts

            def __call__(self, doc):
                if not self.warm or self.counts is None:
                    raise RuntimeError("called before warm_up and bind")
                self.count(doc, f"tally/corpus-of-{self.counts.documents}")
                if "forbidden" in doc.text:
                    doc.drop_reason = "tally: forbidden"
                    return None
                return doc
    ''', "tally = tally_step:Tally")


def _clean(plugin_path, inputs, out, jobs):
    cfg = out.parent / "cleaner.toml"
    cfg.write_text('steps = ["extract", "repair", "normalize", "chrome", "structure", "tally", "langid", "filters"]\n'
                   'dedup = "none"\n')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(plugin_path), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", *map(str, inputs), "-o", str(out), "--config", str(cfg),
                        "--quiet", "-j", str(jobs)], env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    return out.read_bytes(), json.loads(out.with_name(out.name + ".stats.json").read_text())


def test_plugin_step_gets_counts_warm_up_and_its_own_stats(plugin_path, tmp_path):
    (tmp_path / "in").mkdir()
    inputs = []
    for name, text in [("a.txt", "The harbour council approved a new ferry timetable on Tuesday evening.\n"),
                       ("b.txt", "This report mentions the forbidden word in a full sentence of prose.\n"),
                       ("c.html", PAGE)]:
        (tmp_path / "in" / name).write_text(text)
        inputs.append(tmp_path / "in" / name)
    (tmp_path / "j1").mkdir(), (tmp_path / "j2").mkdir()
    one, stats = _clean(plugin_path, inputs, tmp_path / "j1" / "c.jsonl", 1)
    two, stats_2 = _clean(plugin_path, inputs, tmp_path / "j2" / "c.jsonl", 2)
    assert one == two and without_times(stats) == without_times(stats_2)

    steps = stats["steps"]
    assert list(steps) == ["extract", "repair", "normalize", "chrome", "structure", "tally", "langid", "filters"]
    tally = steps["tally"]
    # text documents only (applies_to), with the counts of the whole corpus bound (3 documents)
    assert tally["documents"] == 2 and tally["events"] == {"tally/corpus-of-3": 2} and tally["dropped"] == 1
    assert stats["documents_dropped"] == {"tally: forbidden": 1} and stats["events"]["tally/corpus-of-3"] == 2
    # the built-ins: extract ran on all three and saw one page; what chrome removed is its own
    assert steps["extract"]["documents"] == 3 and any(e.startswith("page-type/") for e in steps["extract"]["events"])
    assert steps["langid"]["documents"] == 2 and steps["filters"]["documents"] == 2
    assert sum(s["lines_removed"] for s in steps.values()) == stats["lines_removed_total"]
    assert all(s["seconds"] >= 0 for s in steps.values()) and steps["extract"]["seconds"] > 0


def test_default_run_reports_time_per_step(run_cli, tmp_path):
    (tmp_path / "a.txt").write_text("Home | News | Sport\nThe harbour council approved a new ferry timetable on "
                                    "Tuesday evening after a long debate.\nShare on Facebook\n")
    code, _, err = run_cli("clean", tmp_path / "a.txt", "-o", tmp_path / "c.jsonl", "--stats", tmp_path / "s.json")
    assert code == 0, err
    stats = json.loads((tmp_path / "s.json").read_text())
    assert list(stats["steps"]) == ["extract", "repair", "normalize", "chrome", "structure", "heuristics", "langid", "filters"]
    assert all(s["documents"] == 1 for s in stats["steps"].values())
    from cleaner.stats import format_step_times

    shown = format_step_times(stats)
    assert shown.startswith("  time per step: extract ") and shown.endswith(" s") and "heuristics" in shown


def test_a_plain_callable_step_is_wrapped_in_the_contract():
    from cleaner.steps import CallableStep, Step
    from cleaner.steps.base import as_step

    step = as_step("upper", lambda doc: doc)
    assert isinstance(step, CallableStep) and isinstance(step, Step)
    assert step.name == "upper" and step.applies_to is None and not step.needs_counts
    from cleaner.config import ConfigError

    with pytest.raises(ConfigError, match="upper"):          # a configuration error: exit status 2
        as_step("upper", 42)


def test_pipeline_takes_ready_steps_and_plain_functions():
    from cleaner.config import Options
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline

    def shout(doc):
        doc.text = doc.text.upper()
        return doc

    pipe = Pipeline(Options(jobs=1, dedup="none"), steps=[shout])
    docs = list(pipe.run([Document(id="1", source="x", text="the ferry leaves at six")]))
    assert [d.text for d in docs] == ["THE FERRY LEAVES AT SIX"]
    assert pipe.stats.to_dict()["steps"]["shout"]["documents"] == 1


@pytest.mark.parametrize("config, expected", [
    ('steps = ["extract", "repiar"]\n', "steps: unknown step 'repiar' (did you mean 'repair'?)"),
    ('steps = ["repair", "filters"]\n[step.filters]\nmin_char = 3\n', "[step.filters]: "),
], ids=["typo-in-steps", "typo-in-step-option"])
def test_a_step_typo_is_a_configuration_error(run_cli, tmp_path, config, expected):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text(config)
    (tmp_path / "a.txt").write_text("The harbour council approved a new ferry timetable.\n")
    code, _, err = run_cli("clean", tmp_path / "a.txt", "-o", tmp_path / "c.jsonl", "--config", cfg)
    assert code == 2 and expected in err
    assert "min_char" in err or "min_char" not in config          # the unknown option is named
    assert err.count("\n") == 1 and "Traceback" not in err and not (tmp_path / "c.jsonl").exists()
