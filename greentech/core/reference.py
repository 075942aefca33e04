"""Reference-data loading: each app turns its source files (greentech/data/*, copied from the project's
reference data with their SOURCE.md) into rows of a dataset, and the rows go through the same import
pipeline as a user's file. `greentech init` runs every loader in order; a second run changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import tablib

from greentech.config import PACKAGE_DIR

DATA_DIR = PACKAGE_DIR / "data"


@dataclass(frozen=True)
class Loader:
    order: int
    name: str
    function: Callable[[], Iterable[tuple[str, tablib.Dataset]]]


_loaders: list[Loader] = []


def loader(order: int, name: str):
    """Register a function yielding (dataset name, tablib.Dataset) pairs to load in `greentech init`."""

    def decorator(function):
        _loaders.append(Loader(order, name, function))
        return function

    return decorator


_after_load: list[tuple[str, Callable[[], str]]] = []


def after_load(name: str):
    """Register work for `greentech init` to do once the reference data is in (e.g. warming caches)."""

    def decorator(function):
        _after_load.append((name, function))
        return function

    return decorator


def after_load_steps() -> list[tuple[str, Callable[[], str]]]:
    return list(_after_load)


def all_loaders() -> list[Loader]:
    return sorted(_loaders, key=lambda item: (item.order, item.name))


def read_csv(relative: str) -> list[dict]:
    path = DATA_DIR / relative
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return [{key: (value or "").strip() for key, value in row.items()} for row in csv.DictReader(handle)]


def table(headers: list[str], rows: Iterable[dict]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([row.get(header, "") for header in headers])
    return dataset
