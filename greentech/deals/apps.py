from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "greentech.deals"
    label = "deals"
    verbose_name = _("Deals and contracts")

    def ready(self):
        from greentech.deals import permissions  # noqa: F401
