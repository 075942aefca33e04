"""Performance evaluation (绩效评估) of the plan's departments and tasks for a year.

For the deliverables due by the end of the year (end year ≤ year):
- completion: the share with an accepted completion report;
- timeliness: the share completed on time (the accepted completion report was filed by the end of the
  deliverable's end year);
- quality: the administrator's rating of the department for the year (1–5, as a share of 5; tasks take the
  mean of their lead departments' ratings); unrated counts as 0 and is shown as missing.
The score is the weighted sum (weights from GREENTECH_ROADMAP_WEIGHTS, default completion 0.5, timeliness 0.3,
quality 0.2), and the table is ranked by it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from greentech.roadmap.models import Deliverable, ProgressReport, QualityRating


@dataclass
class Row:
    key: str
    label: str
    due: int = 0
    completed: int = 0
    on_time: int = 0
    rating: float | None = None
    deliverables: list[int] = field(default_factory=list)
    score: float = 0.0
    rank: int = 0
    order: int = 0  # tie-break: task number, or the department's position in the registry

    @property
    def completion(self) -> float:
        return self.completed / self.due if self.due else 0.0

    @property
    def timeliness(self) -> float:
        return self.on_time / self.due if self.due else 0.0

    @property
    def quality(self) -> float:
        return (self.rating or 0.0) / 5.0

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "rank": self.rank,
            "score": round(self.score, 4),
            "due": self.due,
            "completed": self.completed,
            "on_time": self.on_time,
            "completion": round(self.completion, 4),
            "timeliness": round(self.timeliness, 4),
            "quality_rating": self.rating,
            "deliverables": self.deliverables,
        }


def weights() -> dict[str, float]:
    return dict(settings.GREENTECH_ROADMAP_WEIGHTS)


def _completion(deliverable: Deliverable) -> ProgressReport | None:
    accepted = [
        r
        for r in deliverable.reports.all()
        if r.review == ProgressReport.Review.ACCEPTED and r.status == ProgressReport.Status.COMPLETED
    ]
    return min(accepted, key=lambda r: r.created) if accepted else None


def evaluate(plan, year: int) -> dict:
    """Ranked rows per department and per task for `year`."""
    due = list(
        Deliverable.objects.filter(plan=plan, end_year__lte=year)
        .select_related("task")
        .prefetch_related("reports", "leads__department")
        .order_by("number")
    )
    ratings = {r.department_id: r.score for r in QualityRating.objects.filter(plan=plan, year=year)}
    departments: dict = {}
    tasks: dict = {}
    task_ratings: dict = {}  # task id → ratings of its lead departments
    for item in due:
        report = _completion(item)
        done = report is not None
        on_time = done and report.created.date() <= datetime.date(item.end_year, 12, 31)
        leads = [lead.department for lead in item.leads.all()]
        for department in leads:
            row = departments.setdefault(
                department.pk,
                Row(str(department.pk), department.short_name, rating=ratings.get(department.pk), order=department.pk),
            )
            _add(row, item, done, on_time)
        task_row = tasks.setdefault(
            item.task_id, Row(str(item.task.number), f"{item.task.number}. {item.task.title}", order=item.task.number)
        )
        _add(task_row, item, done, on_time)
        task_ratings[item.task_id] = [ratings[d.pk] for d in leads if d.pk in ratings]
    for task_id, row in tasks.items():
        lead_ratings = task_ratings[task_id]
        row.rating = sum(lead_ratings) / len(lead_ratings) if lead_ratings else None
    w = weights()
    result = {}
    for name, rows in (("departments", list(departments.values())), ("tasks", list(tasks.values()))):
        for row in rows:
            row.score = w["completion"] * row.completion + w["timeliness"] * row.timeliness + w["quality"] * row.quality
        rows.sort(key=lambda r: (-round(r.score, 9), r.order))
        for position, row in enumerate(rows, 1):
            row.rank = position
        result[name] = rows
    result["weights"] = w
    result["year"] = year
    result["due"] = len(due)
    return result


def _add(row: Row, item, done: bool, on_time: bool) -> None:
    row.due += 1
    row.completed += done
    row.on_time += on_time
    row.deliverables.append(item.number)
