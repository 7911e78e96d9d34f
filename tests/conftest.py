"""Shared fixtures: the repository root, the bundled seeds, and a helper that runs the CLI in-process."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def run_cli(capsys):
    """Run `cleaner ARGS…` in this process; returns (exit status, stdout, stderr)."""
    from cleaner.cli import main

    def run(*args: str):
        try:
            code = main([str(a) for a in args])
        except SystemExit as e:   # argparse usage errors
            code = e.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]


@pytest.fixture(scope="module")
def local_ray():
    """A Ray of our own on loopback (never a cluster another run started), shut down after the module."""
    ray = pytest.importorskip("ray", reason="the Ray engine needs the `ray` extra: pip install 'cleaner[ray]'")
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 _node_ip_address="127.0.0.1")
    yield ray
    if started:
        ray.shutdown()


def kill_at_checkpoint(proc, state, count: int, timeout: float = 120) -> int:
    """SIGKILL `proc` once its checkpoint (`state`: the checkpoint's state.json) holds `count` documents;
    return the count the checkpoint holds after the kill."""
    import signal
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state.exists() and json.loads(state.read_text() or "{}").get("count", 0) >= count:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return json.loads(state.read_text())["count"]


def without_times(stats: dict) -> dict:
    """A stats dict without the per-step seconds (the one part that differs between equal runs)."""
    out = dict(stats)
    out["steps"] = {name: {k: v for k, v in step.items() if k != "seconds"} for name, step in stats.get("steps", {}).items()}
    return out


def install_step_package(tmp_path_factory, name: str, module: str, source: str, entry: str) -> Path:
    """Build and install (pip --target) a package `name` whose module `module` holds `source` and
    registers `entry` ("step = module:Class") under the `cleaner.steps` entry points, as a user's
    plugin package would; returns the folder to put on PYTHONPATH."""
    import subprocess
    import sys
    import textwrap

    src = tmp_path_factory.mktemp(f"{name}-src")
    (src / module).mkdir()
    (src / module / "__init__.py").write_text(textwrap.dedent(source))
    step, target_obj = (part.strip() for part in entry.split("=", 1))
    (src / "pyproject.toml").write_text(textwrap.dedent(f'''
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"
        [project]
        name = "{name}"
        version = "0.1"
        [project.entry-points."cleaner.steps"]
        {step} = "{target_obj}"
        [tool.setuptools]
        packages = ["{module}"]
    '''))
    target = tmp_path_factory.mktemp(f"{name}-site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(src)], check=True)
    return target
