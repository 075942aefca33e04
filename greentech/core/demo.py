"""Demonstration data for `greentech init --demo`: fictional organizations, people, platforms, credit records,
offers and needs, one account per role and two deals, every record flagged `is_demo` and named 【演示】 so it can
never pass for real data. The rows live in greentech/data/demo/ (see its SOURCE.md); each app loads its own
(`registry/demo.py`, `market/demo.py`, `accounts/demo.py`, `deals/demo.py`) through the same import pipeline and
services as real data; running it again changes nothing.
"""

from __future__ import annotations

from functools import cache

import yaml

from greentech.config import PACKAGE_DIR
from greentech.core import audit, imports
from greentech.core.permissions import SYSTEM
from greentech.core.reference import table

DEMO_PASSWORD = "greentech-demo"
PREFIX = "【演示】"
DEMO_DIR = PACKAGE_DIR / "data" / "demo"


@cache
def read(name: str) -> dict:
    """One file of data/demo (YAML)."""
    return yaml.safe_load((DEMO_DIR / name).read_text(encoding="utf-8"))


def organization_names() -> dict[str, str]:
    """An organization's key in data/demo/registry.yaml → its name (the other files refer to it by key)."""
    names = {row["key"]: row["name"] for row in read("registry.yaml")["organizations"]}
    unmarked = [name for name in names.values() if not name.startswith(PREFIX)]
    if unmarked:
        raise ValueError(f"demo organizations must be named {PREFIX}…: {', '.join(unmarked)}")
    return names


def demo_table(rows: list[dict], *, is_demo: bool = True, drop: tuple[str, ...] = ()):
    """Rows of a demo file as a dataset for the import pipeline: the `organization` key replaced by its name,
    flagged `is_demo` (where the dataset has the flag); the columns are those the rows use."""
    names = organization_names()
    headers = list(dict.fromkeys(key for row in rows for key in row if key not in drop))
    rows = [
        {key: names[value] if key == "organization" else value for key, value in row.items() if key not in drop}
        for row in rows
    ]
    if is_demo:
        headers.append("is_demo")
        rows = [row | {"is_demo": "1"} for row in rows]
    return table(headers, rows)


def load_demo() -> str:
    from greentech.accounts import demo as accounts_demo
    from greentech.deals import demo as deals_demo
    from greentech.market import demo as market_demo
    from greentech.registry import demo as registry_demo

    totals = {"created": 0, "updated": 0, "unchanged": 0}
    for name, data in (*registry_demo.tables(), *market_demo.tables()):
        report = imports.run_import(name, data, user=SYSTEM, audit_source=audit.Source.INIT)
        if not report.ok:
            raise RuntimeError(f"demo {name}: " + "; ".join(e.text("en") for e in report.errors))
        for key in totals:
            totals[key] += getattr(report, key)
    usernames = accounts_demo.load_accounts()
    accounts_demo.welcome(usernames)
    deals = deals_demo.load_deals()
    return (
        f"{totals['created']} created, {totals['updated']} updated, {totals['unchanged']} unchanged; "
        f"{deals} demo deals; "
        f"accounts {', '.join(usernames)} (password {DEMO_PASSWORD!r})"
    )
