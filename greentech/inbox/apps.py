from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "greentech.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from greentech.inbox import permissions  # noqa: F401

        autodiscover_modules("events")  # every app's notification kinds (inbox.kinds.register)
