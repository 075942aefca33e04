from django.db.models import Q

from greentech.accounts.models import RoleAssignment
from greentech.core.permissions import Action, Policy, register


class RoleAssignmentPolicy(Policy):
    """Users see their own roles; only administrators grant or withdraw roles."""

    def scope(self, actor, action):
        if action == Action.VIEW and actor.is_authenticated:
            return Q(user=actor.user)
        return False


register(RoleAssignment, RoleAssignmentPolicy())
