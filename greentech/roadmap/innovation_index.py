"""The green technology innovation index by Liaoning city, computed from the platform's own data.

Each component counts what the platform holds for organizations in the city or its counties (demo data
excluded); a component's score is the city's count divided by the largest city's count (0–1); the index is
the weighted sum × 100. Components and weights (they add up to 1):

| component | counts | weight |
| --- | --- | --- |
| recognitions | green manufacturing titles (绿色工厂, 绿色设计产品, 绿色供应链, 绿色园区) | 0.2 |
| recognized organizations | distinct organizations holding such a title | 0.1 |
| innovation platforms | platforms and alliances hosted in the city | 0.1 |
| organizations | organizations of any kind registered in the city | 0.05 |
| offers | published technology offers of the city's organizations (market) | 0.1 |
| needs | published technology needs of the city's organizations (market) | 0.05 |
| deals | deals (not terminated) in which the city's organizations supply the technology | 0.1 |
| contract value | signed contract amounts of those deals (10k yuan) | 0.15 |
| green patents | green patents (by code or text) whose applicant is in the city (patent database) | 0.15 |
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

COMPONENTS = {
    "recognitions": 0.2,
    "recognized_organizations": 0.1,
    "platforms": 0.1,
    "organizations": 0.05,
    "offers": 0.1,
    "needs": 0.05,
    "deals": 0.1,
    "contract_value": 0.15,
    "green_patents": 0.15,
}

LABELS = {
    "recognitions": _("recognitions"),
    "recognized_organizations": _("recognized organizations"),
    "platforms": _("platforms"),
    "organizations": _("organizations"),
    "offers": _("offers"),
    "needs": _("needs"),
    "deals": _("deals"),
    "contract_value": _("contract value (10k yuan)"),
    "green_patents": _("green patents"),
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
            "cells": [self.counts[component] for component in COMPONENTS],
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }


def compute() -> list[CityIndex]:
    from greentech.deals.models import Deal, Stage
    from greentech.market.models import Need, Offer, Status
    from greentech.patents.models import Patent
    from greentech.recognitions.models import Recognition
    from greentech.registry.models import Organization, Platform, Region, within

    cities = list(Region.objects.filter(level=Region.Level.CITY).order_by("code"))
    rows = []
    for city in cities:
        recognitions = Recognition.objects.filter(is_demo=False).filter(within(city, "organization__region"))
        deals = (
            Deal.objects.filter(is_demo=False).exclude(stage=Stage.TERMINATED).filter(within(city, "seller__region"))
        )
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
                    "deals": deals.count(),
                    "contract_value": float(deals.aggregate(total=Sum("contract__amount"))["total"] or 0),
                    "green_patents": Patent.objects.filter(green=True).filter(within(city)).count(),
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
