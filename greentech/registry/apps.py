from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "greentech.registry"
    label = "registry"
    verbose_name = _("Actors registry")

    def ready(self):
        from greentech.registry import datasets, permissions  # noqa: F401
