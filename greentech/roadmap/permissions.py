"""Who sees and changes the roadmap: the plan is public; progress belongs to government roles."""

from django.db.models import Q

from greentech.core.permissions import Action, Policy, PublicReferencePolicy, Role, register
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
