"""The registry's demonstration rows (data/demo/registry.yaml) for `greentech init --demo` (core.demo)."""

from __future__ import annotations

from greentech.core.demo import demo_table, read


def tables():
    """(dataset, rows) in the order they are imported: organizations first, the rows naming them after."""
    data = read("registry.yaml")
    yield "organizations", demo_table(data["organizations"], drop=("key",))
    yield "people", demo_table(data["people"])
    yield "platforms", demo_table(data["platforms"])
    yield "platform-members", demo_table(data["platform-members"], is_demo=False)
    yield "credit-records", demo_table(data["credit-records"])
