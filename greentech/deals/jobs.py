"""The deal pipeline's background jobs (core.jobs)."""

from __future__ import annotations

import datetime

from greentech.core.jobs import job


@job("deals.overdue", schedule="20 0 * * *", description="Tell the parties of payments and milestones past their date")
def overdue(context, today: str | None = None) -> dict:
    from greentech.deals.services import flag_overdue

    return {"notified": flag_overdue(datetime.date.fromisoformat(today) if today else None)}
