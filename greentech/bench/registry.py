"""Benchmarks: `greentech bench NAME` runs one registered by a module of this package (classify, market, match,
patents).

The modules are imported by `discover()`, which only the `bench` command calls: the web app never loads them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

MODULES = (
    "greentech.bench.classify",
    "greentech.bench.jobs",
    "greentech.bench.market",
    "greentech.bench.match",
    "greentech.bench.patents",
)

_benchmarks: dict[str, tuple[Callable, str]] = {}
_arguments: dict[str, Callable] = {}


def register(name: str, description: str, *, arguments: Callable | None = None):
    """`arguments(parser)` adds the benchmark's own options to `greentech bench` (names must not clash)."""

    def decorator(function):
        _benchmarks[name] = (function, description)
        if arguments is not None:
            _arguments[name] = arguments
        return function

    return decorator


def discover() -> None:
    """Import every benchmark module (each registers its runs)."""
    for module in MODULES:
        importlib.import_module(module)


def get(name: str) -> Callable:
    return _benchmarks[name][0]


def all_benchmarks() -> dict[str, str]:
    return {name: description for name, (_function, description) in sorted(_benchmarks.items())}


def add_arguments(parser) -> None:
    """Every registered benchmark's own options (`greentech bench` shows them all under --help)."""
    for name in sorted(_arguments):
        _arguments[name](parser.add_argument_group(f"{name} options"))
