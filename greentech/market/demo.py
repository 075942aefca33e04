"""The market's demonstration offers and needs (data/demo/market.yaml) for `greentech init --demo` (core.demo):
published ones in Chinese and English, one offer behind confidentiality terms, one draft."""

from __future__ import annotations

from greentech.core.demo import demo_table, read


def tables():
    data = read("market.yaml")
    yield "offers", demo_table(data["offers"])
    yield "needs", demo_table(data["needs"])
