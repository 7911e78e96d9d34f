"""Connecting to Ray for a run, and telling the user's errors apart from Ray's wrappers of them.

`--ray-address` / RAY_ADDRESS connects to a cluster (cleaner must be installed on its nodes, and
sharded output must be on a disk they all see); otherwise a local Ray of our own with `jobs` CPUs,
no dashboard, listening on loopback only.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any, Callable


def ensure_ray(options: Any) -> tuple[Any, bool]:
    """Connect to `options.ray_address` or start a quiet local Ray; returns (ray, started_here)."""
    import ray
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.execution_options.preserve_order = True          # records come back in input order
    ctx.enable_progress_bars = sys.stderr.isatty()
    if hasattr(ctx, "print_on_execution_start"):
        ctx.print_on_execution_start = False
    quiet = logging.WARNING if sys.stderr.isatty() else logging.ERROR
    for name in ("ray", "ray.data"):     # start-up notices, "progress bars disabled", resource hints
        logging.getLogger(name).setLevel(quiet)
    if ray.is_initialized():
        return ray, False
    if options.ray_address:
        ray.init(address=options.ray_address, log_to_driver=False, configure_logging=False)
        return ray, True
    # address="local": a Ray of our own, even when another one runs on this machine (ray.init() would
    # otherwise join the cluster started last on the machine, someone else's run).
    ray.init(address="local", num_cpus=max(1, int(options.jobs)), include_dashboard=False, log_to_driver=False,
             configure_logging=False, logging_level=logging.WARNING, runtime_env=worker_env(),
             _node_ip_address="127.0.0.1")          # a Ray of this machine listens on loopback only
    return ray, True


def worker_env() -> dict[str, Any]:
    """A runtime_env whose workers import this copy of cleaner (for a Ray started on this machine)."""
    package_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}


def user_error(error: BaseException) -> BaseException:
    """The exception a step or reader raised inside a Ray task, unwrapped from Ray's wrappers."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = getattr(error, "cause", None) or error.__cause__
        if inner is None or not isinstance(inner, BaseException):
            break
        error = inner
    return error


def guarded(fn: Callable[[], Any]) -> Any:
    """`fn()`, with an error raised inside a Ray task re-raised as the step's or reader's own."""
    try:
        return fn()
    except Exception as e:      # noqa: BLE001 - re-raised: the user's error, not Ray's wrapper of it
        inner = user_error(e)
        if inner is e:
            raise
        raise inner from None
