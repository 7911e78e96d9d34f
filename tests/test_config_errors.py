"""Usage and configuration errors: exit 2, one line naming the file (or flag) and the key, nothing run."""
from __future__ import annotations

import pytest

from conftest import SEEDS


@pytest.mark.parametrize("flag, value, message", [
    ("--near-threshold", "1.5", "argument --near-threshold: must be in (0, 1], got 1.5"),
    ("--near-threshold", "0", "argument --near-threshold: must be in (0, 1], got 0.0"),
    ("-j", "many", "argument -j/--jobs: not a whole number: 'many'"),
    ("-j", "0", "argument -j/--jobs: must be >= 1, got 0"),
    ("--timeout", "-1", "argument --timeout: must be >= 0, got -1.0"),
    ("--max-chars", "0", "argument --max-chars: must be >= 1, got 0"),
    ("--delay", "soon", "argument --delay: not a number: 'soon'"),
])
def test_a_bad_flag_value_is_a_usage_error(run_cli, tmp_path, flag, value, message):
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-q", flag, value)
    assert code == 2
    assert err.strip().splitlines()[-1] == f"cleaner clean: error: {message}"
    assert not out.exists()


@pytest.mark.parametrize("toml, message", [
    ('chrome = "wild"', "chrome: must be one of strict, balanced, aggressive, got 'wild'"),
    ('chrome = "balance"', "chrome: must be one of strict, balanced, aggressive, got 'balance' (did you mean 'balanced'?)"),
    ('jobs = "many"', "jobs: must be a whole number >= 1, got 'many'"),
    ("jobs = 2.5", "jobs: must be a whole number >= 1, got 2.5"),
    ("near-threshold = 1.5", "near-threshold: must be in (0, 1], got 1.5"),
    ('lang = ["en"]', "unknown option 'lang' (did you mean 'langs'?)"),
    ('steps = ["extract", "repiar"]', "steps: unknown step 'repiar' (did you mean 'repair'?)"),
    ('explain = "yes"', "explain: must be true or false, got 'yes'"),
    ("langs = [1, 2]", "langs: must be a list of strings, got [1, 2]"),
    ("max_bytes = -5", "max_bytes: must be >= 1, got -5"),
])
def test_a_bad_config_value_names_the_file_and_the_key(run_cli, tmp_path, toml, message):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text(toml + "\n", encoding="utf-8")
    out = tmp_path / "c.jsonl"
    code, _, err = run_cli("clean", SEEDS, "-o", out, "-q", "--config", cfg)
    assert code == 2
    line = err.strip()
    assert "\n" not in line and line.startswith(f"cleaner: {cfg}: {message}")
    assert not out.exists()


def test_pyproject_table_errors_name_the_table(run_cli, tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.cleaner]\ndedup = "fuzzy"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("clean", SEEDS, "-o", tmp_path / "c.jsonl", "-q")
    assert code == 2
    assert err.strip() == (f"cleaner: {tmp_path / 'pyproject.toml'} [tool.cleaner]: dedup: must be one of near, exact, "
                           f"none, got 'fuzzy'")


def test_good_values_in_every_form_still_work(run_cli, tmp_path):
    cfg = tmp_path / "cleaner.toml"
    cfg.write_text('langs = "en"\nnear_threshold = 1\njobs = 1\ndoc-timeout = 0\n', encoding="utf-8")
    code, _, err = run_cli("clean", SEEDS, "-o", tmp_path / "c.jsonl", "-q", "--config", cfg)
    assert code == 0, err


def test_the_python_api_checks_the_same_ranges():
    from cleaner.config import ConfigError, Options
    from cleaner.pipeline import Pipeline

    with pytest.raises(ConfigError, match=r"^near_threshold: must be in \(0, 1\], got 1.5$"):
        Pipeline.default(near_threshold=1.5)
    with pytest.raises(ConfigError, match=r"^unknown option 'lang' \(did you mean 'langs'\?\)$"):
        Pipeline.default(lang=["en"])
    with pytest.raises(ConfigError, match="^jobs: must be a whole number"):
        Options(jobs="many")
    with pytest.raises(ConfigError, match="^chrome: "):
        Options(chrome="wild")
    opts = Pipeline.default(langs="en,de", jobs=2, near_threshold=1).options
    assert opts.langs == ("en", "de") and opts.near_threshold == 1.0


def test_every_option_has_a_check():
    from dataclasses import fields

    from cleaner.config import CHECKS, Options

    assert set(CHECKS) == {f.name for f in fields(Options)}
