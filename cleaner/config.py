"""Run options as one settings object, from defaults, a TOML file and CLI flags (later wins).

The TOML is either the file given with `--config`, or the `[tool.cleaner]` table of the working
directory's `pyproject.toml`. Keys are the option names below (dashes or underscores).

Every option's type and range is checked by one table (`CHECKS`), wherever the value comes from: a
config file (`FILE: key: reason`), a command-line flag (argparse's `argument --flag: reason`, via
`flag_type`) or the Python API (`Options(...)`, `Pipeline.default(...)`: `key: reason`). Each is a
ConfigError: exit status 2 on the command line.
"""
from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_STEPS = ("extract", "repair", "normalize", "chrome", "structure", "heuristics", "langid", "filters")


from cleaner.errors import ConfigError  # noqa: E402,F401  (re-exported: defined below config and the steps)


@dataclass(frozen=True)
class Options:
    steps: tuple[str, ...] = DEFAULT_STEPS    # per-document steps, by registry name, in order
    rules: tuple[str, ...] = ()               # extra rule files or folders
    default_rules: bool = True
    chrome: str = "balanced"                  # strict | balanced | aggressive (the line classifier)
    langs: tuple[str, ...] = ()               # keep only these languages (empty: all)
    dedup: str = "near"                       # near | exact | none
    near_threshold: float | None = None       # verification similarity for near duplicates
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    engine: str = "local"                     # local | ray
    ray_address: str | None = None
    ray_trace: str | None = None              # Ray: write which node read each input, wrote each shard (JSON)
    explain: bool = False
    min_chars: int = 1                        # documents shorter than this after cleaning are dropped
    max_bytes: int = 256 * 1024 * 1024        # decompressed bytes per text/HTML file or JSONL line
    max_chars: int = 5_000_000                # characters per document (longer: cut, and counted)
    doc_timeout: float = 30.0                 # seconds of extraction per document
    delay: float = 1.0                        # scraper: seconds between requests to one host
    allow_private_redirects: bool = False     # scraper: follow a public -> private address redirect
    step_options: dict[str, dict[str, Any]] = field(default_factory=dict)   # [steps.NAME] tables

    def __post_init__(self) -> None:
        for name, check in CHECKS.items():          # tests/test_config_errors.py: every field has one
            try:
                value = check(getattr(self, name))
            except ValueError as e:
                raise ConfigError(f"{name}: {e}") from None
            object.__setattr__(self, name, value)     # normalised: lists to tuples, ints to floats

# -- the checks: each takes a value and returns it normalised, or raises ValueError(reason) ----------

def _shown(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {_shown(value)}")
    return value


def _number(low: float, high: float | None = None, *, whole: bool = False, above: bool = False) -> Callable[[Any], Any]:
    """A number >= low (> low with `above`), <= high when given; `whole`: an integer."""
    span = (f"in ({low:g}, {high:g}]" if above else f"in [{low:g}, {high:g}]") if high is not None else \
        (f"> {low:g}" if above else f">= {low:g}")

    def check(value: Any) -> Any:
        kind = "a whole number" if whole else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float) if not whole else int):
            raise ValueError(f"must be {kind} {span}, got {_shown(value)}")
        if (value <= low if above else value < low) or (high is not None and value > high):
            raise ValueError(f"must be {span}, got {_shown(value)}")
        return value if whole else float(value)

    return check


def _choice(*choices: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, got {_shown(value)}{did_you_mean(value, choices)}")
        return value

    return check


def _optional(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else check(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, got {_shown(value)}")
    return value


def _names(value: Any) -> tuple[str, ...]:
    """A list of strings (a comma-separated string too)."""
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"must be a list of strings, got {_shown(value)}")
    return tuple(value)


def _steps(value: Any) -> tuple[str, ...]:
    names = _names(value)
    if names != DEFAULT_STEPS:
        from cleaner.registry import available_steps

        known = available_steps()
        for n in names:
            if n not in known:
                raise ValueError(f"unknown step {n!r}{did_you_mean(n, known)} (known: {', '.join(known)})")
    return names


def _step_tables(value: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError("[step.NAME] tables hold each step's options")
    return {k: dict(v) for k, v in value.items()}


CHECKS: dict[str, Callable[[Any], Any]] = {
    "steps": _steps,
    "rules": _names,
    "default_rules": _boolean,
    "chrome": _choice("strict", "balanced", "aggressive"),
    "langs": _names,
    "dedup": _choice("near", "exact", "none"),
    "near_threshold": _optional(_number(0, 1, above=True)),
    "jobs": _number(1, whole=True),
    "engine": _choice("local", "ray"),
    "ray_address": _optional(_text),
    "ray_trace": _optional(_text),
    "explain": _boolean,
    "min_chars": _number(0, whole=True),
    "max_bytes": _number(1, whole=True),
    "max_chars": _number(1, whole=True),
    "doc_timeout": _number(0),
    "delay": _number(0),
    "allow_private_redirects": _boolean,
    "step_options": _step_tables,
}

_NAMES = {f.name for f in fields(Options)}


def did_you_mean(word: Any, choices: Any) -> str:
    """" (did you mean 'langs'?)" when `word` is close to one of `choices`, else ""."""
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_option(name: str, value: Any) -> Any:
    """`value` for option `name`, normalised; ValueError(reason) when it is not valid."""
    check = CHECKS.get(name)
    return check(value) if check is not None else value


def flag_type(name: str, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """An argparse `type=` for a flag setting option `name`: parse, then check its range."""
    import argparse

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {'whole number' if parse is int else 'number'}: {text!r}") from None
        try:
            return check_option(name, value)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    convert.__name__ = parse.__name__
    return convert


def unknown_option(key: str) -> str:
    """The reason for a key that is no option, with the nearest name."""
    hint = did_you_mean(key.replace("-", "_"), sorted(_NAMES))
    return f"unknown option {key!r}" + (hint or f" (known: {', '.join(sorted(_NAMES))})")


def make_options(values: dict[str, Any]) -> Options:
    """Options from keyword values (the Python API): an unknown name is a ConfigError, as in a file."""
    for key in values:
        if key not in _NAMES:
            raise ConfigError(unknown_option(key))
    return Options(**values)


def options_from_mapping(data: dict[str, Any], origin: str) -> dict[str, Any]:
    """Validate a config table and turn it into Options keyword arguments."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name == "step":                                     # [step.NAME] tables: a step's options
            name = "step_options"
        elif name not in _NAMES:
            raise ConfigError(f"{origin}: {unknown_option(key)}")
        try:
            out[name] = check_option(name, value)
        except ValueError as e:
            raise ConfigError(f"{origin}: {key}: {e}") from None
    return out


def load_config(path: str | Path | None = None, cwd: Path | None = None) -> dict[str, Any]:
    """Options from `path`, or from `[tool.cleaner]` in ./pyproject.toml; {} when there is neither."""
    if path is not None:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except OSError as e:
            raise ConfigError(f"{p}: cannot read config: {e.strerror or e}") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{p}: invalid TOML: {e}") from None
        table = data.get("tool", {}).get("cleaner", data)
        return options_from_mapping(table, str(p))
    pp = (cwd or Path.cwd()) / "pyproject.toml"
    if pp.is_file():
        try:
            data = tomllib.loads(pp.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            return {}
        table = data.get("tool", {}).get("cleaner")
        if isinstance(table, dict):
            return options_from_mapping(table, f"{pp} [tool.cleaner]")
    return {}
