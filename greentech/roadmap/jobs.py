"""Roadmap supervision's background jobs (core.jobs)."""

from __future__ import annotations

import datetime

from greentech.core.jobs import job


@job("roadmap.warn", schedule="30 0 * * *", description="Overdue, due-soon and missing-report warnings to officers")
def warn(context, today: str | None = None) -> dict:
    from greentech.roadmap.services import post_warnings

    return {"posted": post_warnings(datetime.date.fromisoformat(today) if today else None)}
