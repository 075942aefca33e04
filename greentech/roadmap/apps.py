from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoadmapConfig(AppConfig):
    name = "greentech.roadmap"
    label = "roadmap"
    verbose_name = _("Roadmap supervision")

    def ready(self):
        from greentech.roadmap import datasets, permissions  # noqa: F401
