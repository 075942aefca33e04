"""The seed plan's roadmap (data/roadmap, read from the plan's appendix; see its SOURCE.md)."""

import yaml

from greentech.core.reference import DATA_DIR, loader
from greentech.roadmap.datasets import plan_table


@loader(70, "roadmap")
def seed_roadmap():
    with (DATA_DIR / "roadmap" / "liaoning-2019-2022.yaml").open(encoding="utf-8") as handle:
        yield "roadmap", plan_table(yaml.safe_load(handle))
