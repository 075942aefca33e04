"""The green technology innovation index by Liaoning city, computed from the platform's own data.

Each component counts what the platform holds for organizations in the city or its counties (demo data
excluded); a component's score is the city's count divided by the largest city's count (0–1); the index is
the weighted sum × 100. Components and weights (they add up to 1):

| component | counts | weight |
| --- | --- | --- |
| recognitions | green manufacturing titles (绿色工厂, 绿色设计产品, 绿色供应链, 绿色园区) | 0.3 |
| recognized organizations | distinct organizations holding such a title | 0.15 |
| innovation platforms | platforms and alliances hosted in the city | 0.15 |
| organizations | organizations of any kind registered in the city | 0.1 |
| offers | published technology offers of the city's organizations (market) | 0.2 |
| needs | published technology needs of the city's organizations (market) | 0.1 |

Deals, contract value and patents join as components when the deal pipeline and the patent database exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

COMPONENTS = {
    "recognitions": 0.3,
    "recognized_organizations": 0.15,
    "platforms": 0.15,
    "organizations": 0.1,
    "offers": 0.2,
    "needs": 0.1,
}


@dataclass
class CityIndex:
    code: str
    name: str
    counts: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    index: float = 0.0
    rank: int = 0

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "index": round(self.index, 1),
            "rank": self.rank,
            "counts": self.counts,
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }


def compute() -> list[CityIndex]:
    from greentech.evaluation.models import Recognition
    from greentech.market.models import Need, Offer, Status
    from greentech.registry.models import Organization, Platform, Region, within

    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    rows = []
    for city in cities:
        recognitions = Recognition.objects.filter(is_demo=False).filter(within(city, "organization__region"))
        rows.append(
            CityIndex(
                code=city.code,
                name=city.name,
                counts={
                    "recognitions": recognitions.count(),
                    "recognized_organizations": recognitions.aggregate(n=Count("organization", distinct=True))["n"],
                    "platforms": Platform.objects.filter(is_demo=False).filter(within(city)).count(),
                    "organizations": Organization.objects.filter(is_demo=False).filter(within(city)).count(),
                    "offers": Offer.objects.filter(is_demo=False, status=Status.PUBLISHED)
                    .filter(within(city, "organization__region"))
                    .count(),
                    "needs": Need.objects.filter(is_demo=False, status=Status.PUBLISHED)
                    .filter(within(city, "organization__region"))
                    .count(),
                },
            )
        )
    for component in COMPONENTS:
        top = max((row.counts[component] for row in rows), default=0)
        for row in rows:
            row.scores[component] = row.counts[component] / top if top else 0.0
    for row in rows:
        row.index = 100 * sum(weight * row.scores[component] for component, weight in COMPONENTS.items())
    for position, row in enumerate(sorted(rows, key=lambda r: (-r.index, r.code)), 1):
        row.rank = position
    return rows
