from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "greentech.core"
    label = "core"
    verbose_name = _("Platform core")

    def ready(self):
        from greentech.core import audit  # noqa: F401  (connects the history signal)
