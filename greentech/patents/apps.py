from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatentsConfig(AppConfig):
    name = "greentech.patents"
    label = "patents"
    verbose_name = _("Green patent database")

    def ready(self):
        from greentech.patents import datasets, permissions, search  # noqa: F401
