"""Run options as one settings object, from defaults, a TOML file and CLI flags (later wins).

The TOML is either the file given with `--config`, or the `[tool.cleaner]` table of the working
directory's `pyproject.toml`. Keys are the option names below (dashes or underscores).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_STEPS = ("extract", "repair", "normalize", "chrome", "structure", "heuristics", "langid", "filters")


class ConfigError(ValueError):
    """A bad configuration: the message names the file and the key."""


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


_NAMES = {f.name for f in fields(Options)}
_TUPLES = {"steps", "rules", "langs"}


def options_from_mapping(data: dict[str, Any], origin: str) -> dict[str, Any]:
    """Validate a config table and turn it into Options keyword arguments."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name == "step":                                     # [step.NAME] tables: a step's options
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{origin}: [step.NAME] tables hold each step's options")
            out["step_options"] = {k: dict(v) for k, v in value.items()}
            continue
        if name not in _NAMES:
            raise ConfigError(f"{origin}: unknown option {key!r} (known: {', '.join(sorted(_NAMES))})")
        if name in _TUPLES:
            if isinstance(value, str):
                value = [v for v in value.split(",") if v]
            if not isinstance(value, list):
                raise ConfigError(f"{origin}: option {key!r} must be a list")
            value = tuple(str(v) for v in value)
        out[name] = value
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
