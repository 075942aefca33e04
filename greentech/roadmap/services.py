"""Roadmap rules: computed status and warnings, progress reports and their review, participating departments.

Status is computed from dates and accepted reports, never typed: a deliverable is overdue when its end year has
passed without an accepted completion; due soon and missing-report warnings follow the rules in settings
(GREENTECH_ROADMAP_DUE_SOON_DAYS, GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greentech.core import services
from greentech.core.permissions import Action, actor_for, check
from greentech.roadmap.events import WARNING_NOTICES, RoadmapNotice
from greentech.roadmap.models import Deliverable, ProgressReport


class Status:
    COMPLETED = "completed"
    OVERDUE = "overdue"
    DELAYED = "delayed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    NOT_DUE = "not_due"  # its start year has not come


class Warning:
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    MISSING_REPORT = "missing_report"


@dataclass
class DeliverableStatus:
    status: str
    warnings: list[str] = field(default_factory=list)
    last_report: ProgressReport | None = None
    percent: int = 0


def end_date(deliverable: Deliverable) -> datetime.date:
    return datetime.date(deliverable.end_year, 12, 31)


def deliverable_status(deliverable: Deliverable, today: datetime.date | None = None, reports=None) -> DeliverableStatus:
    """The deliverable's status on `today` (default: the platform's local date) from its reports."""
    today = today or timezone.localdate()
    reports = list(deliverable.reports.all()) if reports is None else list(reports)
    accepted = sorted((r for r in reports if r.review == ProgressReport.Review.ACCEPTED), key=lambda r: r.created)
    last = accepted[-1] if accepted else None
    warnings = []
    if any(r.status == ProgressReport.Status.COMPLETED for r in accepted):
        return DeliverableStatus(Status.COMPLETED, [], last, 100)
    due = end_date(deliverable)
    if today > due:
        status = Status.OVERDUE
        warnings.append(Warning.OVERDUE)
    elif today.year < deliverable.start_year:
        status = Status.NOT_DUE
    elif last is None:
        status = Status.NOT_STARTED
    elif last.status == ProgressReport.Status.DELAYED:
        status = Status.DELAYED
    else:
        status = Status.IN_PROGRESS
    if status != Status.OVERDUE and status != Status.NOT_DUE:
        if (due - today).days <= settings.GREENTECH_ROADMAP_DUE_SOON_DAYS:
            warnings.append(Warning.DUE_SOON)
    if status != Status.NOT_DUE:
        live = [r for r in reports if r.review != ProgressReport.Review.RETURNED]
        latest = max((timezone.localdate(r.created) for r in live), default=None)
        if latest is None or (today - latest).days > settings.GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS:
            warnings.append(Warning.MISSING_REPORT)
    return DeliverableStatus(status, warnings, last, last.percent if last else 0)


def submit_report(user, deliverable: Deliverable, department, **fields) -> ProgressReport:
    """A department officer files a report; only for a department that leads or takes part in the deliverable."""
    report = ProgressReport(
        deliverable=deliverable, department=department, submitted_by=services.account_of(user), **fields
    )
    services.create(user, report)
    _notify_administrators(report)
    return report


def review_report(user, report: ProgressReport, *, accept: bool, comment: str = "") -> ProgressReport:
    """An administrator accepts or returns a report (returned reports can be corrected and resubmitted)."""
    if not actor_for(user).is_admin:
        raise PermissionDenied(_("Only platform administrators review progress reports."))
    with transaction.atomic():
        services.update(
            user,
            report,
            {
                "review": ProgressReport.Review.ACCEPTED if accept else ProgressReport.Review.RETURNED,
                "review_comment": comment,
                "reviewed_by": services.account_of(user),
                "reviewed_at": timezone.now(),
            },
        )
    if report.submitted_by_id:
        from greentech.inbox.services import notify

        notify(
            [report.submitted_by],
            RoadmapNotice.REPORT_ACCEPTED if accept else RoadmapNotice.REPORT_RETURNED,
            body=comment,
            parameters=_about(report.deliverable),
            link=report.deliverable.get_absolute_url(),
            target=report,
        )
    return report


def _about(deliverable: Deliverable) -> dict:
    """The parameters of a notice about a deliverable."""
    return {"number": deliverable.number, "text": deliverable.text[:60]}


def set_participating_departments(user, deliverable: Deliverable, departments) -> Deliverable:
    """The lead departments decide who takes part (注：参加部门由牵头部门确定)."""
    check(user, Action.CHANGE, deliverable)
    services.update(user, deliverable, {}, many_to_many={"participating_departments": list(departments)})
    return deliverable


def _notify_administrators(report: ProgressReport) -> None:
    from greentech.accounts.services import holders
    from greentech.core.permissions import Role
    from greentech.inbox.services import notify

    notify(
        holders(Role.ADMIN, superusers=True),
        RoadmapNotice.REPORT_SUBMITTED,
        parameters={**_about(report.deliverable), "department": str(report.department), "period": report.period},
        link=report.deliverable.get_absolute_url(),
        target=report,
    )


def post_warnings(today: datetime.date | None = None) -> int:
    """Tell the officers of each deliverable's lead departments about its warnings (overdue, due soon, report
    missing), once per deliverable and warning within each reporting interval (`notify(once=)`: the interval's
    number since 0001-01-01 is in the key, so a job run twice, or by two workers, tells nobody twice). Returns how
    many were posted."""
    from django.contrib.auth import get_user_model

    from greentech.core.permissions import Role
    from greentech.inbox.services import notify

    today = today or timezone.localdate()
    interval = today.toordinal() // max(1, settings.GREENTECH_ROADMAP_REPORT_INTERVAL_DAYS)
    posted = 0
    users = get_user_model().objects.all()
    deliverables = Deliverable.objects.prefetch_related("reports", "leads").select_related("plan")
    for deliverable in deliverables:
        status = deliverable_status(deliverable, today=today)
        if not status.warnings:
            continue
        departments = [lead.department_id for lead in deliverable.leads.all()]
        officers = list(
            users.filter(
                role_assignments__role=Role.DEPARTMENT_OFFICER,
                role_assignments__active=True,
                role_assignments__department__in=departments,
            ).distinct()
        )
        for warning in status.warnings:
            posted += len(
                notify(
                    officers,
                    WARNING_NOTICES[warning],
                    parameters={**_about(deliverable), "start": deliverable.start_year, "end": deliverable.end_year},
                    link=deliverable.get_absolute_url(),
                    target=deliverable,
                    once=f"deliverable:{deliverable.pk}:interval:{interval}",
                )
            )
    return posted
