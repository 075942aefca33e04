from django.db.models import Q

from greentech.accounts.models import RoleAssignment, TermsOfUseAcceptance
from greentech.core.permissions import Action, Policy, register


class RoleAssignmentPolicy(Policy):
    """Users see their own roles; only administrators grant or withdraw roles."""

    def scope(self, actor, action):
        if action == Action.VIEW and actor.is_authenticated:
            return Q(user=actor.user)
        return False


register(RoleAssignment, RoleAssignmentPolicy())


class TermsOfUsePolicy(Policy):
    """The record of consent: users see their own acceptances of the terms of use, administrators all of them.
    Nobody changes one, administrators included; accounts.services.accept_terms writes it for the user who
    accepts (the back office offers no form to add one); administrators may delete one (a person's request to
    erase their data)."""

    admin_bypass = False

    def scope(self, actor, action):
        if action == Action.VIEW:
            return True if actor.is_admin else Q(user=actor.user) if actor.is_authenticated else False
        if action == Action.DELETE:
            return actor.is_admin
        return False


register(TermsOfUseAcceptance, TermsOfUsePolicy())
