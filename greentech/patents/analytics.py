"""Green patent statistics: by year, green category, office, applicant and Liaoning city (the analytics page,
its API and the roadmap's deliverable 35). Everything is counted in the database over the green patents."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import ExtractYear

from greentech.core.permissions import Action
from greentech.patents.models import GreenLabel, Office, Patent, PatentApplicant
from greentech.patents.queries import category_label

TOP = 15


def green_statistics(user, *, top: int = TOP) -> dict:
    """Counts over the patents `user` may view (patents are public records: all of them, for everyone)."""
    visible = Patent.objects.restrict(user, Action.VIEW)
    green = visible.filter(green=True)
    by_year = (
        green.exclude(publication_date=None)
        .annotate(year=ExtractYear("publication_date"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    offices = dict(Office.choices)
    by_office = green.order_by().values("office").annotate(n=Count("pk")).order_by("-n")
    by_city = green.exclude(region=None).order_by().values("region__name").annotate(n=Count("pk")).order_by("-n")
    by_category = (
        GreenLabel.objects.filter(patent__in=green.values("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("patent", distinct=True))
        .order_by("-n")[:top]
    )
    applicants = (
        PatentApplicant.objects.filter(patent__in=green.values("pk"))
        .order_by()
        .values("name")
        .annotate(n=Count("patent", distinct=True))
        .order_by("-n", "name")[:top]
    )
    return {
        "total": visible.count(),
        "green": green.count(),
        "by_year": [{"year": row["year"], "count": row["n"]} for row in by_year],
        "by_office": [
            {"office": row["office"], "label": str(offices.get(row["office"], row["office"])), "count": row["n"]}
            for row in by_office
        ],
        "by_city": [{"city": row["region__name"], "count": row["n"]} for row in by_city],
        "by_category": [
            {"category": row["group"], "label": category_label(row["group"]), "count": row["n"]} for row in by_category
        ],
        "top_applicants": [{"name": row["name"], "count": row["n"]} for row in applicants],
    }
