"""Trends over the plan's years for the dashboard: how many deliverables fall due against how many were
completed (government roles), progress reports by the year they cover, and public figures per year from the
platform's data (national green manufacturing recognitions granted, platforms and alliances established)."""

from __future__ import annotations

import re

from django.db.models import Count
from django.utils import timezone

from greentech.roadmap.models import Deliverable, Plan, ProgressReport


def _year_of_period(period: str) -> int | None:
    match = re.match(r"\s*(\d{4})", period or "")
    return int(match.group(1)) if match else None


def compute(plan: Plan, *, government: bool, today=None) -> dict:
    """Series by year, from the plan's first year to its last (or to this year, if later).

    `due` and `completed` are cumulative counts of deliverables; a deliverable counts as completed in the
    year of the earliest period in which an accepted report said it was completed.
    """
    from greentech.recognitions.models import Recognition
    from greentech.registry.models import Platform

    today = today or timezone.localdate()
    last = max(plan.end_year, min(today.year, plan.end_year + 5))
    years = list(range(plan.start_year, last + 1))
    deliverables = list(Deliverable.objects.filter(plan=plan).values_list("pk", "end_year"))
    due = [sum(1 for _, end in deliverables if end <= year) for year in years]

    recognitions = dict(
        Recognition.objects.filter(is_demo=False, year__in=years)
        .values_list("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    established: dict[int, int] = {}
    for date in Platform.objects.filter(is_demo=False, established__year__in=years).values_list(
        "established", flat=True
    ):
        established[date.year] = established.get(date.year, 0) + 1
    result = {
        "years": years,
        "due": due,
        "recognitions": [recognitions.get(year, 0) for year in years],
        "platforms": [established.get(year, 0) for year in years],
    }
    if government:
        completed_in: dict[int, int] = {}
        filed: dict[int, int] = {}
        for deliverable_id, period, status, review, created in ProgressReport.objects.filter(
            deliverable__plan=plan
        ).values_list("deliverable_id", "period", "status", "review", "created"):
            year = _year_of_period(period)
            filed_year = year or created.year  # the year the report covers
            filed[filed_year] = filed.get(filed_year, 0) + 1
            if status == ProgressReport.Status.COMPLETED and review == ProgressReport.Review.ACCEPTED and year:
                completed_in[deliverable_id] = min(year, completed_in.get(deliverable_id, year))
        result["completed"] = [
            sum(1 for year_done in completed_in.values() if year_done <= year) if year <= today.year else None
            for year in years
        ]
        result["reports"] = [filed.get(year, 0) for year in years]
    return result
