"""Benchmarks: `greentech bench NAME` runs one registered by a module (classify, and later market, patents)."""

from __future__ import annotations

from collections.abc import Callable

_benchmarks: dict[str, tuple[Callable, str]] = {}


def register(name: str, description: str):
    def decorator(function):
        _benchmarks[name] = (function, description)
        return function

    return decorator


def get(name: str) -> Callable:
    return _benchmarks[name][0]


def all_benchmarks() -> dict[str, str]:
    return {name: description for name, (_function, description) in sorted(_benchmarks.items())}
