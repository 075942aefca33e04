"""Who sees and changes the roadmap: the plan is public; progress belongs to government roles."""

from django.db.models import Q

from greentech.core.permissions import Action, Policy, PublicReferencePolicy, Role, register, rule
from greentech.roadmap.models import Deliverable, DeliverableLead, Part, Plan, ProgressReport, QualityRating, Task

for model in (Plan, Part, Task, DeliverableLead):
    register(model, PublicReferencePolicy())


class DeliverablePolicy(Policy):
    """Everyone reads the plan; the lead departments' officers may change a deliverable (the service lets them
    set its participating departments); administrators load and edit plans."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE and actor.department_ids:
            return Q(lead_departments__in=actor.department_ids)  # each deliverable once: see restrict()
        return False


class ProgressReportPolicy(Policy):
    """Progress details are for government roles. A department officer reports on the deliverables their
    department leads or takes part in, for their own department, and may change a report until it is accepted."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            return Role.DEPARTMENT_OFFICER in actor.roles
        if action == Action.CHANGE and actor.department_ids:
            return Q(department__in=actor.department_ids) & ~Q(review=ProgressReport.Review.ACCEPTED)
        return False

    def can_add(self, actor, instance):
        if Role.DEPARTMENT_OFFICER not in actor.roles or instance.department_id not in actor.department_ids:
            return False
        deliverable = instance.deliverable
        involved = set(deliverable.lead_departments.values_list("pk", flat=True)) | set(
            deliverable.participating_departments.values_list("pk", flat=True)
        )
        return instance.department_id in involved


register(Deliverable, DeliverablePolicy())
register(ProgressReport, ProgressReportPolicy())


class QualityRatingPolicy(Policy):
    """Ratings are part of the performance evaluation: government roles read them, administrators give them."""

    def scope(self, actor, action):
        return action == Action.VIEW and Role.DEPARTMENT_OFFICER in actor.roles


register(QualityRating, QualityRatingPolicy())


# --- page-level rules, asked by the roadmap pages, their actions and templates ({% can 'roadmap.evaluate' plan %})


@rule("roadmap.see_progress")
def may_see_progress(actor, obj=None) -> bool:
    """Computed status, warnings and reports of the plan are for government roles (and administrators)."""
    return actor.is_government


@rule("roadmap.evaluate")
def may_evaluate(actor, plan=None) -> bool:
    """The performance evaluation (绩效评估) of a plan is read by government roles."""
    return actor.is_government


@rule("roadmap.rate")
def may_rate(actor, plan=None) -> bool:
    """Quality ratings of the evaluation are given by the platform's administrators (QualityRatingPolicy)."""
    return actor.is_admin


def reporting_departments(actor, deliverable):
    """The actor's departments that lead or take part in `deliverable` (those they report progress for)."""
    from greentech.registry.models import Department

    if deliverable is None or Role.DEPARTMENT_OFFICER not in actor.roles:
        return Department.objects.none()
    involved = set(deliverable.leads.values_list("department_id", flat=True)) | set(
        deliverable.participating_departments.values_list("pk", flat=True)
    )
    return Department.objects.filter(pk__in=involved & set(actor.department_ids))


@rule("roadmap.report")
def may_report(actor, deliverable) -> bool:
    """A department officer reports progress on the deliverables their department leads or takes part in."""
    return reporting_departments(actor, deliverable).exists()


@rule("roadmap.review_report")
def may_review_report(actor, report) -> bool:
    """Administrators accept or return submitted progress reports (roadmap.services.review_report)."""
    return actor.is_admin and report is not None and report.review == ProgressReport.Review.SUBMITTED
