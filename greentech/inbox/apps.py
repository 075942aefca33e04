from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "greentech.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        from greentech.inbox import permissions  # noqa: F401
