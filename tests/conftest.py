"""Shared fixtures: the repository root, the bundled seeds, and a helper that runs the CLI in-process."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
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


def env(**extra: str) -> dict[str, str]:
    """This environment with this checkout's cleaner first on PYTHONPATH (and no COLUMNS), plus `extra`."""
    e = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra)
    e.pop("COLUMNS", None)
    return e


CLI = [sys.executable, "-m", "cleaner"]    # the cleaner command of this checkout, for subprocesses


def run_in_pty(args: list[str], *, cwd: Path, size: tuple[int, int] | None = (24, 100), on_output=None,
               timeout: float = 300, environ: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `args` with stdin, stdout and stderr on a new pseudo-terminal; (exit status, all output).
    `on_output(master_fd, text so far)` is called as output arrives (to type Ctrl-C, say)."""
    pid, fd = pty.fork()
    if pid == 0:                                  # the child: exec the command on the terminal
        try:
            os.chdir(cwd)
            os.execvpe(args[0], args, environ or env())
        finally:
            os._exit(127)
    if size is not None:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:                   # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            if on_output is not None:
                on_output(fd, out.decode("utf-8", "replace"))
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode("utf-8", "replace")
