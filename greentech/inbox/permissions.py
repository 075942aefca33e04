from django.db.models import Q

from greentech.core.permissions import Action, Policy, register
from greentech.inbox.models import Notification


class NotificationPolicy(Policy):
    """A notification is its recipient's alone (administrators included: they do not read others' mail)."""

    admin_bypass = False

    def scope(self, actor, action):
        if actor.is_authenticated and action in (Action.VIEW, Action.CHANGE, Action.DELETE):
            return Q(recipient=actor.user)
        return False


register(Notification, NotificationPolicy())
