"""Step registry: names to step factories, filled by decorators and by the `cleaner.steps` entry points.

A step is a `cleaner.steps.Step` (the contract: name, applies_to, needs_counts, bind, warm_up,
`__call__(doc) -> Document | None`); a factory that returns a plain callable gets it wrapped in
`CallableStep` under its registry name.
Built-in steps register themselves with `@register_step("name")`; other packages expose a factory
under the entry-point group `cleaner.steps` and are loaded lazily the first time a name is missing.
"""
from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any, Callable

ENTRY_POINT_GROUP = "cleaner.steps"
_FACTORIES: dict[str, Callable[..., Any]] = {}
_entry_points_loaded = False


def register_step(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Class or function decorator: make a step factory available by `name`."""

    def deco(factory: Callable[..., Any]) -> Callable[..., Any]:
        if name in _FACTORIES and _FACTORIES[name] is not factory:
            raise ValueError(f"step name {name!r} is registered twice")
        _FACTORIES[name] = factory
        return factory

    return deco


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in _FACTORIES:
            _FACTORIES[ep.name] = ep.load()


def _load_builtins() -> None:
    import cleaner.steps  # noqa: F401  (importing registers the built-in steps)


def get_step_factory(name: str) -> Callable[..., Any]:
    _load_builtins()
    if name not in _FACTORIES:
        _load_entry_points()
    try:
        return _FACTORIES[name]
    except KeyError:
        raise KeyError(f"unknown step {name!r}; known: {', '.join(sorted(available_steps()))}") from None


def make_step(name: str, **options: Any) -> Any:
    """Build the step registered as `name`, passing it the options it accepts; always a Step."""
    from cleaner.steps.base import as_step

    return as_step(name, get_step_factory(name)(**options))


def available_steps() -> list[str]:
    _load_builtins()
    _load_entry_points()
    return sorted(_FACTORIES)
