from django.db.models import Q

from greentech.core.permissions import Action, Policy, Role, register
from greentech.recognitions.models import Recognition


class RecognitionPolicy(Policy):
    """Recognition lists are public; a department's officers keep the titles their department grants;
    national lists are loaded by administrators."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            return True
        if action == Action.CHANGE and actor.department_ids:
            return Q(granting_department__in=actor.department_ids)
        return False

    def can_add(self, actor, instance):
        return Role.DEPARTMENT_OFFICER in actor.roles and instance.granting_department_id in actor.department_ids


register(Recognition, RecognitionPolicy())
