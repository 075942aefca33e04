from greentech.core.permissions import actor_for
from greentech.inbox.services import unread_count


def platform(request):
    """What every page's header needs: who is signed in, their roles and unread notifications."""
    user = getattr(request, "user", None)
    return {
        "actor": actor_for(user),
        "unread_notifications": unread_count(user) if user is not None else 0,
    }
